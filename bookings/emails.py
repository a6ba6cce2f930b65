"""Booking emails: what each says. The outbox (messaging) sends each one exactly once."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from bookings import calendar, services
from bookings.models import EVENT_MESSAGE_PURPOSE, Booking, EventMessage
from messaging.outbox import send_once

SUBJECTS = {
    "confirmation": "Your place is booked: {course}",
    "waitlist_joined": "You are on the waiting list: {course}",
    "waitlist_offer": "A place is free for you: {course}",
    "waitlist_offer_lapsed": "Your offer of a place has lapsed: {course}",
    "cancellation": "Your booking is cancelled: {course}",
    "event_cancelled": "Event cancelled: {course}",
    "reminder": "Reminder: {course} is coming up",
    "substituted_out": "Your place has been handed to a colleague: {course}",
    "waitlist_removed": "You are no longer on the waiting list: {course}",
}
PURPOSES = tuple(SUBJECTS)


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
    if purpose.startswith(EVENT_MESSAGE_PURPOSE):
        # The lead's message to the event's delegates (services.event_message_send).
        sent = EventMessage.objects.get(pk=int(purpose.removeprefix(EVENT_MESSAGE_PURPOSE)))
        context["message"] = sent
        body = render_to_string("bookings/email/event_message.txt", context)
        return EmailMessage(subject=sent.subject, body=body, to=[to])
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


def send_booking_email(booking_id: int, purpose: str, recipient_role: str = "delegate") -> bool:
    """Send one booking email at most once; True when this call sent it."""

    def build():
        booking = Booking.objects.select_related("event__course", "person").get(pk=booking_id)
        return build_message(booking, purpose, recipient_role)

    return send_once(booking_id, purpose, recipient_role, build)


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
