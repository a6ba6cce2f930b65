"""The L&D lead's list of cancellation and non-attendance reasons (/manage/cancellation-reasons/):
add, edit, retire and reinstate. Nothing deletes a reason: bookings point at it (PROTECT), and a
retired one is no longer offered but stays on the bookings that gave it."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.shortcuts import get_object_or_404

from bookings.models import Booking, CancellationReason

if TYPE_CHECKING:
    from people.models import User

logger = logging.getLogger(__name__)

REASON_LABEL_REQUIRED = "Enter the reason"
REASON_LABEL_TAKEN = "There is already a reason called this"


def cancellation_reason_list() -> list[CancellationReason]:
    """Every reason in the order people see them, each with `booking_count`, the bookings that
    give it (cancelled or not attended), in three queries."""
    used: dict[int, int] = {}
    for field in ("cancellation_reason", "non_attendance_reason"):
        rows = (
            Booking.objects.filter(**{f"{field}__isnull": False})
            .order_by()
            .values_list(field)
            .annotate(n=Count("id"))
        )
        for reason_id, n in rows:
            used[reason_id] = used.get(reason_id, 0) + n
    reasons = list(CancellationReason.objects.order_by("order", "label"))
    for reason in reasons:
        reason.booking_count = used.get(reason.pk, 0)
    return reasons


def cancellation_reason_get(*, pk: int) -> CancellationReason:
    """One reason, or 404."""
    return get_object_or_404(CancellationReason, pk=pk)


def cancellation_reason_validate(*, reason: CancellationReason) -> None:
    """The rules for a reason, each error on its field."""
    label = " ".join((reason.label or "").split())
    if not label:
        raise ValidationError({"label": REASON_LABEL_REQUIRED})
    if CancellationReason.objects.filter(label__iexact=label).exclude(pk=reason.pk).exists():
        raise ValidationError({"label": REASON_LABEL_TAKEN})


@transaction.atomic
def cancellation_reason_save(*, reason: CancellationReason, actor: User) -> CancellationReason:
    """Create or update a reason (retire it by clearing is_active); labels are unique whatever
    their case or spacing."""
    reason.label = " ".join((reason.label or "").split())
    cancellation_reason_validate(reason=reason)
    created = reason.pk is None
    reason.save()
    logger.info(
        "cancellation reason %s %s by user %s",
        reason.pk,
        "created" if created else "changed",
        actor.pk,
    )
    return reason
