"""Anonymisation (erasure, UK GDPR Art. 17): remove what identifies a person, keep the counts.

Anonymising keeps every row that a report counts (bookings, statuses, organisations, ratings,
completions, dates) and removes what identifies the person: their name and email wherever they
were copied, free text they wrote, the line manager they named, their sign-in addresses,
sessions and queued tasks. Report figures are therefore unchanged to the decimal.
"""

from __future__ import annotations

import json
import re
from importlib import import_module

from allauth.account.models import EmailAddress, EmailConfirmation
from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import F, Q, TextField, Value
from django.db.models.functions import Cast

from bookings.models import Booking, BookingLog, Enrolment
from evaluations.models import Answer, Invitation
from people.models import User
from privacy import audit
from privacy.coverage import PERSONAL_TEXT

REDACTED = "[anonymised]"
ANONYMISED_EMAIL = "anonymised-{pk}@invalid"
ALREADY_ANONYMISED = "This person has already been anonymised."
CANNOT_ANONYMISE_SELF = "You cannot anonymise your own account."
CANNOT_ANONYMISE_SUPERUSER = "Remove this person's superuser status before anonymising them."
CONFIRMATION_MISMATCH = "Type the person's email address exactly to confirm."


class PrivacyError(Exception):
    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def person_is_anonymised(person: User) -> bool:
    """Already anonymised: the account carries the placeholder address."""
    return person.email == ANONYMISED_EMAIL.format(pk=person.pk)


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


def _scrub_registered(needles: list[str]) -> int:
    """Replace `needles` in every row of the text columns privacy.coverage.PERSONAL_TEXT lists."""
    changed = 0
    for label, names in PERSONAL_TEXT.items():
        model = apps.get_model(label)
        for name in names:
            field = model._meta.get_field(name)
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
    *, person: User, actor: User | None, reason: str = "request", confirm_email: str | None = None
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

    # Anywhere else the email (or a full name) can have been copied: audit notes, organisation
    # logs, answers about colleagues, schedules (privacy.coverage.PERSONAL_TEXT). The user row
    # itself is rewritten below.
    _scrub_registered(everywhere)

    person.email = ANONYMISED_EMAIL.format(pk=person.pk)
    person.full_name = ""
    person.job_title = ""
    person.is_active = False
    person.is_staff = False
    person.set_unusable_password()
    person.save()
    person.groups.clear()
    person.user_permissions.clear()
    kept = {"reason": reason, "bookings_kept": len(booking_ids)}
    audit.record_about_person(action="person.anonymise", person=person, actor=actor, after=kept)
    return person
