"""Every write to the catalogue: renaming a course, validating and saving an event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from courses.models import PLACE_HOLDING_STATUSES, Course, CourseName, Event, EventSession
from courses.selectors import course_get_by_any_title

# Reads used by imports and reports next to the writes below; defined with the other reads.
__all__ = [
    "CourseError",
    "course_get_by_any_title",
    "course_rename",
    "event_save",
    "event_sessions_set",
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
EVENT_TIMES_FROM_SESSIONS = "This event has several sessions: change its times on its sessions page"
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
    errors.update(_times_kept_by_sessions(event))
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
def event_save(*, event: Event) -> Event:
    """Create or update an event, re-checking capacity against bookings under the event's lock."""
    if event.pk is not None:
        # The booking service locks the same row before counting, so a place cannot be taken
        # between this check and the save.
        Event.objects.select_for_update().filter(pk=event.pk).first()
    event_validate(event=event)
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
