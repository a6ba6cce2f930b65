"""Reads for the catalogue pages: querysets with the joins each page needs; per-user reads."""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from courses.models import PLACE_HOLDING_STATUSES, Course, CourseName, Event, EventSession

# Booking statuses under which a person is "on" an event (bookings.Booking.ACTIVE); spelt out here
# because courses must not import bookings.
ACTIVE_BOOKING_STATUSES = ("waitlisted", *PLACE_HOLDING_STATUSES)


def event_list_catalogue() -> QuerySet[Event]:
    """Upcoming bookable events with their course, priority area and places taken, in date order."""
    return (
        Event.objects.upcoming()
        .bookable()
        .select_related("course", "course__priority_area")
        .with_places_taken()
        .order_by("start", "pk")
    )


def event_search_q(text: str) -> Q:
    """Every word of `text` must appear in the title, summary, outcomes or a former title."""
    condition = Q()
    for word in text.split():
        former = CourseName.objects.filter(course=OuterRef("course"), title__icontains=word)
        # Exists (not a join on names) so a course with several former titles cannot multiply rows
        # and inflate the places-taken count.
        condition &= (
            Q(course__title__icontains=word)
            | Q(course__summary__icontains=word)
            | Q(course__learning_outcomes__icontains=word)
            | Exists(former)
        )
    return condition


def course_get_published(*, slug: str) -> Course:
    """A published course by slug with its priority area and titles, or 404."""
    queryset = Course.objects.published().select_related("priority_area")
    try:
        return queryset.prefetch_related("names").get(slug=slug)
    except Course.DoesNotExist:
        raise Http404("No such course") from None


def course_former_titles(course: Course) -> list[str]:
    """Titles the course was known by before its current one, most recent first."""
    names = [n for n in course.names.all() if n.title.casefold() != course.title.casefold()]
    names.sort(key=lambda n: (n.valid_until is not None, n.valid_until), reverse=True)
    return [n.title for n in names]


def event_list_for_course(course: Course) -> QuerySet[Event]:
    """A course's upcoming bookable events with places taken."""
    return (
        Event.objects.upcoming()
        .bookable()
        .filter(course=course)
        .select_related("course")
        .with_places_taken()
        .order_by("start", "pk")
    )


def event_get_for_page(*, pk: int, user) -> Event:
    """An event for its public page, or 404 (events of unpublished courses only for staff)."""
    queryset = (
        Event.objects.select_related("course", "course__priority_area")
        .with_places_taken()
        .prefetch_related(Prefetch("trainers", to_attr="trainer_list"))
    )
    if not (user.is_authenticated and user.is_staff):
        queryset = queryset.filter(course__is_published=True)
    try:
        return queryset.get(pk=pk)
    except Event.DoesNotExist:
        raise Http404("No such event") from None


def event_booking_for_user(*, event: Event, user):
    """The user's active booking (waiting or holding a place) on the event, or None."""
    if not user.is_authenticated:
        return None
    return (
        event.bookings.filter(person=user, status__in=ACTIVE_BOOKING_STATUSES)
        .order_by("-pk")
        .first()
    )


def course_get_by_any_title(title: str) -> Course | None:
    """The course currently or formerly called `title` (case-insensitive, spaces trimmed), or None.

    A current title wins over a former one, so imports across a rename land on one course.
    """
    title = " ".join((title or "").split())
    if not title:
        return None
    current = Course.objects.filter(title__iexact=title).order_by("pk").first()
    if current is not None:
        return current
    name = (
        CourseName.objects.filter(title__iexact=title)
        .select_related("course")
        .order_by(F("valid_until").desc(nulls_first=True), "-pk")
        .first()
    )
    return name.course if name else None


def event_get_for_lead(*, pk: int) -> Event:
    """Any event with its course and sessions, for the L&D lead's pages, or 404."""
    try:
        return (
            Event.objects.select_related("course")
            .prefetch_related(Prefetch("sessions", queryset=EventSession.objects.order_by("order")))
            .get(pk=pk)
        )
    except Event.DoesNotExist:
        raise Http404("No such event") from None
