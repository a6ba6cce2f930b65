"""Checking import rows (pass 1): every cell of every record, every problem by file and line.

Reads the database (known refs, courses by any title) but writes nothing; what it accepts becomes
typed rows for imports/writers.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from bookings.models import Booking
from core.clock import london_time
from courses.models import Course, Event
from courses.services import course_get_by_any_title
from evaluations.models import Stage
from imports import readers
from imports.readers import (
    BOOKINGS,
    ELEARNING,
    EVALUATIONS,
    EVENTS,
    parse_datetime,
    records,
    utc,
)
from people.models import normalise_name

Progress = Callable[[str], None] | None

AUDIENCES = ("children", "adults", "all")
MODES = {
    "face_to_face": Course.DeliveryMode.FACE_TO_FACE,
    "virtual": Course.DeliveryMode.LIVE_ONLINE,
}
EVENT_STATUSES = {"delivered": Event.Status.DELIVERED, "cancelled": Event.Status.CANCELLED}
BOOKING_STATUSES = {
    "attended": Booking.Status.ATTENDED,
    "no_show": Booking.Status.NO_SHOW,
    "cancelled": Booking.Status.CANCELLED,
    "booked": Booking.Status.CONFIRMED,
    "waitlisted": Booking.Status.WAITLISTED,
}
STAGES = (Stage.PRE.value, Stage.POST.value, Stage.STAGE2.value)
SCORE_MIN, SCORE_MAX = Decimal(1), Decimal(5)


def value_key(value: str) -> str:
    """A value as it is compared: lower case, underscores and hyphens as spaces, spaces single."""
    return " ".join(re.sub(r"[_\-]", " ", value.lower()).split())


def _synonyms(choices, others: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """value_key -> the value the import stores, for the values' own names and their synonyms."""
    table = {value_key(choice): choice for choice in choices}
    for choice, names in others.items():
        table.update((value_key(name), choice) for name in names)
    return table


# Other names for the values, as other systems' exports write them (issue 19), any case.
BOOKING_STATUS_NAMES = _synonyms(
    BOOKING_STATUSES,
    {
        "attended": ("Attended", "Checked in", "Present"),
        "no_show": ("No show", "Did not attend", "DNA", "Absent"),
        "cancelled": ("Cancelled", "Canceled", "Not attending"),
        "waitlisted": ("Waitlisted", "Waiting list"),
    },
)
STAGE_NAMES = _synonyms(
    STAGES,
    {
        "pre": ("Pre", "Pre-course"),
        "post": ("Post", "Post-course"),
        "stage2": ("Stage 2", "Follow-up"),
    },
)
EVENT_STATUS_NAMES = _synonyms(
    EVENT_STATUSES,
    {"delivered": ("Delivered", "Completed", "Ran"), "cancelled": ("Cancelled", "Canceled")},
)
MODE_NAMES = _synonyms(
    MODES,
    {
        "virtual": ("Virtual", "Online", "Live online"),
        "face_to_face": ("Face to face", "In person", "Classroom"),
    },
)
AUDIENCE_NAMES = _synonyms(AUDIENCES, {})

# Row messages, after "<file> line <n>: " or "<file>, sheet <s>, row <n>: " (readers.where).
REQUIRED = "{column} is required"
NOT_ONE_OF = "{column} '{value}' is not one of {choices}"
BAD_DATETIME = (
    "{column} '{value}' is not a date and time: write it as 31/03/2023 09:30 "
    "(day/month/year) or 2023-03-31T09:30"
)
# Never guessed: 06/14/2021 is month/day, and 06/07/21 could be any century.
US_DATE = (
    "{column} '{value}' looks like a US date (month/day): write it as day/month/year "
    "(31/03/2023 09:30) or 2023-03-31T09:30"
)
TWO_DIGIT_YEAR = (
    "{column} '{value}' has a two-digit year: write the year in full (31/03/2023 09:30)"
)
BAD_CAPACITY = "capacity '{value}' is not a positive whole number"
END_NOT_AFTER_START = "end '{end}' is not after start '{start}'"
BAD_EMAIL = "email '{value}' is not a valid email address"
CANCELLED_AT_REQUIRED = "cancelled_at is required when status is cancelled"
CANCELLED_BEFORE_BOOKED = "cancelled_at '{value}' is before booked_at"
COMPLETED_BEFORE_ENROLLED = "completed_at '{value}' is before enrolled_at"
UNKNOWN_EVENT_REF = "event_ref '{value}' is not in events.csv or among the events already imported"
UNKNOWN_BOOKING_REF = (
    "booking_ref '{value}' is not in bookings.csv or among the bookings already imported"
)
# Issue 13: a pre-course answer counts only from before the course.
PRE_AFTER_START = (
    "submitted_at '{value}' is after the event's start ({start}): "
    "a pre-course answer must come before the course"
)
BAD_SCORE = "score '{value}' is not a number from 1 to 5"
DUPLICATE = "{what} appears again (first on line {first})"
ALREADY_ON_EVENT = "email '{email}' already has an active booking on event '{event}' ({where})"
COURSE_IS_ELEARNING = "course '{value}' is an e-learning module: put its records in elearning.csv"
MODULE_NOT_ELEARNING = "module '{value}' is a course with events, not an e-learning module"
MODULE_IN_EVENTS = "module '{value}' is also a course in events.csv"


@dataclass(slots=True)
class EventRow:
    line: int
    ref: str
    course_key: str
    course_title: str
    priority: str
    audience: str
    mode: str
    start: datetime
    end: datetime
    capacity: int
    status: str


@dataclass(slots=True)
class BookingRow:
    line: int
    ref: str
    event_ref: str
    email: str
    name: str
    organisation: str
    booked_at: datetime
    status: str
    cancelled_at: datetime | None
    reason: str


@dataclass(slots=True)
class EvaluationRow:
    line: int
    booking_ref: str
    stage: str
    submitted_at: datetime
    score: Decimal
    comment: str


@dataclass(slots=True)
class ElearningRow:
    line: int
    module_key: str
    module_title: str
    priority: str
    email: str
    name: str
    organisation: str
    enrolled_at: datetime
    completed_at: datetime | None


class _Row:
    """Checks the cells of one record, collecting messages prefixed with file and line."""

    __slots__ = ("values", "prefix", "errors", "ok")

    def __init__(self, prefix: str, values: dict[str, str], errors: list[str]):
        self.values = values
        self.prefix = prefix
        self.errors = errors
        self.ok = True

    def error(self, message: str) -> None:
        self.errors.append(self.prefix + message)
        self.ok = False

    def text(self, column: str, *, required: bool = True) -> str:
        value = self.values.get(column, "")
        if required and not value:
            self.error(REQUIRED.format(column=column))
        return value

    def choice(self, column: str, names: dict[str, str]) -> str:
        """The stored value for a cell written as any of `names` (see _synonyms)."""
        value = self.text(column)
        if not value:
            return ""
        choice = names.get(value_key(value))
        if choice is None:
            choices = ", ".join(dict.fromkeys(names.values()))
            self.error(NOT_ONE_OF.format(column=column, value=value, choices=choices))
            return ""
        return choice

    def moment(self, column: str, *, required: bool = True) -> datetime | None:
        value = self.text(column, required=required)
        if not value:
            return None
        moment = parse_datetime(value)
        if moment is None:
            problem = readers.date_problem(value)
            message = {"us": US_DATE, "two-digit year": TWO_DIGIT_YEAR}.get(problem, BAD_DATETIME)
            self.error(message.format(column=column, value=value))
        return moment

    def email(self, valid: set[str]) -> str:
        value = self.text("email").lower()
        if value and value not in valid:
            try:
                validate_email(value)
            except ValidationError:
                self.error(BAD_EMAIL.format(value=self.values["email"]))
                return ""
            valid.add(value)
        return value


class Checker:
    """Pass 1: parse and check every row of every file, resolving nothing that writes."""

    def __init__(
        self,
        texts: dict[str, readers.Table],
        unreadable: set[str],
        errors: list[str],
        progress: Progress,
        mapping: readers.ColumnMapping | None = None,
    ):
        self.texts = texts
        # The lead's choice of field for some columns, by file (readers.header_mapping).
        self.mapping = mapping or {}
        self.where = {name: readers.where(name, table) for name, table in texts.items()}
        self.errors = errors
        self.progress = progress
        self.valid_emails: set[str] = set()
        self.counts: dict[str, int] = {}
        self.events: list[EventRow] = []
        self.bookings: list[BookingRow] = []
        self.evaluations: list[EvaluationRow] = []
        self.elearning: list[ElearningRow] = []
        self.course_titles: dict[str, Course | None] = {}
        # Files that could not be read (not UTF-8, columns missing): refs into them are not checked.
        self.unreadable: set[str] = set(unreadable)

    def _rows(self, name: str) -> Iterator[tuple[int, dict[str, str]]]:
        count = 0
        rows = records(name, self.texts[name], self.errors, self.unreadable, self.mapping.get(name))
        for line, values in rows:
            count += 1
            if self.progress and count % readers.PROGRESS_EVERY == 0:
                self.progress(f"Checking {name}: {count:,} rows")
            yield line, values
        self.counts[name] = count

    def course(self, title: str) -> Course | None:
        key = normalise_name(title)
        if key not in self.course_titles:
            self.course_titles[key] = course_get_by_any_title(title)
        return self.course_titles[key]

    def run(self) -> None:
        if EVENTS in self.texts:
            self.check_events()
        if BOOKINGS in self.texts:
            self.check_bookings()
        if EVALUATIONS in self.texts:
            self.check_evaluations()
        if ELEARNING in self.texts:
            self.check_elearning()

    def check_events(self) -> None:
        seen: dict[str, int] = {}
        self.event_refs: set[str] = set()
        for line, values in self._rows(EVENTS):
            row = _Row(self.where[EVENTS](line), values, self.errors)
            ref = row.text("event_ref")
            title = " ".join(row.text("course").split())
            priority = " ".join(row.text("priority").split())
            audience = row.choice("audience", AUDIENCE_NAMES)
            mode = row.choice("mode", MODE_NAMES)
            start = row.moment("start")
            end = row.moment("end")
            capacity_text = row.text("capacity")
            status = row.choice("status", EVENT_STATUS_NAMES)
            if ref:
                if ref in seen:
                    row.error(DUPLICATE.format(what=f"event_ref '{ref}'", first=seen[ref]))
                else:
                    seen[ref] = line
                    self.event_refs.add(ref)
            if start and end and utc(end) <= utc(start):
                row.error(END_NOT_AFTER_START.format(end=values["end"], start=values["start"]))
            capacity = 0
            if capacity_text:
                try:
                    capacity = int(capacity_text)
                except ValueError:
                    capacity = 0
                if capacity < 1:
                    row.error(BAD_CAPACITY.format(value=capacity_text))
            if title:
                course = self.course(title)
                if course is not None and course.is_elearning:
                    row.error(COURSE_IS_ELEARNING.format(value=title))
            if row.ok:
                self.events.append(
                    EventRow(
                        line,
                        ref,
                        normalise_name(title),
                        title,
                        priority,
                        audience,
                        mode,
                        start,
                        end,
                        capacity,
                        status,
                    )  # fmt: skip
                )

    def check_bookings(self) -> None:
        file_events = getattr(self, "event_refs", set())
        known_events = file_events | set(
            Event.objects.filter(external_ref__isnull=False).values_list("external_ref", flat=True)
        )
        # Who already holds an active booking on an imported event, to refuse a second one here
        # (one active booking per person and event is a database constraint).
        active: dict[tuple[str, str], str] = {}
        for event_ref, email, booking_ref in Booking.objects.filter(
            status__in=Booking.ACTIVE, event__external_ref__isnull=False
        ).values_list("event__external_ref", "person__email", "external_ref"):
            active[(event_ref, email.lower())] = booking_ref or ""
        active_here: dict[tuple[str, str], int] = {}
        seen: dict[str, int] = {}
        self.booking_refs: set[str] = set()
        for line, values in self._rows(BOOKINGS):
            row = _Row(self.where[BOOKINGS](line), values, self.errors)
            ref = row.text("booking_ref")
            event_ref = row.text("event_ref")
            email = row.email(self.valid_emails)
            name = " ".join(row.text("name", required=False).split())
            organisation = " ".join(row.text("organisation", required=False).split())
            booked_at = row.moment("booked_at")
            status = row.choice("status", BOOKING_STATUS_NAMES)
            cancelled_at = row.moment("cancelled_at", required=False)
            reason = " ".join(row.text("cancellation_reason", required=False).split())
            if ref:
                if ref in seen:
                    row.error(DUPLICATE.format(what=f"booking_ref '{ref}'", first=seen[ref]))
                else:
                    seen[ref] = line
                    self.booking_refs.add(ref)
            if event_ref and event_ref not in known_events and EVENTS not in self.unreadable:
                row.error(UNKNOWN_EVENT_REF.format(value=event_ref))
            if status == "cancelled":
                if not values.get("cancelled_at"):
                    row.error(CANCELLED_AT_REQUIRED)
                elif cancelled_at and booked_at and utc(cancelled_at) < utc(booked_at):
                    row.error(CANCELLED_BEFORE_BOOKED.format(value=values["cancelled_at"]))
            else:
                cancelled_at = None
            if status and status != "cancelled" and event_ref and email:
                key = (event_ref, email)
                if key in active_here:
                    where = f"line {active_here[key]}"
                    row.error(ALREADY_ON_EVENT.format(email=email, event=event_ref, where=where))
                elif key in active and active[key] != ref:
                    where = f"booking '{active[key]}'" if active[key] else "a booking in the app"
                    row.error(ALREADY_ON_EVENT.format(email=email, event=event_ref, where=where))
                else:
                    active_here[key] = line
            if row.ok:
                self.bookings.append(
                    BookingRow(
                        line,
                        ref,
                        event_ref,
                        email,
                        name,
                        organisation,
                        booked_at,
                        BOOKING_STATUSES[status],
                        cancelled_at,
                        reason,
                    )  # fmt: skip
                )

    def check_evaluations(self) -> None:
        file_bookings = getattr(self, "booking_refs", set())
        # booking_ref -> its event's start (UTC), the files' own rows over what was imported before.
        starts: dict[str, datetime] = dict(
            Booking.objects.filter(external_ref__isnull=False).values_list(
                "external_ref", "event__start"
            )
        )
        known = set(starts)
        event_starts: dict[str, datetime] = dict(
            Event.objects.filter(external_ref__isnull=False).values_list("external_ref", "start")
        )
        event_starts.update((e.ref, utc(e.start)) for e in self.events)
        for b in self.bookings:
            if b.event_ref in event_starts:
                starts[b.ref] = event_starts[b.event_ref]
        seen: dict[tuple[str, str], int] = {}
        for line, values in self._rows(EVALUATIONS):
            row = _Row(self.where[EVALUATIONS](line), values, self.errors)
            booking_ref = row.text("booking_ref")
            stage = row.choice("stage", STAGE_NAMES)
            submitted_at = row.moment("submitted_at")
            score_text = row.text("score")
            # Excel keeps line breaks inside a cell as CRLF in a CRLF file: store them as LF.
            comment = row.text("comment", required=False).replace("\r\n", "\n")
            if (
                booking_ref
                and booking_ref not in file_bookings
                and booking_ref not in known
                and BOOKINGS not in self.unreadable
            ):
                row.error(UNKNOWN_BOOKING_REF.format(value=booking_ref))
            start = starts.get(booking_ref)
            if stage == "pre" and submitted_at and start and utc(submitted_at) > start:
                row.error(
                    PRE_AFTER_START.format(
                        value=values["submitted_at"], start=f"{london_time(start):%Y-%m-%d %H:%M}"
                    )
                )
            score = None
            if score_text:
                try:
                    score = Decimal(score_text)
                except InvalidOperation:
                    score = None
                if score is None or not score.is_finite() or not SCORE_MIN <= score <= SCORE_MAX:
                    row.error(BAD_SCORE.format(value=score_text))
            if booking_ref and stage:
                key = (booking_ref, stage)
                if key in seen:
                    what = f"booking_ref '{booking_ref}' with stage '{stage}'"
                    row.error(DUPLICATE.format(what=what, first=seen[key]))
                else:
                    seen[key] = line
            if row.ok:
                score = score.quantize(Decimal("0.01"))
                self.evaluations.append(
                    EvaluationRow(line, booking_ref, stage, submitted_at, score, comment)
                )

    def check_elearning(self) -> None:
        event_courses = {r.course_key for r in self.events}
        seen: dict[tuple[str, str, datetime], int] = {}
        for line, values in self._rows(ELEARNING):
            row = _Row(self.where[ELEARNING](line), values, self.errors)
            title = " ".join(row.text("module").split())
            priority = " ".join(row.text("priority").split())
            email = row.email(self.valid_emails)
            name = " ".join(row.text("name", required=False).split())
            organisation = " ".join(row.text("organisation", required=False).split())
            enrolled_at = row.moment("enrolled_at")
            completed_at = row.moment("completed_at", required=False)
            key = normalise_name(title)
            if title:
                course = self.course(title)
                if course is not None and not course.is_elearning:
                    row.error(MODULE_NOT_ELEARNING.format(value=title))
                elif course is None and key in event_courses:
                    row.error(MODULE_IN_EVENTS.format(value=title))
            if completed_at and enrolled_at and utc(completed_at) < utc(enrolled_at):
                row.error(COMPLETED_BEFORE_ENROLLED.format(value=values["completed_at"]))
            if title and email and enrolled_at:
                dedupe = (key, email, utc(enrolled_at))
                if dedupe in seen:
                    what = "module, email and enrolled_at"
                    row.error(DUPLICATE.format(what=what, first=seen[dedupe]))
                else:
                    seen[dedupe] = line
            if row.ok:
                self.elearning.append(
                    ElearningRow(
                        line,
                        key,
                        title,
                        priority,
                        email,
                        name,
                        organisation,
                        enrolled_at,
                        completed_at,
                    )  # fmt: skip
                )
