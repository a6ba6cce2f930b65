"""Import past years' training records from CSV files: issue 5's `import_history` contract.

Two passes. First every row of every file is checked and every problem is collected, named by file
and line (the header is line 1; a line is a CSV record, so it matches the row number in Excel).
Only when there are none is anything written, in one transaction, with bulk_create/bulk_update in
batches: a bad row anywhere means nothing is written. Refs are kept as external ids (Event and
Booking.external_ref; an evaluation is keyed by its booking and stage; an e-learning row by module,
person and enrolled_at), so importing the same files again finds every row and changes nothing.

Like reports.demo this is a loader, not a workflow: it writes rows in bulk and sends no emails.
Organisations new to us go through people.services.organisation_get_or_create_by_name, the same
code sign-up uses, so they land in the L&D lead's review list.
"""

from __future__ import annotations

import csv
import io
import os
import secrets
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.text import slugify

from bookings.models import Booking, CancellationReason, Enrolment
from bookings.services import cancellation_deadline
from courses.models import Course, Event, PriorityArea
from courses.services import course_get_by_any_title
from evaluations.models import Answer, Invitation, Item, Questionnaire, Response, Stage
from people.models import Organisation, User, normalise_name
from people.services import organisation_get_or_create_by_name

LONDON = ZoneInfo("Europe/London")
BATCH = 2000
PROGRESS_EVERY = 10_000

EVENTS, BOOKINGS, EVALUATIONS, ELEARNING = (
    "events.csv",
    "bookings.csv",
    "evaluations.csv",
    "elearning.csv",
)
FILE_NAMES = (EVENTS, BOOKINGS, EVALUATIONS, ELEARNING)

# file -> (columns that must be present, columns that may be left out)
COLUMNS = {
    EVENTS: (
        ("event_ref", "course", "priority", "audience", "mode", "start", "end", "capacity"),
        ("status",),
    ),
    BOOKINGS: (
        ("booking_ref", "event_ref", "email", "name", "organisation", "booked_at", "status"),
        ("cancelled_at", "cancellation_reason"),
    ),
    EVALUATIONS: (("booking_ref", "stage", "submitted_at", "score"), ("comment",)),
    ELEARNING: (
        ("module", "priority", "email", "name", "organisation", "enrolled_at"),
        ("completed_at",),
    ),
}
# events.csv's status is in the contract like the other columns: required too.
COLUMNS[EVENTS] = ((*COLUMNS[EVENTS][0], "status"), ())

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

# Messages: "<file> line <n>: " is put in front of the row messages.
ROW_PREFIX = "{file} line {line}: "
NOT_UTF8 = "{file}: is not UTF-8 text; in Excel, save it as “CSV UTF-8 (Comma delimited)”"
UNKNOWN_FILE = "{file}: not one of events.csv, bookings.csv, evaluations.csv, elearning.csv"
MISSING_COLUMNS = "missing column{s} {columns}"
REQUIRED = "{column} is required"
NOT_ONE_OF = "{column} '{value}' is not one of {choices}"
BAD_DATETIME = "{column} '{value}' is not an ISO 8601 date and time (e.g. 2023-03-31T09:30)"
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
BAD_SCORE = "score '{value}' is not a number from 1 to 5"
DUPLICATE = "{what} appears again (first on line {first})"
ALREADY_ON_EVENT = "email '{email}' already has an active booking on event '{event}' ({where})"
COURSE_IS_ELEARNING = "course '{value}' is an e-learning module: put its records in elearning.csv"
MODULE_NOT_ELEARNING = "module '{value}' is a course with events, not an e-learning module"
MODULE_IN_EVENTS = "module '{value}' is also a course in events.csv"
NOTHING_TO_IMPORT = "No events.csv, bookings.csv, evaluations.csv or elearning.csv to import"
SAVE_FAILED = "The import could not be saved, nothing was written: {error}"

IMPORTED_QUESTIONNAIRE_NAME = "Imported (no item answers): {stage}"
IMPORTED_FAMILY = "imported-{stage}"
IMPORTED_COMMENT_ITEM = "Comment (imported)"
IMPORTED_COURSE_SUMMARY = "Imported from past training records."

Source = str | os.PathLike | Mapping[str, bytes | str | IO]
Progress = Callable[[str], None] | None


class ImportErrors(Exception):
    """The files have problems; `messages` names every bad row by file and line."""

    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages))
        self.messages = messages


@dataclass
class FileCounts:
    rows: int = 0
    imported: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportSummary:
    """What an import did (or, for a dry run, would do)."""

    files: dict[str, FileCounts] = field(default_factory=dict)
    created: dict[str, list[str]] = field(default_factory=dict)
    dry_run: bool = False

    def created_count(self, kind: str) -> int:
        return len(self.created.get(kind, []))

    def lines(self) -> list[str]:
        lines = []
        if not self.files:
            lines.append(NOTHING_TO_IMPORT + ".")
        for name, c in self.files.items():
            lines.append(
                f"{name}: {c.rows} row{'s' * (c.rows != 1)}: {c.imported} imported, "
                f"{c.updated} updated, {c.unchanged} unchanged"
            )
        for kind, names in self.created.items():
            if not names:
                continue
            if kind == "people":
                lines.append(f"Created {len(names)} {'person' if len(names) == 1 else 'people'}")
                continue
            shown = ", ".join(names[:20]) + (
                f" and {len(names) - 20} more" if len(names) > 20 else ""
            )
            label = kind[:-1] if len(names) == 1 else kind
            if kind == "priority areas" and len(names) == 1:
                label = "priority area"
            lines.append(f"Created {len(names)} {label}: {shown}")
        if self.dry_run:
            lines.append("Checked only: nothing was saved.")
        return lines


# --- reading --------------------------------------------------------------------------------------


def read_zip(data: bytes | IO) -> dict[str, bytes]:
    """The import files inside a .zip (in any folder, names in any case)."""
    found: dict[str, bytes] = {}
    with zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes) else data) as archive:
        for info in archive.infolist():
            base = Path(info.filename).name.lower()
            if info.is_dir() or info.filename.startswith("__MACOSX") or base not in FILE_NAMES:
                continue
            found[base] = archive.read(info)
    return found


def zip_uncompressed_size(data: bytes | IO) -> int:
    """Total size of the import files once unpacked (refuse zip bombs before reading them)."""
    with zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes) else data) as archive:
        return sum(
            i.file_size for i in archive.infolist() if Path(i.filename).name.lower() in FILE_NAMES
        )


def _texts(source: Source, errors: list[str], unreadable: set[str]) -> dict[str, str]:
    """file name -> decoded text, for the import files present in a directory or a mapping."""
    raw: dict[str, bytes | str] = {}
    if isinstance(source, Mapping):
        for name, content in source.items():
            base = Path(name).name.lower()
            if base not in FILE_NAMES:
                errors.append(UNKNOWN_FILE.format(file=name))
                continue
            raw[base] = content.read() if hasattr(content, "read") else content
    else:
        directory = Path(source)
        if directory.is_file() and zipfile.is_zipfile(directory):
            raw.update(read_zip(directory.read_bytes()))
        else:
            for entry in sorted(directory.iterdir()):
                if entry.is_file() and entry.name.lower() in FILE_NAMES:
                    raw[entry.name.lower()] = entry.read_bytes()
    texts = {}
    for name in FILE_NAMES:  # in dependency order
        if name not in raw:
            continue
        content = raw[name]
        if isinstance(content, str):
            texts[name] = content.removeprefix("\ufeff")
            continue
        try:
            texts[name] = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            errors.append(NOT_UTF8.format(file=name))
            unreadable.add(name)
    return texts


def _records(
    name: str, text: str, errors: list[str], unreadable: set[str]
) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, {column: value stripped}) for each non-blank record; header problems go to errors.

    A file whose header is wrong is added to `unreadable`: rows of other files that refer to it
    are then not checked against it, so one missing column does not bury the real problem.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        return
    header = [h.strip().lower() for h in header]
    required, optional = COLUMNS[name]
    missing = [c for c in required if c not in header]
    if missing:
        unreadable.add(name)
        errors.append(
            ROW_PREFIX.format(file=name, line=1)
            + MISSING_COLUMNS.format(s="s" if len(missing) > 1 else "", columns=", ".join(missing))
        )
        return
    index = {c: header.index(c) for c in (*required, *optional) if c in header}
    for line, record in enumerate(reader, start=2):
        if not any(cell.strip() for cell in record):
            continue  # blank lines, and Excel's rows of empty cells
        width = len(record)
        yield line, {c: record[i].strip() if i < width else "" for c, i in index.items()}


def _parse_datetime(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        # What timezone.make_aware does for a zoneinfo zone, without its checks per row.
        moment = moment.replace(tzinfo=LONDON)
    return moment


def _utc(moment: datetime | None) -> datetime | None:
    return moment.astimezone(UTC) if moment is not None else None


# --- checking -------------------------------------------------------------------------------------


@dataclass(slots=True)
class _EventRow:
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
class _BookingRow:
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
class _EvaluationRow:
    line: int
    booking_ref: str
    stage: str
    submitted_at: datetime
    score: Decimal
    comment: str


@dataclass(slots=True)
class _ElearningRow:
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

    def __init__(self, name: str, line: int, values: dict[str, str], errors: list[str]):
        self.values = values
        self.prefix = ROW_PREFIX.format(file=name, line=line)
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

    def choice(self, column: str, choices) -> str:
        value = self.text(column)
        if value and value.lower() not in choices:
            self.error(NOT_ONE_OF.format(column=column, value=value, choices=", ".join(choices)))
            return ""
        return value.lower()

    def moment(self, column: str, *, required: bool = True) -> datetime | None:
        value = self.text(column, required=required)
        if not value:
            return None
        moment = _parse_datetime(value)
        if moment is None:
            self.error(BAD_DATETIME.format(column=column, value=value))
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


class _Checker:
    """Pass 1: parse and check every row of every file, resolving nothing that writes."""

    def __init__(
        self, texts: dict[str, str], unreadable: set[str], errors: list[str], progress: Progress
    ):
        self.texts = texts
        self.errors = errors
        self.progress = progress
        self.valid_emails: set[str] = set()
        self.counts: dict[str, int] = {}
        self.events: list[_EventRow] = []
        self.bookings: list[_BookingRow] = []
        self.evaluations: list[_EvaluationRow] = []
        self.elearning: list[_ElearningRow] = []
        self.course_titles: dict[str, Course | None] = {}
        # Files that could not be read (not UTF-8, columns missing): refs into them are not checked.
        self.unreadable: set[str] = set(unreadable)

    def _rows(self, name: str) -> Iterator[tuple[int, dict[str, str]]]:
        count = 0
        for line, values in _records(name, self.texts[name], self.errors, self.unreadable):
            count += 1
            if self.progress and count % PROGRESS_EVERY == 0:
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
            row = _Row(EVENTS, line, values, self.errors)
            ref = row.text("event_ref")
            title = " ".join(row.text("course").split())
            priority = " ".join(row.text("priority").split())
            audience = row.choice("audience", AUDIENCES)
            mode = row.choice("mode", tuple(MODES))
            start = row.moment("start")
            end = row.moment("end")
            capacity_text = row.text("capacity")
            status = row.choice("status", tuple(EVENT_STATUSES))
            if ref:
                if ref in seen:
                    row.error(DUPLICATE.format(what=f"event_ref '{ref}'", first=seen[ref]))
                else:
                    seen[ref] = line
                    self.event_refs.add(ref)
            if start and end and _utc(end) <= _utc(start):
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
                    _EventRow(
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
            row = _Row(BOOKINGS, line, values, self.errors)
            ref = row.text("booking_ref")
            event_ref = row.text("event_ref")
            email = row.email(self.valid_emails)
            name = " ".join(row.text("name", required=False).split())
            organisation = " ".join(row.text("organisation", required=False).split())
            booked_at = row.moment("booked_at")
            status = row.choice("status", tuple(BOOKING_STATUSES))
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
                elif cancelled_at and booked_at and _utc(cancelled_at) < _utc(booked_at):
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
                    _BookingRow(
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
        known = set(
            Booking.objects.filter(external_ref__isnull=False).values_list(
                "external_ref", flat=True
            )
        )
        seen: dict[tuple[str, str], int] = {}
        for line, values in self._rows(EVALUATIONS):
            row = _Row(EVALUATIONS, line, values, self.errors)
            booking_ref = row.text("booking_ref")
            stage = row.choice("stage", STAGES)
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
                    _EvaluationRow(line, booking_ref, stage, submitted_at, score, comment)
                )

    def check_elearning(self) -> None:
        event_courses = {r.course_key for r in self.events}
        seen: dict[tuple[str, str, datetime], int] = {}
        for line, values in self._rows(ELEARNING):
            row = _Row(ELEARNING, line, values, self.errors)
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
            if completed_at and enrolled_at and _utc(completed_at) < _utc(enrolled_at):
                row.error(COMPLETED_BEFORE_ENROLLED.format(value=values["completed_at"]))
            if title and email and enrolled_at:
                dedupe = (key, email, _utc(enrolled_at))
                if dedupe in seen:
                    what = "module, email and enrolled_at"
                    row.error(DUPLICATE.format(what=what, first=seen[dedupe]))
                else:
                    seen[dedupe] = line
            if row.ok:
                self.elearning.append(
                    _ElearningRow(
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


# --- writing --------------------------------------------------------------------------------------


def _datetime_adapter() -> Callable[[datetime], object]:
    """Aware datetime -> database value, as connection.ops would give it, at a fraction of the cost.

    SQLite stores naive UTC text (what adapt_datetimefield_value returns with USE_TZ and no
    database TIME_ZONE); other databases take the aware datetime itself.
    """
    if connection.vendor == "sqlite" and connection.timezone_name == "UTC":
        return lambda value: str(value.astimezone(UTC).replace(tzinfo=None))
    return connection.ops.adapt_datetimefield_value


def _chunks(items: list, size: int = BATCH) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


class _Writer:
    """Pass 2, inside the transaction: match or create, then bulk-write the rows."""

    def __init__(self, checked: _Checker, summary: ImportSummary, progress: Progress):
        self.c = checked
        self.summary = summary
        self.progress = progress
        self.now = timezone.now()
        for kind in (
            "priority areas",
            "courses",
            "organisations",
            "people",
            "cancellation reasons",
        ):
            summary.created[kind] = []
        self.priorities = {normalise_name(p.name): p for p in PriorityArea.objects.all()}
        self.courses: dict[str, Course] = {
            key: course for key, course in checked.course_titles.items() if course is not None
        }
        self.organisations: dict[str, int] = dict(
            Organisation.objects.values_list("name_key", "id")
        )
        self.people: dict[str, tuple[int, int | None]] = {
            email.lower(): (pk, org)
            for pk, email, org in User.objects.values_list("id", "email", "organisation_id")
        }
        self.reasons = {normalise_name(r.label): r.id for r in CancellationReason.objects.all()}

    def _bulk_create(self, model, rows: list, label: str) -> None:
        done = 0
        for chunk in _chunks(rows):
            model.objects.bulk_create(chunk, batch_size=BATCH)
            done += len(chunk)
            if self.progress and len(rows) >= PROGRESS_EVERY and done % PROGRESS_EVERY < BATCH:
                self.progress(f"Writing {label}: {done:,} of {len(rows):,}")

    def _insert_many(self, model, columns: list[str], rows: list[tuple], label: str) -> None:
        """INSERT rows (tuples of `columns`, attnames) in batches: COPY on PostgreSQL, else
        executemany of one prepared INSERT.

        bulk_create spends most of its time compiling each value through the ORM (about 70 s for
        the 100-year sample on SQLite); the big tables go straight to the cursor instead. Columns
        not given get the field's default, as bulk_create would give them.
        """
        if not rows:
            return
        ops = connection.ops
        by_attname = {f.attname: f for f in model._meta.concrete_fields}
        adapters = []
        for column in columns:
            f = by_attname[column]
            if isinstance(f, models.DateTimeField):
                adapters.append(_datetime_adapter())
            elif isinstance(f, models.DecimalField):
                adapters.append(
                    lambda v, f=f: ops.adapt_decimalfield_value(v, f.max_digits, f.decimal_places)
                )
            else:
                adapters.append(None)
        defaults = [
            (f.column, f.get_db_prep_save(f.get_default(), connection))
            for f in model._meta.concrete_fields
            if not f.primary_key and f.attname not in columns
        ]
        names = [by_attname[c].column for c in columns] + [column for column, _ in defaults]
        extra = tuple(value for _, value in defaults)
        quote = ops.quote_name
        sql = "INSERT INTO {} ({}) VALUES ({})".format(
            quote(model._meta.db_table),
            ", ".join(quote(n) for n in names),
            ", ".join(["%s"] * len(names)),
        )
        positions = [i for i, a in enumerate(adapters) if a is not None]
        done = 0
        if connection.vendor == "postgresql":
            # psycopg adapts aware datetimes, decimals and booleans itself.
            copy_sql = "COPY {} ({}) FROM STDIN".format(
                quote(model._meta.db_table), ", ".join(quote(n) for n in names)
            )
            with connection.cursor() as cursor:
                for chunk in _chunks(rows, BATCH * 5):
                    with cursor.cursor.copy(copy_sql) as copy:
                        for row in chunk:
                            copy.write_row((*row, *extra))
                    done += len(chunk)
                    if self.progress and len(rows) >= PROGRESS_EVERY:
                        self.progress(f"Writing {label}: {done:,} of {len(rows):,}")
            return
        with connection.cursor() as cursor:
            for chunk in _chunks(rows, BATCH * 5):
                params = []
                for row in chunk:
                    values = list(row)
                    for i in positions:
                        if values[i] is not None:
                            values[i] = adapters[i](values[i])
                    params.append((*values, *extra))
                cursor.executemany(sql, params)
                done += len(chunk)
                if self.progress and len(rows) >= PROGRESS_EVERY:
                    self.progress(f"Writing {label}: {done:,} of {len(rows):,}")

    def _bulk_update(self, model, rows: list, fields: list[str]) -> None:
        for chunk in _chunks(rows):
            model.objects.bulk_update(chunk, fields, batch_size=BATCH)

    def run(self) -> None:
        self.reference_data()
        if EVENTS in self.c.texts:
            self.write_events()
        if BOOKINGS in self.c.texts:
            self.write_bookings()
        if EVALUATIONS in self.c.texts:
            self.write_evaluations()
        if ELEARNING in self.c.texts:
            self.write_elearning()

    # Reference data: priority areas, courses, organisations, people, reasons ---------------

    def priority(self, name: str) -> PriorityArea:
        key = normalise_name(name)
        if key not in self.priorities:
            self.priorities[key] = PriorityArea.objects.create(name=name)
            self.summary.created["priority areas"].append(name)
        return self.priorities[key]

    def course(self, key: str, title: str, priority: str, audience: str, mode: str) -> Course:
        if key not in self.courses:
            base = slugify(title)[:180] or "course"
            slug, n = base, 1
            while Course.objects.filter(slug=slug).exists():
                n += 1
                slug = f"{base}-{n}"
            # Unpublished: a course known only from past records has no summary or outcomes yet.
            self.courses[key] = Course.objects.create(
                title=title,
                slug=slug,
                summary=IMPORTED_COURSE_SUMMARY,
                priority_area=self.priority(priority),
                audience=audience,
                delivery_mode=mode,
                is_published=False,
            )
            self.summary.created["courses"].append(title)
        return self.courses[key]

    def organisation_id(self, name: str) -> int | None:
        key = normalise_name(name)
        if not key:
            return None
        if key not in self.organisations:
            organisation = organisation_get_or_create_by_name(name=name)
            self.organisations[key] = organisation.id
            self.summary.created["organisations"].append(organisation.name)
        return self.organisations[key]

    def reason_id(self, label: str) -> int | None:
        key = normalise_name(label)
        if not key:
            return None
        if key not in self.reasons:
            reason = CancellationReason.objects.create(label=label)
            self.reasons[key] = reason.id
            self.summary.created["cancellation reasons"].append(label)
        return self.reasons[key]

    def reference_data(self) -> None:
        for row in self.c.events:
            self.course(
                row.course_key,
                row.course_title,
                row.priority,
                row.audience,
                MODES[row.mode],
            )
        for row in self.c.elearning:
            self.course(
                row.module_key, row.module_title, row.priority, Course.Audience.ALL,
                Course.DeliveryMode.ELEARNING,
            )  # fmt: skip
        # People new to us: one row each, with the first name and organisation given for them.
        new_people: dict[str, tuple[str, int | None]] = {}
        for row in [*self.c.bookings, *self.c.elearning]:
            organisation_id = self.organisation_id(row.organisation)
            if row.email in self.people:
                continue
            name, org = new_people.get(row.email, ("", None))
            new_people[row.email] = (name or row.name, org or organisation_id)
        password = make_password(None)  # unusable: they sign in with an emailed code
        users = [
            (email, name, org, password, self.now) for email, (name, org) in new_people.items()
        ]
        columns = ["email", "full_name", "organisation_id", "password", "date_joined"]
        self._insert_many(User, columns, users, "people")
        if users:
            self.people.update(
                (email.lower(), (pk, org))
                for pk, email, org in User.objects.values_list("id", "email", "organisation_id")
            )
        self.summary.created["people"] = [email for email, *_ in users]

    # Events -------------------------------------------------------------------------------

    def write_events(self) -> None:
        counts = self.summary.files[EVENTS]
        fields = ["course_id", "start", "end", "capacity", "status"]
        existing = {
            e.external_ref: e
            for e in Event.objects.filter(external_ref__isnull=False).only("external_ref", *fields)
        }
        new, changed = [], []
        for row in self.c.events:
            values = {
                "course_id": self.courses[row.course_key].id,
                "start": row.start,
                "end": row.end,
                "capacity": row.capacity,
                "status": EVENT_STATUSES[row.status],
            }
            event = existing.get(row.ref)
            if event is None:
                new.append(Event(external_ref=row.ref, **values))
                counts.imported += 1
            elif any(getattr(event, f) != v for f, v in values.items()):
                for f, v in values.items():
                    setattr(event, f, v)
                changed.append(event)
                counts.updated += 1
            else:
                counts.unchanged += 1
        self._bulk_create(Event, new, "events")
        self._bulk_update(Event, changed, fields)

    # Bookings -----------------------------------------------------------------------------

    def write_bookings(self) -> None:
        counts = self.summary.files[BOOKINGS]
        events = {
            ref: (pk, start, end, notice)
            for ref, pk, start, end, notice in Event.objects.filter(
                external_ref__isnull=False
            ).values_list("external_ref", "id", "start", "end", "notice_working_days")
        }
        deadlines: dict[int, datetime] = {}
        fields = [
            "event_id", "person_id", "organisation_id", "status", "created_at", "confirmed_at",
            "cancelled_at", "cancelled_late", "cancellation_reason_id", "non_attendance_reason_id",
            "attendance_marked_at",
        ]  # fmt: skip
        existing = {
            values[0]: values[1:]
            for values in Booking.objects.filter(external_ref__isnull=False).values_list(
                "external_ref", "id", *fields
            )
        }
        new, changed = [], []
        cancelled, no_show = Booking.Status.CANCELLED, Booking.Status.NO_SHOW
        marked = (Booking.Status.ATTENDED, no_show)
        for row in self.c.bookings:
            event_id, start, end, notice = events[row.event_ref]
            person_id, person_org = self.people[row.email]
            reason_id = self.reason_id(row.reason)
            late = False
            if row.status == cancelled:
                if event_id not in deadlines:
                    deadlines[event_id] = cancellation_deadline(
                        Event(start=start, notice_working_days=notice)
                    )
                late = row.cancelled_at > deadlines[event_id]
            values = (
                event_id,
                person_id,
                self.organisation_id(row.organisation) or person_org,
                row.status,
                _utc(row.booked_at),
                # Every imported status but waiting held a place; a cancelled one held it too.
                None if row.status == Booking.Status.WAITLISTED else _utc(row.booked_at),
                _utc(row.cancelled_at),
                late,
                reason_id if row.status == cancelled else None,
                reason_id if row.status == no_show else None,
                end if row.status in marked else None,
            )
            current = existing.get(row.ref)
            if current is None:
                new.append((row.ref, *values))
                counts.imported += 1
            elif current[1:] != values:
                changed.append(Booking(pk=current[0], **dict(zip(fields, values, strict=True))))
                counts.updated += 1
            else:
                counts.unchanged += 1
        self._insert_many(Booking, ["external_ref", *fields], new, "bookings")
        self._bulk_update(Booking, changed, fields)

    # Evaluations --------------------------------------------------------------------------

    def imported_questionnaires(self) -> dict[str, tuple[Questionnaire, Item]]:
        """One questionnaire per stage holding imported scores; never current, so never sent."""
        result = {}
        for stage in STAGES:
            questionnaire, _ = Questionnaire.objects.get_or_create(
                family=IMPORTED_FAMILY.format(stage=stage),
                version=1,
                defaults={
                    "name": IMPORTED_QUESTIONNAIRE_NAME.format(stage=Stage(stage).label),
                    "stage": stage,
                    "is_current": False,
                    "intro": "Scores imported from past records; no item answers were kept.",
                },
            )
            item, _ = Item.objects.get_or_create(
                questionnaire=questionnaire,
                text=IMPORTED_COMMENT_ITEM,
                defaults={"kind": Item.Kind.TEXT, "required": False},
            )
            result[stage] = (questionnaire, item)
        return result

    def write_evaluations(self) -> None:
        counts = self.summary.files[EVALUATIONS]
        imported = self.imported_questionnaires()
        comment_items = {item.id: stage for stage, (_, item) in imported.items()}
        bookings = dict(
            Booking.objects.filter(external_ref__isnull=False).values_list("external_ref", "id")
        )
        # (booking, stage) -> [invitation id, response id, submitted_at, imported_score]
        invitations = {
            (b, s): [i, r, sub, score]
            for i, b, s, r, sub, score in Invitation.objects.filter(
                respondent="delegate", booking__external_ref__isnull=False
            ).values_list(
                "id", "booking_id", "stage", "response__id", "response__submitted_at",
                "response__imported_score",
            )
        }  # fmt: skip
        comments = {
            response_id: (answer_id, text)
            for answer_id, response_id, text in Answer.objects.filter(
                item_id__in=list(comment_items)
            ).values_list("id", "response_id", "text")
        }
        new_invitations: list[tuple] = []  # with the row that makes them, in step
        new_responses: list[tuple[str | int, _EvaluationRow]] = []  # (invitation key or id, row)
        changed_responses: list[Response] = []
        new_answers: list[tuple] = []
        changed_answers: list[Answer] = []
        gone_answers: list[int] = []
        for row in self.c.evaluations:
            booking_id = bookings[row.booking_ref]
            questionnaire, item = imported[row.stage]
            found = invitations.get((booking_id, row.stage))
            if found is None:
                key = secrets.token_urlsafe(32)
                new_invitations.append(
                    (
                        booking_id,
                        row.stage,
                        "delegate",
                        questionnaire.id,
                        key,
                        row.submitted_at,
                        row.submitted_at,
                    )  # fmt: skip
                )
                new_responses.append((key, row))
                counts.imported += 1
                continue
            invitation_id, response_id, submitted_at, score = found
            if response_id is None:
                new_responses.append((invitation_id, row))
                counts.imported += 1
                continue
            dirty = False
            if submitted_at != row.submitted_at or score != row.score:
                changed_responses.append(
                    Response(
                        pk=response_id, submitted_at=row.submitted_at, imported_score=row.score
                    )
                )
                dirty = True
            answer = comments.get(response_id)
            if answer is None and row.comment:
                new_answers.append((response_id, item.id, row.comment))
                dirty = True
            elif answer is not None and not row.comment:
                gone_answers.append(answer[0])
                dirty = True
            elif answer is not None and answer[1] != row.comment:
                changed_answers.append(Answer(pk=answer[0], text=row.comment))
                dirty = True
            counts.updated += dirty
            counts.unchanged += not dirty
        columns = [
            "booking_id", "stage", "respondent", "questionnaire_id", "key", "created_at",
            "expires_at",
        ]  # fmt: skip
        self._insert_many(Invitation, columns, new_invitations, "evaluation invitations")
        imported_ids = [q.id for q, _ in imported.values()]
        if new_invitations:
            ids_by_key = dict(
                Invitation.objects.filter(questionnaire_id__in=imported_ids).values_list(
                    "key", "id"
                )
            )
        responses = []
        for invitation, row in new_responses:
            invitation_id = invitation if isinstance(invitation, int) else ids_by_key[invitation]
            questionnaire, _ = imported[row.stage]
            responses.append(
                (invitation_id, questionnaire.id, row.submitted_at, row.submitted_at, row.score)
            )
        columns = ["invitation_id", "questionnaire_id", "started_at", "submitted_at"]
        self._insert_many(Response, [*columns, "imported_score"], responses, "evaluation responses")
        if responses:
            response_ids = dict(
                Response.objects.filter(questionnaire_id__in=imported_ids).values_list(
                    "invitation_id", "id"
                )
            )
        for response, (_, row) in zip(responses, new_responses, strict=True):
            if row.comment:
                item = imported[row.stage][1]
                new_answers.append((response_ids[response[0]], item.id, row.comment))
        self._bulk_update(Response, changed_responses, ["submitted_at", "imported_score"])
        self._insert_many(Answer, ["response_id", "item_id", "text"], new_answers, "comments")
        self._bulk_update(Answer, changed_answers, ["text"])
        for chunk in _chunks(gone_answers, 500):
            Answer.objects.filter(pk__in=chunk).delete()

    # E-learning ---------------------------------------------------------------------------

    def write_elearning(self) -> None:
        counts = self.summary.files[ELEARNING]
        course_ids = sorted({self.courses[row.module_key].id for row in self.c.elearning})
        existing = {
            (course, person, _utc(enrolled)): (pk, _utc(completed), org)
            for pk, course, person, enrolled, completed, org in Enrolment.objects.filter(
                course_id__in=course_ids
            ).values_list(
                "id", "course_id", "person_id", "enrolled_at", "completed_at", "organisation_id"
            )
        }
        new, changed = [], []
        for row in self.c.elearning:
            course_id = self.courses[row.module_key].id
            person_id, person_org = self.people[row.email]
            organisation_id = self.organisation_id(row.organisation) or person_org
            key = (course_id, person_id, _utc(row.enrolled_at))
            current = existing.get(key)
            completed = _utc(row.completed_at)
            if current is None:
                new.append(
                    (course_id, person_id, organisation_id, row.enrolled_at, row.completed_at)
                )
                existing[key] = (None, completed, organisation_id)
                counts.imported += 1
            elif current[1:] != (completed, organisation_id):
                changed.append(
                    Enrolment(
                        pk=current[0], completed_at=completed, organisation_id=organisation_id
                    )
                )
                counts.updated += 1
            else:
                counts.unchanged += 1
        columns = ["course_id", "person_id", "organisation_id", "enrolled_at", "completed_at"]
        self._insert_many(Enrolment, columns, new, "e-learning enrolments")
        self._bulk_update(Enrolment, changed, ["completed_at", "organisation_id"])


# --- entry point ----------------------------------------------------------------------------------


def import_history(
    source: Source, *, dry_run: bool = False, progress: Progress = None
) -> ImportSummary:
    """Check every row of the import files, then write them all in one transaction, or nothing.

    `source` is a directory (or a .zip) holding any of events.csv, bookings.csv, evaluations.csv
    and elearning.csv, or a mapping of those file names to their bytes or open binary files.
    Raises ImportErrors listing every problem by file and line; then nothing is written.
    """
    errors: list[str] = []
    unreadable: set[str] = set()
    texts = _texts(source, errors, unreadable)
    checker = _Checker(texts, unreadable, errors, progress)
    checker.run()
    if errors:
        raise ImportErrors(errors)
    summary = ImportSummary(dry_run=dry_run)
    for name in texts:
        summary.files[name] = FileCounts(rows=checker.counts.get(name, 0))
    if not texts:
        return summary
    try:
        with transaction.atomic():
            _Writer(checker, summary, progress).run()
            if dry_run:
                transaction.set_rollback(True)
    except IntegrityError as error:
        raise ImportErrors([SAVE_FAILED.format(error=error)]) from error
    if not dry_run:
        _refresh_planner_statistics()
    return summary


ANALYZED_MODELS = (Event, Booking, Invitation, Response, Answer, Enrolment, User)


def _refresh_planner_statistics() -> None:
    """After a bulk import, let PostgreSQL see the new row counts at once.

    Without statistics (autovacuum off, or not yet run) the planner joins 150,000 bookings with
    nested loops and the reports take seconds longer. SQLite plans well without them.
    """
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in ANALYZED_MODELS)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")


def write_sample_csvs(directory: str | os.PathLike, scale: float = 1.0, *, seed: int = 5) -> dict:
    """Write a made-up history of `scale` partnership years (68 events a year) for benchmarks.

    Scale 100 gives about 6,800 events, 150,000 bookings and 150,000 evaluations. Returns the
    number of rows written per file.
    """
    import random

    rng = random.Random(seed)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    priorities = ["Neglect", "Exploitation", "Think Family", "Local learning"]
    courses = [(f"Sample Course {i}", priorities[i % 4]) for i in range(40)]
    modules = [(f"Sample Module {i} (e-learning)", priorities[i % 4]) for i in range(8)]
    organisations = [f"Sample Organisation {i}" for i in range(120)]
    people = max(50, int(300 * scale))
    reasons = ["Work capacity", "Sickness", "Operational pressures", "Other"]
    n_events = max(1, round(68 * scale))
    first_day = datetime(2010, 4, 1, 9, 30)
    rows = {}

    def person(i: int) -> tuple[str, str, str]:
        org = organisations[i % len(organisations)]
        # Names in other case and spacing: the import must match them to one organisation.
        spelt = org.upper() if i % 7 == 0 else (f"  {org.lower()} " if i % 5 == 0 else org)
        return f"Person.{i}@Example.org", f"Person {i}", spelt

    with (
        open(directory / EVENTS, "w", newline="", encoding="utf-8") as ev,
        open(directory / BOOKINGS, "w", newline="", encoding="utf-8") as bk,
        open(directory / EVALUATIONS, "w", newline="", encoding="utf-8") as evl,
    ):
        events = csv.writer(ev)
        bookings = csv.writer(bk)
        evaluations = csv.writer(evl)
        events.writerow(COLUMNS[EVENTS][0])
        bookings.writerow([*COLUMNS[BOOKINGS][0], *COLUMNS[BOOKINGS][1]])
        evaluations.writerow([*COLUMNS[EVALUATIONS][0], "comment"])
        n_bookings = n_evaluations = 0
        for e in range(n_events):
            title, priority = courses[e % len(courses)]
            start = first_day + timedelta(days=e * 5400 // max(n_events, 1) + (e % 3))
            hours = 4 if e % 3 else 6.5
            end = start + timedelta(hours=hours)
            capacity = 20 + e % 21
            status = "cancelled" if e % 25 == 0 else "delivered"
            audience = AUDIENCES[e % 3]
            mode = "virtual" if e % 2 else "face_to_face"
            events.writerow(
                [f"E{e}", title, priority, audience, mode, start.isoformat(timespec="minutes"),
                 end.isoformat(timespec="minutes"), capacity, status]
            )  # fmt: skip
            taken = rng.sample(range(people), min(people, round(capacity * 0.73)))
            for p in taken:
                email, name, org = person(p)
                ref = f"B{n_bookings}"
                n_bookings += 1
                booked = start - timedelta(days=rng.randint(5, 60), hours=rng.randint(0, 8))
                roll = rng.random()
                if status == "cancelled":
                    st = "booked"
                elif roll < 0.62:
                    st = "attended"
                elif roll < 0.76:
                    st = "no_show"
                elif roll < 0.95:
                    st = "cancelled"
                else:
                    st = "waitlisted"
                cancelled_at = reason = ""
                if st == "cancelled":
                    cancelled_at = (start - timedelta(days=rng.randint(0, 4), hours=2)).isoformat(
                        timespec="minutes"
                    )
                    reason = rng.choice(reasons)
                elif st == "no_show" and rng.random() < 0.5:
                    reason = rng.choice(reasons)
                bookings.writerow(
                    [ref, f"E{e}", email, name, org, booked.isoformat(timespec="minutes"), st,
                     cancelled_at, reason]
                )  # fmt: skip
                stages = []
                if st in ("attended", "no_show") and rng.random() < 0.7:
                    stages.append(("pre", start - timedelta(days=2)))
                if st == "attended":
                    if rng.random() < 0.7:
                        stages.append(("post", end + timedelta(days=1)))
                    if rng.random() < 0.1:
                        stages.append(("stage2", end + timedelta(days=90)))
                for stage, at in stages:
                    score = round(rng.uniform(2, 3.6) if stage == "pre" else rng.uniform(3.4, 5), 2)
                    comment = "Very useful, thank you." if rng.random() < 0.1 else ""
                    evaluations.writerow(
                        [ref, stage, at.isoformat(timespec="minutes"), score, comment]
                    )
                    n_evaluations += 1
        rows.update({EVENTS: n_events, BOOKINGS: n_bookings, EVALUATIONS: n_evaluations})
    with open(directory / ELEARNING, "w", newline="", encoding="utf-8") as el:
        elearning = csv.writer(el)
        elearning.writerow([*COLUMNS[ELEARNING][0], "completed_at"])
        n = max(1, round(378 * scale))
        for i in range(n):
            title, priority = modules[i % len(modules)]
            email, name, org = person(rng.randrange(people))
            enrolled = first_day + timedelta(days=i * 5400 // n, minutes=i % 600)
            completed = (
                enrolled + timedelta(days=rng.randint(0, 30)) if rng.random() < 0.75 else None
            )
            elearning.writerow(
                [title, priority, email, name, org, enrolled.isoformat(timespec="minutes"),
                 completed.isoformat(timespec="minutes") if completed else ""]
            )  # fmt: skip
        rows[ELEARNING] = n
    return rows
