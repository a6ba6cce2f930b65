"""Booking emails: the outbox claim that sends each (booking, purpose, recipient) at most once."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import F, Max, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from bookings import calendar, services
from bookings.models import Booking, OutboundEmail

logger = logging.getLogger(__name__)

SUBJECTS = {
    "confirmation": "Your place is booked: {course}",
    "waitlist_joined": "You are on the waiting list: {course}",
    "waitlist_offer": "A place is free for you: {course}",
    "waitlist_offer_lapsed": "Your offer of a place has lapsed: {course}",
    "cancellation": "Your booking is cancelled: {course}",
    "event_cancelled": "Event cancelled: {course}",
    "reminder": "Reminder: {course} is coming up",
    "substituted_out": "Your place has been handed to a colleague: {course}",
}
PURPOSES = tuple(SUBJECTS)


BOOKING_TASK = "bookings.tasks.send_booking_email"


def outbox_record(
    *,
    booking_id: int,
    purpose: str,
    recipient_role: str = "delegate",
    task: str = BOOKING_TASK,
    invitation_id: int | None = None,
) -> OutboundEmail:
    """Record, inside the caller's transaction, that this email is owed (sent later, once)."""
    row, _ = OutboundEmail.objects.get_or_create(
        booking_id=booking_id,
        purpose=purpose,
        recipient_role=recipient_role,
        defaults={"task": task, "invitation_id": invitation_id},
    )
    return row


def outbox_enqueue(row: OutboundEmail) -> bool:
    """Hand the row's email to the task queue; False (logged) when the broker is down.

    Never raises: the change that owed the email is committed, and the sweeper
    (`requeue_stuck`) tries again later.
    """
    from django_q.tasks import async_task

    args = [row.booking_id, row.purpose, row.recipient_role]
    if row.invitation_id is not None:
        args.append(row.invitation_id)
    try:
        async_task(row.task, *args, task_name=f"email-{row.booking_id}-{row.purpose}")
    except Exception:  # noqa: BLE001 - a broker outage must not turn a saved booking into a 500
        logger.exception("Could not queue email %s; the outbox sweeper will retry", row.pk)
        return False
    return True


def requeue_stuck(*, now=None) -> int:
    """Queue again every email still owed: never picked up, failed, or claimed by a dead worker."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.EMAIL_CLAIM_STALE_SECONDS)
    waiting = now - timedelta(seconds=settings.EMAIL_PENDING_RESEND_SECONDS)
    pending = Q(state=OutboundEmail.State.PENDING, created_at__lt=waiting)
    overtaken = _overtaken_before(now)
    if overtaken is not None:
        pending |= Q(state=OutboundEmail.State.PENDING, created_at__lt=overtaken)
    stuck = OutboundEmail.objects.filter(
        pending
        | Q(state=OutboundEmail.State.FAILED, attempts__lt=settings.EMAIL_MAX_ATTEMPTS)
        | Q(state=OutboundEmail.State.SENDING, claimed_at__lt=stale)
    )
    return sum(outbox_enqueue(row) for row in stuck)


def _overtaken_before(now) -> datetime | None:
    """Pending emails owed before this moment were skipped: lost, not waiting their turn.

    The broker hands tasks out in the order they were queued (on commit, so in the order the
    rows were written). An email owed after a pending one and claimed more than
    EMAIL_OVERTAKEN_SECONDS ago means the pending one's task was handed out and lost (e.g. it
    sat in a killed worker's prefetch) or never queued: no need to wait the full
    EMAIL_PENDING_RESEND_SECONDS, which a long queue after a big burst can take. A wrong guess
    costs one spare task, never a second email (the claim).
    """
    oldest = (
        OutboundEmail.objects.filter(state=OutboundEmail.State.PENDING)
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    if oldest is None:
        return None
    cut = now - timedelta(seconds=settings.EMAIL_OVERTAKEN_SECONDS)
    return (
        OutboundEmail.objects.filter(created_at__gt=oldest, claimed_at__lt=cut)
        .exclude(state=OutboundEmail.State.PENDING)
        .aggregate(newest=Max("created_at"))["newest"]
    )


def outbox_claim(
    *, booking_id: int, purpose: str, recipient_role: str = "delegate", now=None
) -> OutboundEmail | None:
    """Claim the right to send this email; None when it was sent or another worker holds it."""
    now = now or timezone.now()
    row = outbox_record(booking_id=booking_id, purpose=purpose, recipient_role=recipient_role)
    stale = now - timedelta(seconds=settings.EMAIL_CLAIM_STALE_SECONDS)
    claimed = (
        OutboundEmail.objects.filter(pk=row.pk)
        .filter(
            Q(state__in=[OutboundEmail.State.PENDING, OutboundEmail.State.FAILED])
            | Q(state=OutboundEmail.State.SENDING, claimed_at__lt=stale)  # its worker died
        )
        .update(state=OutboundEmail.State.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return None
    row.refresh_from_db()
    return row


def outbox_mark(row: OutboundEmail, *, sent: bool) -> None:
    OutboundEmail.objects.filter(pk=row.pk).update(
        state=OutboundEmail.State.SENT if sent else OutboundEmail.State.FAILED,
        sent_at=timezone.now() if sent else None,
    )


def build_message(booking: Booking, purpose: str, recipient_role: str) -> EmailMessage | None:
    """Render the email for this booking, or None when there is no one to send it to.

    None too for an offer whose event was cancelled before the email went: the offer was
    withdrawn (services.event_cancel) and the "event cancelled" email says so.
    """
    to = booking.person.email if recipient_role == "delegate" else booking.line_manager_email
    if not to:
        return None
    event = booking.event
    if purpose == "waitlist_offer" and event.status == event.Status.CANCELLED:
        return None
    context = {
        "booking": booking,
        "event": event,
        "course": event.course,
        "person": booking.person,
        "recipient_role": recipient_role,
        "site_url": settings.SITE_URL,
        "partnership_name": settings.PARTNERSHIP_NAME,
        "event_url": settings.SITE_URL + reverse("courses:event", args=[event.pk]),
        "my_training_url": settings.SITE_URL + reverse("bookings:my_training"),
        # Sent after the offer was taken or lapsed (a retry): My training says what happened.
        "offer_url": settings.SITE_URL + reverse("bookings:my_training"),
    }
    if purpose == "waitlist_offer" and booking.offer_key:
        token = services.offer_link_token(booking)
        context["offer_url"] = settings.SITE_URL + reverse("bookings:offer", args=[token])
    body = render_to_string(f"bookings/email/{purpose}.txt", context)
    subject = SUBJECTS[purpose].format(course=event.course.title)
    message = EmailMessage(subject=subject, body=body, to=[to])
    # A line manager's address is not proved: no calendar invite goes to it.
    if (
        purpose in ("confirmation", "cancellation", "event_cancelled")
        and recipient_role == "delegate"
    ):
        method = "REQUEST" if purpose == "confirmation" else "CANCEL"
        message.attach(
            "invite.ics",
            calendar.booking_ics(booking, method=method),
            f"text/calendar; method={method}",
        )
    return message


def send_once(booking_id: int, purpose: str, recipient_role: str, build) -> bool:
    """Send the email `build(booking)` makes at most once per (booking, purpose, recipient).

    True when this call sent it. Any app's emails about a booking go through here.
    """
    row = outbox_claim(booking_id=booking_id, purpose=purpose, recipient_role=recipient_role)
    if row is None:
        return False
    booking = Booking.objects.select_related("event__course", "person").get(pk=booking_id)
    try:
        message = build(booking)
        if message is not None:
            message.send()
    except Exception:
        outbox_mark(row, sent=False)
        raise  # django-q2 retries a finite number of times
    outbox_mark(row, sent=True)
    return True


def send_booking_email(booking_id: int, purpose: str, recipient_role: str = "delegate") -> bool:
    """Send one booking email at most once; True when this call sent it."""
    return send_once(
        booking_id, purpose, recipient_role, lambda b: build_message(b, purpose, recipient_role)
    )


def reminders_due(*, now=None) -> list[int]:
    """Confirmed bookings whose event starts within the reminder window and have no reminder."""
    now = now or timezone.now()
    window_end = now + timedelta(days=settings.BOOKING_REMINDER_DAYS)
    return list(
        Booking.objects.filter(
            status=Booking.Status.CONFIRMED,
            event__status="scheduled",
            event__start__gt=now,
            event__start__lte=window_end,
        )
        .exclude(emails__purpose="reminder")
        .values_list("id", flat=True)
    )
