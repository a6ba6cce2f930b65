"""Non-attendance charges per organisation: computed from bookings, never stored.

Many partnerships charge agencies for places wasted: a no-show with no reason recorded and a
late cancellation each cost a place someone else could have had. Only delivered events in the
period count (the same rule as every other figure).
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Count, Q

from bookings.models import Booking
from courses.models import Event
from reports.tables import Table

NO_CHARGES = "The partnership does not charge for non-attendance (CHARGE_NO_SHOW and "
NO_CHARGES += "CHARGE_LATE_CANCELLATION are 0)."


def charges_enabled() -> bool:
    return bool(settings.CHARGE_NO_SHOW or settings.CHARGE_LATE_CANCELLATION)


def _pounds(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def charges_by_organisation(*, start: date, end: date, organisation=None) -> list[dict]:
    """One row per organisation with wasted places in the period: counts and the charge (£)."""
    bookings = Booking.objects.filter(
        event__in=Event.objects.delivered().starting_between(start, end)
    )
    if organisation is not None:
        bookings = bookings.filter(organisation=organisation)
    rows = (
        bookings.values("organisation__name")
        .annotate(
            no_shows=Count(
                "id",
                filter=Q(status=Booking.Status.NO_SHOW, non_attendance_reason__isnull=True),
            ),
            late=Count(
                "id",
                filter=Q(
                    status=Booking.Status.CANCELLED,
                    cancelled_late=True,
                    confirmed_at__isnull=False,
                ),
            ),
        )
        .filter(Q(no_shows__gt=0) | Q(late__gt=0))
        .order_by("organisation__name")
    )
    per_no_show, per_late = (
        _pounds(settings.CHARGE_NO_SHOW),
        _pounds(settings.CHARGE_LATE_CANCELLATION),
    )
    return [
        {
            "organisation": row["organisation__name"] or "No organisation recorded",
            "no_shows": row["no_shows"],
            "late": row["late"],
            "charge": float(row["no_shows"] * per_no_show + row["late"] * per_late),
        }
        for row in rows
    ]


def charges_table(rows: list[dict]) -> Table:
    return Table(
        slug="charges",
        title="Non-attendance charges by organisation",
        columns=[
            ("organisation", "Organisation"),
            ("no_shows", "Unexplained no-shows"),
            ("late", "Late cancellations"),
            ("charge", "Charge (£)"),
        ],
        rows=rows,
        description=(
            f"£{_pounds(settings.CHARGE_NO_SHOW)} per no-show with no reason recorded and "
            f"£{_pounds(settings.CHARGE_LATE_CANCELLATION)} per late cancellation, on events "
            "delivered in the period."
        ),
        decimals={"charge": 2},
    )
