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
from core.mail import compose
from messaging.outbox import send_once
from people import reminders

# Emails a person may turn off (people.reminders); every other booking email always goes.
REMINDER_PURPOSES = frozenset({"reminder"})
# Emails due only while the booking holds its place and the event goes ahead.
STILL_HELD_PURPOSES = frozenset({"confirmation", "reminder", "event_updated"})

SUBJECTS = {
    "confirmation": "Your place is booked: {course}",
    "waitlist_joined": "You are on the waiting list: {course}",
    "waitlist_offer": "A place is free for you: {course}",
    "waitlist_offer_lapsed": "Your offer of a place has lapsed: {course}",
    "cancellation": "Your booking is cancelled: {course}",
    "event_cancelled": "Event cancelled: {course}",
    "reminder": "Reminder: {course} is coming up",
    "substituted_out": "Your place has been handed to a colleague: {course}",
    "moved_out": "Your place has moved to another date: {course}",
    # Owed as "event_updated-<sequence>", one per change (services.event_details_change).
    "event_updated": "Your course has changed: {course}",
    "waitlist_removed": "You are no longer on the waiting list: {course}",
}
PURPOSES = tuple(SUBJECTS)


def purpose_kind(purpose: str) -> str:
    """The email a purpose names: "event_updated-3" is the third "event_updated" email."""
    return purpose.split("-", 1)[0]


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
    kind = purpose_kind(purpose)
    # An update, a confirmation or a reminder for a place no longer held (cancelled, handed to a
    # colleague, moved) or for an event since cancelled is no longer due: the email that says
    # so has gone or goes, and "Your place is booked" must not follow it.
    if kind in STILL_HELD_PURPOSES and calendar.current_method(booking) != calendar.REQUEST:
        return None
    # "You are on the waiting list" only while they still are: not after the offer, the place or
    # the withdrawal it would now arrive behind.
    if kind == "waitlist_joined" and booking.status != Booking.Status.WAITLISTED:
        return None
    # A reminder is of a course still to come, for a place still booked.
    if kind in REMINDER_PURPOSES and (
        booking.status != Booking.Status.CONFIRMED or event.start <= timezone.now()
    ):
        return None
    reminder_to = booking.person if recipient_role == "delegate" else None
    if kind in REMINDER_PURPOSES and not reminders.reminders_wanted(reminder_to):
        return None  # turned off by the person: the outbox row is skipped
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
        return compose(subject=sent.subject, text=body, to=[to])
    if kind == "event_updated":
        change = booking.log.filter(action=services.EVENT_CHANGED).order_by("-at", "-pk").first()
        fields = set(change.note.removeprefix("changed: ").split(", ")) if change else set()
        context["changed"] = (
            services.changed_wording(fields) or "the time, place or joining details"
        )
    body = render_to_string(f"bookings/email/{kind}.txt", context)
    subject = SUBJECTS[kind].format(course=event.course.title)
    links = reminders.reminder_links(reminder_to) if kind in REMINDER_PURPOSES else {}
    message = compose(subject=subject, text=body, to=[to], **links)
    # The delegate's only: a line manager's copy is a plain notice (bookings.calendar).
    invite = calendar.email_invite(booking, purpose, recipient_role)
    if invite is not None:
        message.attach(*invite)
    return message


def send_booking_email(booking_id: int, purpose: str, recipient_role: str = "delegate") -> bool:
    """Send one booking email at most once; True when this call sent it."""

    def build():
        booking = Booking.objects.select_related("event__venue", "event__course", "person").get(
            pk=booking_id
        )
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
