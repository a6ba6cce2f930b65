"""Writing checked import rows (pass 2, inside the caller's transaction): match or create.

Like the demo loader this writes rows in bulk and sends no emails. Organisations new to us go
through people.services.organisation_get_or_create_by_name, the same code sign-up uses, so they
land in the L&D lead's review list.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

from django.contrib.auth.hashers import make_password
from django.db import connection, models
from django.utils import timezone
from django.utils.text import slugify

from bookings.models import Booking, CancellationReason, Enrolment
from bookings.services import cancellation_deadline
from courses.models import Course, Event, PriorityArea
from evaluations.models import Answer, Invitation, Item, Questionnaire, Response, Stage
from imports import readers
from imports.checks import (
    EVENT_STATUSES,
    MODES,
    STAGES,
    Checker,
    EvaluationRow,
    Progress,
)
from imports.readers import BOOKINGS, ELEARNING, EVALUATIONS, EVENTS, utc
from imports.summary import ImportSummary
from people.models import Organisation, User, normalise_name
from people.services import organisation_get_or_create_by_name

BATCH = 2000

IMPORTED_QUESTIONNAIRE_NAME = "Imported (no item answers): {stage}"
IMPORTED_FAMILY = "imported-{stage}"
IMPORTED_COMMENT_ITEM = "Comment (imported)"
IMPORTED_COURSE_SUMMARY = "Imported from past training records."


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


class Writer:
    """Pass 2, inside the transaction: match or create, then bulk-write the rows."""

    def __init__(self, checked: Checker, summary: ImportSummary, progress: Progress):
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
            if (
                self.progress
                and len(rows) >= readers.PROGRESS_EVERY
                and done % readers.PROGRESS_EVERY < BATCH
            ):
                self.progress(f"Writing {label}: {done:,} of {len(rows):,}")

    def _insert_many(self, model, columns: list[str], rows: list[tuple], label: str) -> None:
        """INSERT rows (tuples of `columns`, attnames) in batches: COPY on PostgreSQL, else
        executemany of one prepared INSERT.

        Kept for the big tables only (people, bookings, invitations, responses, comments,
        enrolments) because the benchmark needs it. The 10-year sample (bench's 10x) imported
        into SQLite in 6.9-7.9 s this way and in 22.0-23.6 s with bulk_create (which compiles
        each value through the ORM) on the same busy machine, 2 Dec 2026: about 3x, which at 100x
        would break the "import under 60 s" target that `make bench` meets today (15.2 s SQLite,
        17.6 s PostgreSQL, docs/performance.md). Events, reference data and every update still
        use the ORM. Columns not given get the field's default, as bulk_create would give them.
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
                    if self.progress and len(rows) >= readers.PROGRESS_EVERY:
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
                if self.progress and len(rows) >= readers.PROGRESS_EVERY:
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
                utc(row.booked_at),
                # Every imported status but waiting held a place; a cancelled one held it too.
                None if row.status == Booking.Status.WAITLISTED else utc(row.booked_at),
                utc(row.cancelled_at),
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
        new_responses: list[tuple[str | int, EvaluationRow]] = []  # (invitation key or id, row)
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
            (course, person, utc(enrolled)): (pk, utc(completed), org)
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
            key = (course_id, person_id, utc(row.enrolled_at))
            current = existing.get(key)
            completed = utc(row.completed_at)
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


ANALYZED_MODELS = (Event, Booking, Invitation, Response, Answer, Enrolment, User)


def refresh_planner_statistics() -> None:
    """After a bulk import, let PostgreSQL see the new row counts at once.

    Without statistics (autovacuum off, or not yet run) the planner joins 150,000 bookings with
    nested loops and the reports take seconds longer. SQLite plans well without them.
    """
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in ANALYZED_MODELS)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")
