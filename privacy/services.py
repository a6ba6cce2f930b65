"""Subject access, anonymisation (erasure) and the retention job.

Anonymising keeps every row that a report counts (bookings, statuses, organisations, ratings,
completions, dates) and removes what identifies the person: their name and email wherever they
were copied, free text they wrote, the line manager they named, their sign-in addresses,
sessions and queued tasks. Report figures are therefore unchanged to the decimal.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from importlib import import_module

from allauth.account.models import EmailAddress, EmailConfirmation
from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import DateTimeField, F, OuterRef, Q, Subquery, TextField, Value
from django.db.models.functions import Cast, Coalesce, Greatest
from django.utils import timezone

from bookings.models import Booking, BookingLog, Enrolment, OutboundEmail
from courses.models import Event
from evaluations.models import Answer, Invitation, Response
from imports.models import ImportRun
from people.models import OrganisationLog, User
from privacy import audit
from privacy.models import AuditEntry

REDACTED = "[anonymised]"
ANONYMISED_EMAIL = "anonymised-{pk}@invalid"
ALREADY_ANONYMISED = "This person has already been anonymised."
CANNOT_ANONYMISE_SELF = "You cannot anonymise your own account."
CANNOT_ANONYMISE_SUPERUSER = "Remove this person's superuser status before anonymising them."
CONFIRMATION_MISMATCH = "Type the person's email address exactly to confirm."
DEFAULT_RETENTION_DAYS = 2192  # six years, leap days included
RETENTION_BATCH = 200  # people per run: the job runs daily, a backlog clears over a few days


class PrivacyError(Exception):
    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def person_is_anonymised(person: User) -> bool:
    return person.email == ANONYMISED_EMAIL.format(pk=person.pk)


# --- subject access --------------------------------------------------------------------------


def _dt(value):
    return timezone.localtime(value).isoformat() if value else None


def _profile(person: User) -> dict:
    org = person.organisation
    return {
        "id": person.pk,
        "email": person.email,
        "full_name": person.full_name,
        "job_title": person.job_title,
        "organisation": org.name if org else None,
        "organisation_sector": org.get_sector_display() if org else None,
        "roles": sorted(person.groups.values_list("name", flat=True)),
        "is_active": person.is_active,
        "has_password": person.has_usable_password(),
        "date_joined": _dt(person.date_joined),
        "last_login": _dt(person.last_login),
    }


def _booking_row(booking: Booking, logs: list[BookingLog]) -> dict:
    event = booking.event
    return {
        "id": booking.pk,
        "course": event.course.title,
        "event_id": event.pk,
        "event_start": _dt(event.start),
        "venue": event.venue,
        "status": booking.get_status_display(),
        "organisation": booking.organisation.name if booking.organisation else None,
        "created_at": _dt(booking.created_at),
        "confirmed_at": _dt(booking.confirmed_at),
        "cancelled_at": _dt(booking.cancelled_at),
        "cancelled_late": booking.cancelled_late,
        "cancellation_reason": str(booking.cancellation_reason or ""),
        "cancellation_detail": booking.cancellation_detail,
        "non_attendance_reason": str(booking.non_attendance_reason or ""),
        "attendance_marked_at": _dt(booking.attendance_marked_at),
        "is_walk_in": booking.is_walk_in,
        "booked_by_someone_else": booking.booked_by_id is not None,
        "line_manager_name": booking.line_manager_name,
        "line_manager_email": booking.line_manager_email,
        "access_needs": booking.access_needs,
        "dietary_needs": booking.dietary_needs,
        "log": [_log_row(entry, booking.person_id) for entry in logs],
    }


def _log_row(entry: BookingLog, person_id: int) -> dict:
    return {
        "booking_id": entry.booking_id,
        "at": _dt(entry.at),
        "action": entry.action,
        "from_status": entry.from_status,
        "to_status": entry.to_status,
        "by": _who(entry.actor_id, person_id),
        "note": entry.note,
    }


def _who(actor_id: int | None, person_id: int) -> str:
    # Other staff are named by role only: the export is the subject's data, not theirs.
    if actor_id is None:
        return "the system"
    return "you" if actor_id == person_id else "a member of staff"


def subject_access_export(person: User) -> dict:
    """Everything held about `person`, grouped by where it is kept (UK GDPR Art. 15)."""
    bookings = list(
        Booking.objects.filter(person=person)
        .select_related(
            "event__course", "organisation", "cancellation_reason", "non_attendance_reason"
        )
        .order_by("created_at", "id")
    )
    logs_by_booking: dict[int, list[BookingLog]] = {}
    for entry in BookingLog.objects.filter(booking__person=person).order_by("at", "id"):
        logs_by_booking.setdefault(entry.booking_id, []).append(entry)
    own_actions = BookingLog.objects.filter(actor=person).exclude(booking__person=person)
    invitations = Invitation.objects.filter(booking__person=person).order_by("created_at", "id")
    responses = Response.objects.filter(invitation__booking__person=person).select_related(
        "invitation", "questionnaire"
    )
    answers = (
        Answer.objects.filter(response__invitation__booking__person=person)
        .select_related("item", "response__invitation")
        .order_by("response_id", "item__order", "item_id")
    )
    user_type = ContentType.objects.get_for_model(User)
    sections = {
        "people.User": [_profile(person)],
        "account.EmailAddress": [
            {"email": e.email, "verified": e.verified, "primary": e.primary}
            for e in EmailAddress.objects.filter(user=person)
        ],
        "account.EmailConfirmation": [
            {"email": c.email_address.email, "created": _dt(c.created), "sent": _dt(c.sent)}
            for c in EmailConfirmation.objects.filter(email_address__user=person).select_related(
                "email_address"
            )
        ],
        "bookings.Booking": [_booking_row(b, logs_by_booking.get(b.pk, [])) for b in bookings],
        "bookings.BookingLog": [
            _log_row(entry, person.pk) for entry in own_actions.order_by("at", "id")
        ],
        "bookings.Enrolment": [
            {
                "course": e.course.title,
                "organisation": e.organisation.name if e.organisation else None,
                "enrolled_at": _dt(e.enrolled_at),
                "completed_at": _dt(e.completed_at),
            }
            for e in Enrolment.objects.filter(person=person).select_related(
                "course", "organisation"
            )
        ],
        "bookings.OutboundEmail": [
            {
                "booking_id": e.booking_id,
                "purpose": e.purpose,
                "recipient": "you" if e.recipient_role == "delegate" else e.recipient_role,
                "state": e.state,
                "sent_at": _dt(e.sent_at),
            }
            for e in OutboundEmail.objects.filter(booking__person=person).order_by(
                "booking_id", "purpose"
            )
        ],
        "courses.Event": [
            {"event_id": e.pk, "course": e.course.title, "start": _dt(e.start), "role": "trainer"}
            for e in Event.objects.filter(trainers=person).select_related("course")
        ],
        "evaluations.Invitation": [
            {
                "booking_id": i.booking_id,
                "stage": i.get_stage_display(),
                "respondent": i.respondent,
                "created_at": _dt(i.created_at),
                "expires_at": _dt(i.expires_at),
            }
            for i in invitations
        ],
        "evaluations.Response": [
            {
                "booking_id": r.invitation.booking_id,
                "stage": r.invitation.get_stage_display(),
                "respondent": r.invitation.respondent,
                "questionnaire": str(r.questionnaire),
                "started_at": _dt(r.started_at),
                "submitted_at": _dt(r.submitted_at),
                "imported_score": str(r.imported_score) if r.imported_score is not None else None,
            }
            for r in responses
        ],
        "evaluations.Answer": [
            {
                "booking_id": a.response.invitation.booking_id,
                "stage": a.response.invitation.get_stage_display(),
                "respondent": a.response.invitation.respondent,
                "question": a.item.text,
                "rating": a.rating,
                "choice": a.choice,
                "text": a.text,
                "publishable": a.is_publishable,
            }
            for a in answers
        ],
        "people.OrganisationLog": [
            {"at": _dt(o.at), "action": o.get_action_display(), "detail": o.detail}
            for o in OrganisationLog.objects.filter(actor=person)
        ],
        "admin.LogEntry": [
            {
                "at": _dt(e.action_time),
                "by": "you" if e.user_id == person.pk else "a member of staff",
                "action": e.get_action_flag_display(),
                "object": e.object_repr,
                "object_type": e.content_type.model if e.content_type_id else None,
                "change": e.get_change_message(),
            }
            for e in LogEntry.objects.filter(
                Q(user=person) | Q(content_type=user_type, object_id=str(person.pk))
            ).select_related("content_type")
        ],
        "privacy.AuditEntry": [
            {
                "at": _dt(e.at),
                "by": "you" if e.actor_id == person.pk else "a member of staff or the system",
                "about_you": e.subject_id == person.pk,
                "action": e.action,
                "object": e.object_repr,
                "before": e.before,
                "after": e.after,
            }
            for e in AuditEntry.objects.filter(Q(actor=person) | Q(subject=person))
        ],
        "imports.ImportRun": [
            {
                "uploaded_at": _dt(r.uploaded_at),
                "files": r.file_names,
                "check_only": r.dry_run,
                "state": r.get_state_display(),
                "finished_at": _dt(r.finished_at),
            }
            for r in ImportRun.objects.filter(uploaded_by=person).defer("files")
        ],
    }
    return {
        "about": f"Personal data held by {settings.PARTNERSHIP_NAME} in Learning Loop",
        "person_id": person.pk,
        "generated_at": _dt(timezone.now()),
        "sections": sections,
        "what_each_section_holds": dict(_coverage().items()),
    }


def _coverage() -> dict:
    from privacy.coverage import COVERED

    return COVERED


def subject_access_json(person: User) -> str:
    return json.dumps(subject_access_export(person), cls=DjangoJSONEncoder, indent=2)


@transaction.atomic
def subject_access_record(*, person: User, actor, fmt: str) -> dict:
    """Produce the export for `person` and log that `actor` did (the export is personal data)."""
    data = subject_access_export(person)
    audit.record(
        action="person.export",
        object_type="people.user",
        object_id=person.pk,
        object_repr=f"Person {person.pk}",
        actor=actor,
        subject=person,
        after={"format": fmt},
    )
    return data


# --- anonymisation -------------------------------------------------------------------------


def _text_fields(model) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, (models.CharField, models.TextField, models.JSONField))
        and not f.primary_key
    ]


def _name_pattern(needle: str) -> re.Pattern:
    # Word boundaries for names ("Ann" must not rewrite "Annual"), none needed for emails.
    return re.compile(r"(?<!\w)" + re.escape(needle) + r"(?!\w)", re.IGNORECASE)


def _scrub_value(value, patterns):
    if isinstance(value, str):
        for pattern in patterns:
            value = pattern.sub(REDACTED, value)
        return value
    if isinstance(value, dict):
        return {k: _scrub_value(v, patterns) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub_value(v, patterns) for v in value]
    return value


def _scrub_rows(queryset, field: models.Field, needles: list[str]) -> int:
    """Replace `needles` in `field` of the rows of `queryset` that contain one. Returns rows."""
    patterns = [_name_pattern(n) for n in needles]
    name = field.attname
    cond = Q()
    for needle in needles:
        if isinstance(field, models.JSONField):
            cond |= Q(_privacy_text__icontains=needle)
        else:
            cond |= Q(**{f"{name}__icontains": needle})
    qs = queryset
    if isinstance(field, models.JSONField):
        qs = qs.annotate(_privacy_text=Cast(F(name), TextField()))
    changed = 0
    for pk, value in qs.filter(cond).values_list("pk", name):
        new = _scrub_value(value, patterns)
        if isinstance(new, str) and getattr(field, "max_length", None):
            new = new[: field.max_length]
        if new != value:
            queryset.model._base_manager.filter(pk=pk).update(**{name: new})
            changed += 1
    return changed


def _scrub_everywhere(needles: list[str], *, skip: set[str]) -> int:
    """Replace `needles` in every text column of every model (but those in `skip`)."""
    changed = 0
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed or meta.label in skip:
            continue
        for field in _text_fields(model):
            changed += _scrub_rows(model._base_manager.all(), field, needles)
    return changed


def _needles(person: User) -> tuple[list[str], list[str]]:
    """(strings safe to replace anywhere, strings to replace only in the person's own rows)."""
    everywhere = [person.email]
    own = [person.email]
    name = " ".join(person.full_name.split())
    if name:
        own.append(name)
        # A full name of two words or more is specific enough to look for everywhere; a single
        # word ("Sam") would rewrite other people's text.
        if len(name.split()) >= 2 and len(name) >= 5:
            everywhere.append(name)
    return everywhere, own


def _sessions_delete(person: User, needles: list[str]) -> int:
    """Delete the person's sessions, and any session mentioning them (e.g. a login-code stash)."""
    engine = import_module(settings.SESSION_ENGINE)
    store_class = engine.SessionStore
    try:
        model = store_class.get_model_class()
    except AttributeError:  # cache or signed-cookie sessions: nothing stored in the database
        return 0
    lowered = [n.lower() for n in needles]
    deleted = 0
    for session in model.objects.iterator():
        data = store_class().decode(session.session_data)
        text = json.dumps(data, cls=DjangoJSONEncoder, default=str).lower()
        if str(data.get("_auth_user_id")) == str(person.pk) or any(n in text for n in lowered):
            store_class(session.session_key).delete()
            deleted += 1
    return deleted


def _task_queue_delete(needles: list[str]) -> int:
    """Delete django-q2 task results and queued tasks mentioning the person (there should be none:
    tasks carry ids); their arguments and results are pickled, so they are decoded to look."""
    from django_q.models import OrmQ, Task
    from django_q.signing import SignedPackage

    lowered = [n.lower() for n in needles]
    deleted = 0
    for task in Task.objects.iterator():
        text = repr((task.name, task.func, task.args, task.kwargs, task.result)).lower()
        if any(n in text for n in lowered):
            task.delete()
            deleted += 1
    for queued in OrmQ.objects.iterator():
        try:
            text = repr(SignedPackage.loads(queued.payload)).lower()
        except Exception:  # noqa: BLE001 - an unreadable payload cannot be checked: keep it
            continue
        if any(n in text for n in lowered):
            queued.delete()
            deleted += 1
    return deleted


@transaction.atomic
def person_anonymise(
    *, person: User, actor, reason: str = "request", confirm_email: str | None = None
) -> User:
    """Remove everything that identifies `person`; keep what reports count (UK GDPR Art. 17)."""
    person = User.objects.select_for_update().get(pk=person.pk)
    if person_is_anonymised(person):
        raise PrivacyError(ALREADY_ANONYMISED)
    if actor is not None and actor.pk == person.pk:
        raise PrivacyError(CANNOT_ANONYMISE_SELF)
    if person.is_superuser:
        raise PrivacyError(CANNOT_ANONYMISE_SUPERUSER)
    if confirm_email is not None and confirm_email.strip().lower() != person.email.lower():
        raise PrivacyError(CONFIRMATION_MISMATCH, field="confirm_email")
    everywhere, own = _needles(person)
    own_patterns = [_name_pattern(n) for n in own]

    # Their bookings: what they told us (line manager, needs, reasons in their words).
    bookings = Booking.objects.filter(person=person)
    booking_ids = list(bookings.values_list("pk", flat=True))
    bookings.update(
        line_manager_name="",
        line_manager_email="",
        access_needs="",
        dietary_needs="",
        cancellation_detail="",
    )
    # Other people's bookings that name them as line manager.
    Booking.objects.filter(line_manager_email__iexact=person.email).update(
        line_manager_name="", line_manager_email=""
    )
    # The line manager's address an invitation was sent to (theirs, or naming them).
    Invitation.objects.filter(
        Q(booking_id__in=booking_ids) | Q(email__iexact=person.email)
    ).exclude(email="").update(email="")
    for entry in BookingLog.objects.filter(booking_id__in=booking_ids).exclude(note=""):
        note = _scrub_value(entry.note, own_patterns)
        if note != entry.note:
            BookingLog.objects.filter(pk=entry.pk).update(note=note)
    # Free text they (or their line manager, about them) wrote; ratings and choices stay.
    Answer.objects.filter(response__invitation__booking__person=person).exclude(text="").update(
        text="", is_publishable=False
    )

    # Sign-in: addresses, verification keys, sessions (allauth's login codes live in sessions).
    EmailConfirmation.objects.filter(email_address__user=person).delete()
    EmailAddress.objects.filter(Q(user=person) | Q(email__iexact=person.email)).delete()
    _sessions_delete(person, own)
    _task_queue_delete(own)

    # Admin history: the object names of their account and records.
    repr_by_type = {
        ContentType.objects.get_for_model(User): [person.pk],
        ContentType.objects.get_for_model(Booking): booking_ids,
        ContentType.objects.get_for_model(Enrolment): list(
            Enrolment.objects.filter(person=person).values_list("pk", flat=True)
        ),
    }
    for content_type, ids in repr_by_type.items():
        if ids:
            LogEntry.objects.filter(
                content_type=content_type, object_id__in=[str(i) for i in ids]
            ).update(object_repr=Value(f"{content_type.name.capitalize()} (anonymised)"))
    about_them = Q(user=person)
    for content_type, ids in repr_by_type.items():
        about_them |= Q(content_type=content_type, object_id__in=[str(i) for i in ids])
    own_log_entries = LogEntry.objects.filter(about_them)
    for field in ("object_repr", "change_message"):
        _scrub_rows(own_log_entries, LogEntry._meta.get_field(field), own)

    # Anywhere else the email (or a full name) was copied: audit notes, organisation logs,
    # answers about colleagues, schedules. The user row itself is rewritten below.
    _scrub_everywhere(everywhere, skip={User._meta.label})

    person.email = ANONYMISED_EMAIL.format(pk=person.pk)
    person.full_name = ""
    person.job_title = ""
    person.is_active = False
    person.is_staff = False
    person.set_unusable_password()
    person.save()
    person.groups.clear()
    person.user_permissions.clear()
    audit.record(
        action="person.anonymise",
        object_type="people.user",
        object_id=person.pk,
        object_repr=f"Person {person.pk}",
        actor=actor,
        subject=person,
        after={"reason": reason, "bookings_kept": len(booking_ids)},
    )
    return person


# --- retention ---------------------------------------------------------------------------------

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.get_fixed_timezone(0))


def retention_days() -> int:
    return int(getattr(settings, "PRIVACY_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


def people_with_last_activity():
    """People annotated with `last_activity`: the latest of joining, signing in, booking, the
    events they booked or trained on, e-learning, evaluation answers and audited actions."""

    def latest(queryset, field):
        return Coalesce(
            Subquery(queryset.order_by(f"-{field}").values(field)[:1]),
            Value(EPOCH),
            output_field=DateTimeField(),
        )

    person = OuterRef("pk")
    return User.objects.annotate(
        last_activity=Greatest(
            F("date_joined"),
            Coalesce(F("last_login"), Value(EPOCH), output_field=DateTimeField()),
            latest(Booking.objects.filter(person=person), "created_at"),
            latest(Booking.objects.filter(person=person), "event__end"),
            latest(Event.objects.filter(trainers=person), "end"),
            latest(Enrolment.objects.filter(person=person), "enrolled_at"),
            latest(Enrolment.objects.filter(person=person), "completed_at"),
            latest(Response.objects.filter(invitation__booking__person=person), "submitted_at"),
            latest(BookingLog.objects.filter(actor=person), "at"),
            output_field=DateTimeField(),
        )
    )


def people_due_for_anonymisation(*, now: datetime | None = None):
    """People whose last activity is more than the retention period ago, not yet anonymised."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=retention_days())
    return (
        people_with_last_activity()
        .filter(last_activity__lt=cutoff, is_superuser=False)
        .exclude(email__startswith="anonymised-", email__endswith="@invalid")
        .order_by("last_activity", "pk")
    )


def retention_run(*, now: datetime | None = None, limit: int = RETENTION_BATCH) -> list[int]:
    """Anonymise (each in its own transaction) up to `limit` people past the retention period."""
    done = []
    for pk in list(people_due_for_anonymisation(now=now).values_list("pk", flat=True)[:limit]):
        person = User.objects.get(pk=pk)
        person_anonymise(person=person, actor=None, reason="retention")
        done.append(pk)
    return done
