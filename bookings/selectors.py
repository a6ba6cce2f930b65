"""Reads that depend on the user."""

from django.db.models import QuerySet
from django.utils import timezone

from bookings.models import Booking
from courses.models import Event


def booking_list_for_person(person) -> QuerySet[Booking]:
    """All of a person's bookings, newest event first, with what the pages show."""
    return (
        Booking.objects.filter(person=person)
        .select_related("event__course__priority_area", "organisation")
        .order_by("-event__start")
    )


def event_list_for_register(user) -> QuerySet[Event]:
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


def booking_get_for_person(person, booking_id: int) -> Booking:
    """The person's own booking; the same 404 for "missing" and "not yours"."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        Booking.objects.select_related("event__course", "organisation"),
        pk=booking_id,
        person=person,
    )
