"""Every write to the catalogue: renaming a course, validating and saving an event."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import slugify

from core.clock import LONDON, is_bank_holiday, london_time, london_today
from courses.models import PLACE_HOLDING_STATUSES, Course, CourseName, Event, EventSession, Venue
from courses.selectors import course_get_by_any_title
from courses.signals import announce_published

if TYPE_CHECKING:
    from people.models import User

logger = logging.getLogger(__name__)

# Reads used by imports and reports next to the writes below; defined with the other reads.
__all__ = [
    "CourseError",
    "course_create",
    "course_get_by_any_title",
    "course_reinstate",
    "course_rename",
    "event_copy_series",
    "event_create",
    "event_publish",
    "event_draft_delete",
    "course_retire",
    "course_update",
    "event_save",
    "event_sessions_set",
    "event_validate",
    "event_warnings",
    "event_series_problems",
    "series_slots",
    "venue_save",
]

COURSE_TITLE_REQUIRED = "Enter the course's new title"
COURSE_RENAME_SAME_TITLE = "The new title is the same as the current title"
COURSE_TITLE_TAKEN = "Another course is or was called this: choose a different title"
COURSE_RENAME_TO_FORMER_TITLE = (
    "The course was called this before: choose a different title (if the earlier rename was a "
    "mistake, an administrator can correct the course's title history)"
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
EVENT_PUBLISH_PASSED = (
    "The date of this draft has passed, so it cannot be published: edit it to a future date first"
)
EVENT_PUBLISH_NOT_DRAFT = "Only a draft can be published: this event is {status}"
EVENT_DELETE_NOT_DRAFT = "Only a draft can be deleted: cancel a published event instead"
EVENT_DELETE_IN_USE = "This draft has bookings or messages, so it cannot be deleted"
EVENT_CAPACITY_BELOW_ONE = "Offer at least 1 place"
EVENT_TIMES_FROM_SESSIONS = "This event has several sessions: change its times on its sessions page"
EVENT_CAPACITY_BELOW_BOOKED = (
    "{taken} places are already booked: the capacity cannot be less than {taken}"
)
EVENT_CAPACITY_BELOW_BOOKED_AND_OFFERED = (
    "{booked} places are booked and {offered} offered to the waiting list: the capacity cannot "
    "be less than {taken}"
)


def capacity_below_taken_message(*, taken: int, offered: int) -> str:
    """Why the capacity cannot go below the places taken, naming offers apart from bookings
    (the event page counts them apart)."""
    if not offered:
        return EVENT_CAPACITY_BELOW_BOOKED.format(taken=taken)
    return EVENT_CAPACITY_BELOW_BOOKED_AND_OFFERED.format(
        booked=taken - offered, offered=offered, taken=taken
    ).replace("1 places are booked", "1 place is booked")


EVENT_CAPACITY_ABOVE_MAX = "Offer at most {most} places"
EVENT_CAPACITY_ABOVE_VENUE = "{venue} holds {most} people: offer at most {most} places"
EVENT_IN_THE_PAST = (
    "The start must be in the future. To record an event that has already happened, "
    "tick \u201cRecording history\u201d"
)
EVENT_ORG_LIMIT_BELOW_ONE = "Allow each organisation at least 1 place, or leave it blank"
EVENT_ORG_LIMIT_ABOVE_CAPACITY = (
    "The limit per organisation cannot be more than the {capacity} places"
)
EVENT_NOTICE_TOO_LONG = "The notice period must be {most} working days or fewer"
EVENT_NOTICE_MAX = 60
EVENT_ONLINE_NEEDS_LINK = "An online venue needs the joining link"
EVENT_VENUE_RETIRED = "This venue is no longer in use: choose another"
WARNING_DUPLICATE = "{course} already has an event starting at this time ({start:%d %B %Y, %H:%M})"
WARNING_BANK_HOLIDAY = "{day:%A %d %B %Y} is a bank holiday in England and Wales"
SERIES_TOO_LONG = "A series can have at most {most} dates"
SERIES_DATE_REFUSED = "{day:%d %B %Y}: {message}"
VENUE_NAME_TAKEN = "There is already a venue called this"
VENUE_ONLINE_ADDRESS = "An online venue has no address or room: clear them, or untick online"
VENUE_ADDRESS_REQUIRED = "Enter the venue's address"


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


def _start_changed(event: Event) -> bool:
    if event.pk is None:
        return True
    stored = Event.objects.filter(pk=event.pk).values_list("start", flat=True).first()
    return stored is None or stored != event.start


def event_validate(*, event: Event, recording_history: bool = False) -> None:
    """Refuse an event whose times, places, limits or venue make no sense; errors by field.

    A start in the past is refused when it is set or changed, unless the lead is recording
    history (an event that already happened); an unchanged past start can still be edited.
    """
    errors: dict[str, str] = {}
    # Compare in UTC: datetimes sharing the Europe/London tzinfo compare by wall clock.
    if event.start and event.end and event.end.astimezone(UTC) <= event.start.astimezone(UTC):
        errors["end"] = EVENT_END_NOT_AFTER_START
    if (
        event.start
        and not recording_history
        and event.start <= timezone.now()
        and _start_changed(event)
    ):
        errors["start"] = EVENT_IN_THE_PAST
    venue = event.venue if event.venue_id is not None else None
    if event.capacity is not None:
        most = settings.EVENT_CAPACITY_MAX
        if event.capacity < 1:
            errors["capacity"] = EVENT_CAPACITY_BELOW_ONE
        elif event.capacity > most:
            errors["capacity"] = EVENT_CAPACITY_ABOVE_MAX.format(most=most)
        elif venue is not None and venue.capacity and event.capacity > venue.capacity:
            errors["capacity"] = EVENT_CAPACITY_ABOVE_VENUE.format(
                venue=venue.name, most=venue.capacity
            )
        elif event.pk is not None:
            # Count afresh: a places_taken annotation on the instance may be stale.
            held = Counter(
                event.bookings.filter(status__in=PLACE_HOLDING_STATUSES).values_list(
                    "status", flat=True
                )
            )
            taken = sum(held.values())
            if event.capacity < taken:
                errors["capacity"] = capacity_below_taken_message(
                    taken=taken, offered=held.get("offered", 0)
                )
    limit = event.places_per_organisation
    if limit is not None:
        if limit < 1:
            errors["places_per_organisation"] = EVENT_ORG_LIMIT_BELOW_ONE
        elif event.capacity is not None and limit > event.capacity:
            errors["places_per_organisation"] = EVENT_ORG_LIMIT_ABOVE_CAPACITY.format(
                capacity=event.capacity
            )
    notice = event.notice_working_days
    if notice is not None and notice > EVENT_NOTICE_MAX:
        errors["notice_working_days"] = EVENT_NOTICE_TOO_LONG.format(most=EVENT_NOTICE_MAX)
    if venue is not None:
        if venue.is_online and not event.joining_link:
            errors["joining_link"] = EVENT_ONLINE_NEEDS_LINK
        if not venue.is_active and (event.pk is None or _venue_changed(event)):
            errors["venue"] = EVENT_VENUE_RETIRED
    errors.update(_times_kept_by_sessions(event))
    if errors:
        raise ValidationError(errors)


def _venue_changed(event: Event) -> bool:
    stored = Event.objects.filter(pk=event.pk).values_list("venue_id", flat=True).first()
    return stored != event.venue_id


def event_warnings(*, event: Event) -> list[str]:
    """What the lead should confirm before saving, though it is allowed: a second event of the
    course at the same start, a start on an England and Wales bank holiday."""
    warnings = []
    if event.start is None:
        return warnings
    same_start = (
        Event.objects.filter(course_id=event.course_id, start=event.start)
        .exclude(status=Event.Status.CANCELLED)
        .exclude(pk=event.pk)
    )
    if event.course_id and same_start.exists():
        warnings.append(
            WARNING_DUPLICATE.format(course=event.course.title, start=london_time(event.start))
        )
    day = london_time(event.start).date()
    # England's calendar (core.clock); Wales has the same bank holidays (holidays' ENG and WLS
    # agree in every year from 2018 to 2035).
    if is_bank_holiday(day):
        warnings.append(WARNING_BANK_HOLIDAY.format(day=day))
    return warnings


@transaction.atomic
def event_create(
    *, event: Event, trainers: Iterable = (), recording_history: bool = False
) -> Event:
    """Save a new event (checked by `event_validate`) with its trainers. A draft
    (`Event.Status.DRAFT`) is announced to nobody until `event_publish`."""
    if event.pk is not None:
        raise ValueError("event_create saves new events only")
    if event.status not in (Event.Status.SCHEDULED, Event.Status.DRAFT):
        raise ValueError("a new event is published (scheduled) or a draft")
    event_validate(event=event, recording_history=recording_history)
    event.save()
    event.trainers.set(trainers)
    announce_published(event)
    return event


@transaction.atomic
def event_publish(*, event: Event, actor: User) -> Event:
    """Publish a draft: checked again (a draft whose date has passed is refused), then scheduled,
    so it is bookable, and `event_published` is sent after the commit. Publishing an event
    already published does nothing (no second announcement)."""
    # Lock the event's row only: the venue is a nullable join PostgreSQL will not lock.
    locked = Event.objects.select_for_update(of=("self",)).select_related("venue").get(pk=event.pk)
    if locked.status == Event.Status.SCHEDULED:
        return locked
    if locked.status != Event.Status.DRAFT:
        raise ValidationError(
            EVENT_PUBLISH_NOT_DRAFT.format(status=locked.get_status_display().lower())
        )
    if locked.start <= timezone.now():
        raise ValidationError({"start": EVENT_PUBLISH_PASSED})
    event_validate(event=locked)
    locked.status = Event.Status.SCHEDULED
    locked.save(update_fields=["status"])
    event.status = locked.status
    logger.info("event %s published by user %s", locked.pk, actor.pk)
    announce_published(locked)
    return locked


@transaction.atomic
def event_draft_delete(*, event: Event, actor: User) -> None:
    """Delete a draft the lead no longer wants: never published, so nobody knew of it and no
    record depends on it (a published event is cancelled instead, and stays on record)."""
    locked = Event.objects.select_for_update().get(pk=event.pk)
    if locked.status != Event.Status.DRAFT:
        raise ValidationError(EVENT_DELETE_NOT_DRAFT)
    if locked.bookings.exists() or locked.messages.exists():
        raise ValidationError(EVENT_DELETE_IN_USE)
    logger.info("draft event %s deleted by user %s", locked.pk, actor.pk)
    locked.delete()


def series_slots(
    *, first_day: date, start: time, end: time, every_weeks: int = 1, count: int = 1
) -> list[tuple[datetime, datetime]]:
    """(start, end) of `count` dates, `every_weeks` weeks apart from `first_day`, at the same
    London times of day (across a clock change the UTC times move, the wall clock does not)."""
    if count > settings.EVENT_SERIES_MAX:
        raise ValidationError({"count": SERIES_TOO_LONG.format(most=settings.EVENT_SERIES_MAX)})
    days = [first_day + timedelta(weeks=every_weeks * i) for i in range(count)]
    return [
        (datetime.combine(d, start, tzinfo=LONDON), datetime.combine(d, end, tzinfo=LONDON))
        for d in days
    ]


def event_copies(
    *,
    source: Event,
    slots: list[tuple[datetime, datetime]],
    status: str = Event.Status.SCHEDULED,
) -> list[Event]:
    """Unsaved copies of `source` (course, venue, places, link, limits) at each (start, end),
    published (scheduled) or drafts.

    A copy of an event of several sessions has the same sessions (`copy.session_times`, saved by
    `event_copy_series`): on the same days relative to its first, at the same London times, its
    first day the slot's; its start and end are its sessions'."""
    sessions = []
    if source.pk is not None and source.sessions_total is not None:
        sessions = list(source.sessions.order_by("order"))
    first_day = london_time(source.start).date()
    copies = []
    for start, end in slots:
        copy = Event(
            course=source.course,
            start=start,
            end=end,
            venue=source.venue,
            joining_link=source.joining_link,
            joining_instructions=source.joining_instructions,
            capacity=source.capacity,
            places_per_organisation=source.places_per_organisation,
            notice_working_days=source.notice_working_days,
            status=status,
        )
        if sessions:
            offset = london_time(start).date() - first_day
            copy.session_times = [
                (_shifted(session.start, offset), _shifted(session.end, offset))
                for session in sessions
            ]
            copy.start = copy.session_times[0][0]
            copy.end = max((e for _s, e in copy.session_times), key=_utc)
        copies.append(copy)
    return copies


def _shifted(moment: datetime, days: timedelta) -> datetime:
    """The same London wall-clock time, `days` later (across a clock change too)."""
    local = london_time(moment)
    return datetime.combine(local.date() + days, local.time(), tzinfo=LONDON)


def event_series_problems(events: list[Event], *, recording_history: bool = False) -> list[str]:
    """Why each refused date of a series is refused, dated ("5 March 2030: ..."); [] if none."""
    problems = []
    for event in events:
        try:
            event_validate(event=event, recording_history=recording_history)
        except ValidationError as error:
            day = london_time(event.start)
            problems.extend(
                SERIES_DATE_REFUSED.format(day=day, message=message)
                for messages in error.message_dict.values()
                for message in messages
            )
    return problems


@transaction.atomic
def event_copy_series(
    *,
    source: Event,
    slots: list[tuple[datetime, datetime]],
    recording_history: bool = False,
    status: str = Event.Status.SCHEDULED,
) -> list[Event]:
    """Copy `source`, with its trainers, to every (start, end): all of them or, if one date is
    refused, none (the ValidationError lists each refused date). `status` DRAFT saves drafts,
    announced to nobody until published."""
    if status not in (Event.Status.SCHEDULED, Event.Status.DRAFT):
        raise ValueError("a copy is published (scheduled) or a draft")
    copies = event_copies(source=source, slots=slots, status=status)
    problems = event_series_problems(copies, recording_history=recording_history)
    if problems:
        raise ValidationError(problems)
    trainers = list(source.trainers.all())
    for copy in copies:
        copy.save()
        copy.trainers.set(trainers)
        session_times = getattr(copy, "session_times", None)
        if session_times:
            event_sessions_set(copy, session_times)
        announce_published(copy)
    return copies


def venue_validate(*, venue: Venue) -> None:
    errors: dict[str, str] = {}
    name = " ".join((venue.name or "").split())
    if name and Venue.objects.filter(name__iexact=name).exclude(pk=venue.pk).exists():
        errors["name"] = VENUE_NAME_TAKEN
    if venue.is_online and (venue.address.strip() or venue.room.strip()):
        errors["address"] = VENUE_ONLINE_ADDRESS
    if not venue.is_online and not venue.address.strip():
        errors["address"] = VENUE_ADDRESS_REQUIRED
    if errors:
        raise ValidationError(errors)


def _times_kept_by_sessions(event: Event) -> dict[str, str]:
    """An event of several sessions takes its start and end from them (event_sessions_set)."""
    if event.pk is None or not (event.start and event.end):
        return {}
    saved = Event.objects.filter(pk=event.pk, sessions_total__isnull=False).first()
    if saved is None:
        return {}
    errors = {}
    for field in ("start", "end"):
        if _utc(getattr(event, field)) != _utc(getattr(saved, field)):
            errors[field] = EVENT_TIMES_FROM_SESSIONS
    return errors


@transaction.atomic
def venue_save(*, venue: Venue) -> Venue:
    """Create or update a venue; names are unique whatever their case or spacing."""
    venue.name = " ".join(venue.name.split())
    venue_validate(venue=venue)
    venue.save()
    return venue


@transaction.atomic
def event_save(*, event: Event, recording_history: bool = False) -> Event:
    """Create or update an event, re-checking capacity against bookings under the event's lock."""
    if event.pk is not None:
        # The booking service locks the same row before counting, so a place cannot be taken
        # between this check and the save.
        Event.objects.select_for_update().filter(pk=event.pk).first()
    event_validate(event=event, recording_history=recording_history)
    event.save()
    return event


# --- sessions -----------------------------------------------------------------------------------

SESSIONS_NONE = "Add at least one session"
SESSIONS_TOO_MANY = "An event can have at most {most} sessions"
SESSION_START_MISSING = "Enter the session's start"
SESSION_END_MISSING = "Enter the session's end"
SESSION_END_NOT_AFTER_START = "The session's end must be after its start"
SESSION_OVERLAPS = "This session overlaps the session from {start:%d/%m/%Y %H:%M} to {end:%H:%M}"
SESSIONS_ATTENDANCE_RECORDED = (
    "Attendance is already recorded for this event: you can change its sessions' times, but not "
    "add or remove sessions"
)
SESSIONS_MAX = 10
# Booking statuses (bookings.Booking.USED) that record attendance; spelt out here because courses
# must not import bookings.
ATTENDANCE_STATUSES = ("attended", "partial", "no_show")


@dataclass(frozen=True)
class SessionProblem:
    """A refusal of event_sessions_set: `index` in the list given (None: the whole list)."""

    index: int | None
    field: str | None  # "start", "end" or None
    message: str


class EventSessionsError(Exception):
    """The sessions given were refused; `problems` says which and why."""

    def __init__(self, problems: list[SessionProblem]):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def event_sessions_validate(
    times: list[tuple[datetime | None, datetime | None]],
) -> list[SessionProblem]:
    """What is wrong with these sessions' times (nothing: an empty list)."""
    problems: list[SessionProblem] = []
    if not times:
        return [SessionProblem(None, None, SESSIONS_NONE)]
    if len(times) > SESSIONS_MAX:
        problems.append(SessionProblem(None, None, SESSIONS_TOO_MANY.format(most=SESSIONS_MAX)))
    complete = []
    for index, (start, end) in enumerate(times):
        if start is None:
            problems.append(SessionProblem(index, "start", SESSION_START_MISSING))
        if end is None:
            problems.append(SessionProblem(index, "end", SESSION_END_MISSING))
        if start is None or end is None:
            continue
        # Compare in UTC: datetimes sharing the Europe/London tzinfo compare by wall clock.
        if _utc(end) <= _utc(start):
            problems.append(SessionProblem(index, "end", SESSION_END_NOT_AFTER_START))
            continue
        complete.append((index, start, end))
    complete.sort(key=lambda row: (_utc(row[1]), row[0]))
    for (_i, start, end), (index, next_start, _end) in zip(complete, complete[1:], strict=False):
        if _utc(next_start) < _utc(end):
            local_start, local_end = timezone.localtime(start), timezone.localtime(end)
            message = SESSION_OVERLAPS.format(start=local_start, end=local_end)
            problems.append(SessionProblem(index, "start", message))
    return problems


@transaction.atomic
def event_sessions_set(event: Event, times: list[tuple[datetime, datetime]]) -> Event:
    """Give `event` these sessions (any order): one is an ordinary event, several are sessions.

    Keeps the event's start (the first session's), end (the last one's) and sessions_total (the
    sum, blank for one session), so every reader of start, end and duration keeps working. Once
    attendance is recorded, sessions' times may be corrected but none added or removed.
    """
    problems = event_sessions_validate(times)
    if problems:
        raise EventSessionsError(problems)
    event = Event.objects.select_for_update().get(pk=event.pk)
    ordered = sorted(times, key=lambda pair: _utc(pair[0]))
    existing = list(EventSession.objects.filter(event=event).order_by("order"))
    if max(len(existing), 1) != len(ordered) and _attendance_recorded(event):
        raise EventSessionsError([SessionProblem(None, None, SESSIONS_ATTENDANCE_RECORDED)])
    if len(ordered) == 1:
        EventSession.objects.filter(event=event).delete()
        event.sessions_total = None
    else:
        # Rows are reused in order (their attendance stays with them), then added or removed.
        # Orders are moved out of the way first: (event, order) is unique.
        EventSession.objects.filter(event=event).update(order=models.F("order") + 1000)
        for position, (start, end) in enumerate(ordered, start=1):
            if position <= len(existing):
                session = existing[position - 1]
                session.start, session.end, session.order = start, end, position
                session.save(update_fields=["start", "end", "order"])
            else:
                EventSession.objects.create(event=event, start=start, end=end, order=position)
        EventSession.objects.filter(event=event, order__gt=len(ordered)).delete()
        event.sessions_total = sum((_utc(e) - _utc(s) for s, e in ordered), timedelta())
    event.start, event.end = ordered[0][0], max((e for _s, e in ordered), key=_utc)
    event.save(update_fields=["start", "end", "sessions_total"])
    return event


def _attendance_recorded(event: Event) -> bool:
    """Whether any delegate of the event is marked (by booking or by session)."""
    if event.bookings.filter(status__in=ATTENDANCE_STATUSES).exists():
        return True
    return EventSession.objects.filter(event=event, attendance__isnull=False).exists()
