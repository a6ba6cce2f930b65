"""Every write to the catalogue: renaming a course, validating and saving an event."""

from __future__ import annotations

from datetime import UTC, date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction

from courses.models import PLACE_HOLDING_STATUSES, Course, CourseName, Event
from courses.selectors import course_get_by_any_title

# Reads used by imports and reports next to the writes below; defined with the other reads.
__all__ = [
    "CourseError",
    "course_get_by_any_title",
    "course_rename",
    "event_save",
    "event_validate",
]

COURSE_TITLE_REQUIRED = "Enter the course's new title"
COURSE_RENAME_SAME_TITLE = "The new title is the same as the current title"
COURSE_TITLE_TAKEN = "Another course is or was called this: choose a different title"
COURSE_RENAME_TO_FORMER_TITLE = (
    "The course was called this before: correct its title history in the names table instead"
)
COURSE_RENAME_BEFORE_CURRENT = (
    "The rename date must be after the day the current title came into use ({since:%d %B %Y})"
)

EVENT_END_NOT_AFTER_START = "The end must be after the start"
EVENT_CAPACITY_BELOW_ONE = "Offer at least 1 place"
EVENT_CAPACITY_BELOW_BOOKED = (
    "{taken} places are already booked: the capacity cannot be less than {taken}"
)


class CourseError(Exception):
    """A catalogue change that was refused; str(error) is the message for the user."""


def _normalise_title(title: str) -> str:
    return " ".join((title or "").split())


@transaction.atomic
def course_rename(*, course: Course, new_title: str, on: date) -> Course:
    """Give the course a new title from `on`, keeping the old one in its name history."""
    new_title = _normalise_title(new_title)
    if not new_title:
        raise CourseError(COURSE_TITLE_REQUIRED)
    course = Course.objects.select_for_update().get(pk=course.pk)
    old_title = course.title
    if new_title == old_title:
        raise CourseError(COURSE_RENAME_SAME_TITLE)
    current = course.names.filter(title=old_title).first()

    if new_title.casefold() == old_title.casefold():
        # A change of capitalisation corrects the title; it is not a new name.
        if current is not None:
            current.title = new_title
            current.save(update_fields=["title"])
    else:
        holder = course_get_by_any_title(new_title)
        if holder is not None and holder.pk != course.pk:
            raise CourseError(COURSE_TITLE_TAKEN)
        if course.names.filter(title__iexact=new_title).exists():
            raise CourseError(COURSE_RENAME_TO_FORMER_TITLE)
        last_day = on - timedelta(days=1)
        if current is None:
            current = CourseName(course=course, title=old_title, valid_from=None)
        if current.valid_from is not None and last_day < current.valid_from:
            raise CourseError(COURSE_RENAME_BEFORE_CURRENT.format(since=current.valid_from))
        current.valid_until = last_day
        current.save()
        CourseName.objects.create(course=course, title=new_title, valid_from=on)

    course.title = new_title
    course.save(update_fields=["title"])
    return course


def event_validate(*, event: Event) -> None:
    """Refuse an event whose times or capacity make no sense; errors are keyed by field."""
    errors: dict[str, str] = {}
    # Compare in UTC: datetimes sharing the Europe/London tzinfo compare by wall clock.
    if event.start and event.end and event.end.astimezone(UTC) <= event.start.astimezone(UTC):
        errors["end"] = EVENT_END_NOT_AFTER_START
    if event.capacity is not None:
        if event.capacity < 1:
            errors["capacity"] = EVENT_CAPACITY_BELOW_ONE
        elif event.pk is not None:
            # Count afresh: a places_taken annotation on the instance may be stale.
            taken = event.bookings.filter(status__in=PLACE_HOLDING_STATUSES).count()
            if event.capacity < taken:
                errors["capacity"] = EVENT_CAPACITY_BELOW_BOOKED.format(taken=taken)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def event_save(*, event: Event) -> Event:
    """Create or update an event, re-checking capacity against bookings under the event's lock."""
    if event.pk is not None:
        # The booking service locks the same row before counting, so a place cannot be taken
        # between this check and the save.
        Event.objects.select_for_update().filter(pk=event.pk).first()
    event_validate(event=event)
    event.save()
    return event
