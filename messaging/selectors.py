"""Reads of the outbox for the lead's page."""

from __future__ import annotations

from django.db.models import QuerySet

from messaging.models import OutboundEmail

PROBLEM_STATES = (OutboundEmail.State.FAILED, OutboundEmail.State.GIVEN_UP)


def outbox_problems(*, event_id: int | None = None) -> QuerySet[OutboundEmail]:
    """Emails that failed (and will be tried again) or were given up, newest first."""
    rows = OutboundEmail.objects.filter(state__in=PROBLEM_STATES)
    if event_id is not None:
        rows = rows.filter(booking__event_id=event_id)
    return rows.select_related("person", "booking__person", "booking__event__course").order_by(
        "-created_at", "-id"
    )


def outbox_problem_events() -> list[tuple[int, str, object, int]]:
    """(event id, course title, start, count) for each event with a failed or given-up email."""
    counts: dict[int, list] = {}
    # A person's email (dates announced, an achievement running out) is about no event.
    rows = OutboundEmail.objects.filter(
        state__in=PROBLEM_STATES, booking__isnull=False
    ).values_list("booking__event_id", "booking__event__course__title", "booking__event__start")
    for event_id, title, start in rows:
        counts.setdefault(event_id, [event_id, title, start, 0])[3] += 1
    return sorted((tuple(c) for c in counts.values()), key=lambda c: c[2])
