"""Reads that depend on the user."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from bookings.models import Booking, BookingLog, CancellationReason, Enrolment
from courses.models import Course, Event

if TYPE_CHECKING:
    from people.models import User


def booking_list_for_person(person: User) -> QuerySet[Booking]:
    """All of a person's bookings, newest event first, with what the pages show."""
    return (
        Booking.objects.filter(person=person)
        .select_related("event__course__priority_area", "organisation")
        .order_by("-event__start")
    )


def event_list_for_register(user: User) -> QuerySet[Event]:
    """Events whose register `user` may open: their own as trainer, every event for the lead."""
    events = Event.objects.select_related("course").exclude(status=Event.Status.CANCELLED)
    if not user.is_lead:
        events = events.filter(trainers=user)
    return events.order_by("-start")


def split_upcoming_past(bookings):
    now = timezone.now()
    upcoming = [b for b in bookings if b.event.end >= now]
    past = [b for b in bookings if b.event.end < now]
    return upcoming[::-1], past


def booking_get_for_person(person: User, booking_id: int) -> Booking:
    """The person's own booking; the same 404 for "missing" and "not yours"."""
    return get_object_or_404(
        Booking.objects.select_related("event__course", "organisation"),
        pk=booking_id,
        person=person,
    )


# --- pages added with the booking journey ----------------------------------------------------

# Delegates who appear on a register: holding a place or already marked (cancelled ones are shown
# separately so a trainer can reinstate someone who came after all).
ON_REGISTER = (
    Booking.Status.CONFIRMED,
    Booking.Status.ATTENDED,
    Booking.Status.PARTIAL,
    Booking.Status.NO_SHOW,
)


def event_get_for_booking(event_id: int) -> Event:
    """An event of a published course, for the booking form; 404 otherwise."""
    return get_object_or_404(
        Event.objects.select_related("course"), pk=event_id, course__is_published=True
    )


def booking_get_attended_for_person(person: User, booking_id: int) -> Booking:
    """The person's own fully attended booking (the only kind with a certificate), else 404."""
    return get_object_or_404(
        Booking.objects.select_related("event__course", "organisation", "person"),
        pk=booking_id,
        person=person,
        status=Booking.Status.ATTENDED,
    )


def certificate_booking_by_reference(reference: str) -> Booking | None:
    """The fully attended booking a genuine certificate reference names, else None."""
    from bookings.certificates import booking_id_from_reference, certificate_for

    booking_id = booking_id_from_reference(reference)
    if booking_id is None:
        return None
    booking = (
        Booking.objects.select_related("event__course", "organisation", "person")
        .filter(pk=booking_id, status=Booking.Status.ATTENDED)
        .first()
    )
    if booking is None or not certificate_for(booking).earned:
        return None
    return booking


def booking_get_for_lead(booking_id: int) -> Booking:
    """Any booking, for the L&D lead's pages (the view checks the role)."""
    return get_object_or_404(
        Booking.objects.select_related("event__course", "person", "organisation"), pk=booking_id
    )


def event_get_for_lead(event_id: int) -> Event:
    """Any event, for the L&D lead's pages (the view checks the role)."""
    return get_object_or_404(Event.objects.select_related("course"), pk=event_id)


def event_get_for_register(user: User, event_id: int) -> Event:
    """An event whose register `user` may see: its trainers and the L&D lead; 404 for the rest."""
    event = Event.objects.select_related("course").filter(pk=event_id).first()
    if event is None:
        raise Http404("No such event")
    if not user.is_authenticated:
        raise Http404("No such event")
    if user.is_lead:
        return event
    if event.trainers.filter(pk=user.pk).exists():
        return event
    raise Http404("No such event")


def register_bookings(event: Event) -> tuple[list[Booking], list[Booking]]:
    """(delegates on the register, cancelled bookings), each sorted by name, in one query."""
    bookings = list(
        Booking.objects.filter(event=event, status__in=(*ON_REGISTER, Booking.Status.CANCELLED))
        .select_related("person", "organisation", "non_attendance_reason", "cancellation_reason")
        .order_by("person__full_name", "person__email", "id")
    )
    # A person who cancelled and booked again is on the register once, under the active booking.
    active_people = {b.person_id for b in bookings if b.status != Booking.Status.CANCELLED}
    on_register = [b for b in bookings if b.status != Booking.Status.CANCELLED]
    cancelled = [
        b
        for b in bookings
        if b.status == Booking.Status.CANCELLED and b.person_id not in active_people
    ]
    return on_register, cancelled


LOG_ACTION_LABELS = {
    "book": "Booked",
    "accept_offer": "Took an offered place",
    "offer": "Offered a place",
    "offer_lapsed": "Offer lapsed",
    "cancel": "Cancelled",
    "substitute": "Handed to a colleague",
    "substitute_in": "Took a colleague's place",
    "move": "Moved to another date",
    "moved_in": "Moved from another date",
    "attendance": "Register",
    "reinstate_and_mark": "Reinstated on the register",
    "walk_in": "Walk-in added",
}


def register_history(event: Event, *, limit: int = 200) -> list[BookingLog]:
    """The event's booking changes, newest first, with labels people read (not status codes)."""
    entries = list(
        BookingLog.objects.filter(booking__event=event)
        .select_related("actor", "booking__person")
        .order_by("-at", "-id")[:limit]
    )
    labels = dict(Booking.Status.choices)
    for entry in entries:
        entry.action_label = LOG_ACTION_LABELS.get(entry.action, entry.action.replace("_", " "))
        entry.from_label = labels.get(entry.from_status, entry.from_status)
        entry.to_label = labels.get(entry.to_status, entry.to_status)
    return entries


def non_attendance_reasons() -> QuerySet[CancellationReason]:
    """Reasons the register offers for not attending."""
    return CancellationReason.objects.filter(
        is_active=True,
        use__in=(CancellationReason.Use.NON_ATTENDANCE, CancellationReason.Use.BOTH),
    )


def waitlist_position(booking: Booking) -> int | None:
    """1 for the first in line; None when the booking is not waiting."""
    if booking.status != Booking.Status.WAITLISTED:
        return None
    ahead = Booking.objects.filter(
        event_id=booking.event_id, status=Booking.Status.WAITLISTED
    ).filter(
        Q(created_at__lt=booking.created_at) | Q(created_at=booking.created_at, id__lt=booking.id)
    )
    return ahead.count() + 1


def waitlist_positions(bookings) -> dict[int, int]:
    """{booking id: place in the queue} for the waiting-list bookings given, in one query."""
    waiting = [b for b in bookings if b.status == Booking.Status.WAITLISTED]
    if not waiting:
        return {}
    queue = Booking.objects.filter(
        event_id__in={b.event_id for b in waiting}, status=Booking.Status.WAITLISTED
    ).order_by("event_id", "created_at", "id")
    positions, counter, wanted = {}, {}, {b.pk for b in waiting}
    for booking_id, event_id in queue.values_list("id", "event_id"):
        counter[event_id] = counter.get(event_id, 0) + 1
        if booking_id in wanted:
            positions[booking_id] = counter[event_id]
    return positions


def enrolment_list_for_person(person: User) -> QuerySet[Enrolment]:
    """The person's e-learning enrolments, open ones first."""
    return (
        Enrolment.objects.filter(person=person)
        .select_related("course")
        .order_by(F("completed_at").desc(nulls_first=True), "-enrolled_at")
    )


def elearning_course_get(course_id: int) -> Course:
    """A published e-learning module, or 404."""
    return get_object_or_404(
        Course.objects.published(), pk=course_id, delivery_mode=Course.DeliveryMode.ELEARNING
    )


def move_targets(booking: Booking) -> QuerySet[Event]:
    """Other upcoming, bookable dates of the booking's course."""
    return (
        Event.objects.upcoming()
        .bookable()
        .filter(course_id=booking.event.course_id)
        .exclude(pk=booking.event_id)
        .select_related("course")
        .order_by("start")
    )
