"""Every write to the catalogue: renaming a course, validating and saving an event."""

from __future__ import annotations

from datetime import UTC, date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from core.clock import london_today
from courses.models import PLACE_HOLDING_STATUSES, Course, CourseName, Event
from courses.selectors import course_get_by_any_title

# Reads used by imports and reports next to the writes below; defined with the other reads.
__all__ = [
    "CourseError",
    "course_create",
    "course_get_by_any_title",
    "course_reinstate",
    "course_rename",
    "course_retire",
    "course_update",
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

COURSE_LAUNCH_URL_REQUIRED = "Enter the e-learning module's launch link"
COURSE_LAUNCH_URL_NOT_HTTPS = "Enter a launch link that starts with https://"
COURSE_LAUNCH_URL_NOT_ELEARNING = (
    "Only e-learning modules have a launch link: remove it, or choose e-Learning"
)
COURSE_PREREQUISITE_SELF = "A course cannot be its own prerequisite"
COURSE_PREREQUISITE_CYCLE = "{other} already requires this course: it cannot also be required by it"
COURSE_PREREQUISITE_NOT_LIVE = "{other} is retired: choose a course that is still offered"
COURSE_ALREADY_RETIRED = "This course is already retired"
COURSE_NOT_RETIRED = "This course is not retired"
COURSE_RETIRE_HAS_EVENTS = (
    "This course has {count} upcoming event{s}: cancel or move them before retiring it"
)

# The fields a course is created or edited with (title apart: an edit renames).
COURSE_FIELDS = (
    "summary",
    "learning_outcomes",
    "priority_area",
    "audience",
    "competency_level",
    "delivery_mode",
    "launch_url",
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


def course_unique_slug(title: str, *, exclude_pk: int | None = None) -> str:
    """A slug from the title, made unique with -2, -3, … (the slug stays the same on a rename)."""
    max_length = Course._meta.get_field("slug").max_length
    base = (slugify(title) or "course")[: max_length - 4].strip("-") or "course"
    taken = set(
        Course.objects.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


def course_validate(*, course: Course, prerequisites) -> None:
    """Refuse a course whose launch link or prerequisites make no sense; errors keyed by field."""
    errors: dict[str, str] = {}
    if course.is_elearning:
        if not course.launch_url:
            errors["launch_url"] = COURSE_LAUNCH_URL_REQUIRED
        elif not course.launch_url.lower().startswith("https://"):
            errors["launch_url"] = COURSE_LAUNCH_URL_NOT_HTTPS
    elif course.launch_url:
        errors["launch_url"] = COURSE_LAUNCH_URL_NOT_ELEARNING
    for other in prerequisites:
        if course.pk is not None and other.pk == course.pk:
            errors["prerequisites"] = COURSE_PREREQUISITE_SELF
        elif course.pk is not None and other.prerequisites.filter(pk=course.pk).exists():
            errors["prerequisites"] = COURSE_PREREQUISITE_CYCLE.format(other=other.title)
        elif other.is_retired or not other.is_published:
            if course.pk is None or not course.prerequisites.filter(pk=other.pk).exists():
                errors["prerequisites"] = COURSE_PREREQUISITE_NOT_LIVE.format(other=other.title)
        if "prerequisites" in errors:
            break
    if errors:
        raise ValidationError(errors)


def _title_free(title: str, course: Course | None) -> None:
    holder = course_get_by_any_title(title)
    if holder is not None and (course is None or holder.pk != course.pk):
        raise ValidationError({"title": COURSE_TITLE_TAKEN})


@transaction.atomic
def course_create(*, title: str, prerequisites=(), **fields) -> Course:
    """A new course (live), its slug made from its title."""
    title = _normalise_title(title)
    if not title:
        raise ValidationError({"title": COURSE_TITLE_REQUIRED})
    _title_free(title, None)
    course = Course(title=title, **{k: v for k, v in fields.items() if k in COURSE_FIELDS})
    prerequisites = list(prerequisites)
    course_validate(course=course, prerequisites=prerequisites)
    course.slug = course_unique_slug(title)
    course.save()
    course.prerequisites.set(prerequisites)
    return course


@transaction.atomic
def course_update(*, course: Course, title: str, prerequisites=(), **fields) -> Course:
    """Change a course; a new title goes through course_rename (from today), keeping the old."""
    course = Course.objects.select_for_update().get(pk=course.pk)
    for name, value in fields.items():
        if name in COURSE_FIELDS:
            setattr(course, name, value)
    prerequisites = list(prerequisites)
    course_validate(course=course, prerequisites=prerequisites)
    course.save(update_fields=[n for n in fields if n in COURSE_FIELDS])
    course.prerequisites.set(prerequisites)
    title = _normalise_title(title)
    if not title:
        raise ValidationError({"title": COURSE_TITLE_REQUIRED})
    today = london_today()
    current = course.names.filter(title=course.title).first()
    if title != course.title and current is not None and current.valid_from == today:
        # Renamed earlier today: correct today's title rather than add a second rename.
        _title_free(title, course)
        if course.names.exclude(pk=current.pk).filter(title__iexact=title).exists():
            raise ValidationError({"title": COURSE_RENAME_TO_FORMER_TITLE})
        current.title = title
        current.save(update_fields=["title"])
        course.title = title
        course.save(update_fields=["title"])
    elif title != course.title:
        try:
            course = course_rename(course=course, new_title=title, on=today)
        except CourseError as error:
            raise ValidationError({"title": str(error)}) from None
    return course


@transaction.atomic
def course_retire(*, course: Course, on: date | None = None) -> Course:
    """Stop offering a course: off the catalogue, its events, bookings and names all kept."""
    course = Course.objects.select_for_update().get(pk=course.pk)
    if course.is_retired:
        raise CourseError(COURSE_ALREADY_RETIRED)
    upcoming = course.events.filter(
        status=Event.Status.SCHEDULED, start__gte=timezone.now()
    ).count()
    if upcoming:
        raise CourseError(
            COURSE_RETIRE_HAS_EVENTS.format(count=upcoming, s="" if upcoming == 1 else "s")
        )
    course.retired_on = on or london_today()
    course.is_published = False
    course.save(update_fields=["retired_on", "is_published"])
    return course


@transaction.atomic
def course_reinstate(*, course: Course) -> Course:
    """Offer a retired course again."""
    course = Course.objects.select_for_update().get(pk=course.pk)
    if not course.is_retired:
        raise CourseError(COURSE_NOT_RETIRED)
    course.retired_on = None
    course.is_published = True
    course.save(update_fields=["retired_on", "is_published"])
    return course


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
