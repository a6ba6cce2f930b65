"""The audit trail: record(), the acting person for the request, and questionnaire history.

Booking status changes and attendance marks are logged by bookings.services (BookingLog), and
organisation changes by people.services (OrganisationLog). Questionnaires and their items are
created by data migrations, the importer, defaults and `questionnaire_new_version`: the receivers
here record every save and delete of them with before and after (like django-simple-history).
Bulk writes (`bulk_create`, `QuerySet.update`) send no signals, so a new version's copied items
are recorded once the transaction commits, from the database. Training needs surveys write their
topics in bulk too, so competency's services say what changed, topics included, with the
documented `competency.signals.needs_survey_changed`, received here.

The L&D lead reads the trail at /manage/audit/ (privacy.trail_views).
"""

from __future__ import annotations

import contextvars
from contextlib import contextmanager
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.forms.models import model_to_dict
from django.utils import timezone

from privacy.models import AuditEntry

if TYPE_CHECKING:
    from people.models import User

_actor: contextvars.ContextVar = contextvars.ContextVar("audit_actor", default=None)


def current_actor():
    """The signed-in person whose request is running (set by AuditActorMiddleware), or None."""
    actor = _actor.get()
    return actor.resolve() if hasattr(actor, "resolve") else actor


@contextmanager
def audit_actor(user: User | None):
    """Attribute audit entries written inside the block to `user` (commands, tasks, tests)."""
    token = _actor.set(user if user is not None and user.is_authenticated else None)
    try:
        yield
    finally:
        _actor.reset(token)


def record(
    *,
    action: str,
    obj=None,
    object_type: str = "",
    object_id="",
    object_repr: str = "",
    actor: User | None = None,
    subject: User | None = None,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEntry:
    """Write one audit entry (who, when, what, before and after)."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        object_repr = object_repr or str(obj)
    return AuditEntry.objects.create(
        actor=actor if actor is not None else current_actor(),
        subject=subject,
        at=timezone.now(),
        action=action,
        object_type=object_type,
        object_id="" if object_id is None else str(object_id),
        object_repr=object_repr[:200],
        before=_jsonable(before or {}),
        after=_jsonable(after or {}),
    )


def record_about_person(
    *, action: str, person: User, actor: User | None, after: dict | None = None
) -> AuditEntry:
    """Write one audit entry about a person's whole record (an export, an anonymisation)."""
    return record(
        action=action,
        object_type="people.user",
        object_id=person.pk,
        object_repr=f"Person {person.pk}",
        actor=actor,
        subject=person,
        after=after,
    )


def _jsonable(data: dict) -> dict:
    plain = (str, int, float, bool, type(None))
    return {k: v if isinstance(v, plain) else str(v) for k, v in data.items()}


# --- questionnaires --------------------------------------------------------------------------

QUESTIONNAIRE_FIELDS = ("name", "stage", "course", "version", "family", "is_current", "intro")
ITEM_FIELDS = (
    "questionnaire",
    "order",
    "text",
    "help_text",
    "kind",
    "required",
    "low_label",
    "high_label",
    "choices",
    "is_learning_gain",
    "is_retrospective",
)


def _snapshot(instance, fields) -> dict:
    return model_to_dict(instance, fields=fields)


def _pre_save(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        instance._audit_before = None
        return
    fields = QUESTIONNAIRE_FIELDS if sender._meta.model_name == "questionnaire" else ITEM_FIELDS
    old = sender._default_manager.filter(pk=instance.pk).first()
    instance._audit_before = _snapshot(old, fields) if old is not None else None


def _post_save(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    is_questionnaire = sender._meta.model_name == "questionnaire"
    fields = QUESTIONNAIRE_FIELDS if is_questionnaire else ITEM_FIELDS
    after = _snapshot(instance, fields)
    before = getattr(instance, "_audit_before", None) or {}
    if not created:
        changed = {k for k in after if before.get(k) != after[k]}
        if not changed:
            return
        before = {k: before.get(k) for k in changed}
        after = {k: after[k] for k in changed}
    kind = "questionnaire" if is_questionnaire else "questionnaire_item"
    record(
        action=f"{kind}.{'create' if created else 'change'}",
        obj=instance,
        object_repr=str(instance),
        before=before,
        after=after,
    )
    if is_questionnaire and created:
        # Items of a new version are bulk-created after this signal: record them at commit.
        actor = current_actor()
        transaction.on_commit(lambda: _record_items(instance.pk, actor))


def _record_items(questionnaire_id: int, actor: User | None) -> None:
    from evaluations.models import Questionnaire

    questionnaire = Questionnaire.objects.filter(pk=questionnaire_id).first()
    if questionnaire is None:
        return
    items = {
        f"item {i.order}": f"[{i.kind}{', learning gain' if i.is_learning_gain else ''}] {i.text}"
        for i in questionnaire.items.all()
    }
    if items:
        record(action="questionnaire.items", obj=questionnaire, actor=actor, after=items)


def _post_delete(sender, instance, **kwargs):
    is_questionnaire = sender._meta.model_name == "questionnaire"
    fields = QUESTIONNAIRE_FIELDS if is_questionnaire else ITEM_FIELDS
    kind = "questionnaire" if is_questionnaire else "questionnaire_item"
    record(action=f"{kind}.delete", obj=instance, before=_snapshot(instance, fields))


# --- a person's scope: organisation and roles -----------------------------------------------
# An organisation manager's organisation decides whose reports they see, so every change of a
# person's organisation or roles is recorded, whoever makes it (admin, service, import).


def _person_pre_save(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or instance.pk is None or (update_fields and "organisation" not in update_fields):
        instance._audit_organisation = instance.organisation_id  # no change to look for
        return
    old = sender._default_manager.filter(pk=instance.pk).values("organisation_id").first()
    instance._audit_organisation = (old or {}).get("organisation_id", instance.organisation_id)


def _person_post_save(sender, instance, created, raw=False, **kwargs):
    if raw or created:
        return
    before = getattr(instance, "_audit_organisation", instance.organisation_id)
    if before == instance.organisation_id:
        return
    from people.models import Organisation

    names = dict(
        Organisation.objects.filter(pk__in=[before, instance.organisation_id]).values_list(
            "pk", "name"
        )
    )
    record(
        action="person.organisation",
        obj=instance,
        object_repr=f"Person {instance.pk}",
        subject=instance,
        before={"organisation_id": before, "organisation": names.get(before, "")},
        after={
            "organisation_id": instance.organisation_id,
            "organisation": names.get(instance.organisation_id, ""),
        },
    )


def _person_groups_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    if reverse:
        return
    if action == "pre_clear":
        instance._audit_groups_cleared = sorted(instance.groups.values_list("name", flat=True))
        return
    if action == "post_clear":
        names = getattr(instance, "_audit_groups_cleared", [])
    elif action in ("post_add", "post_remove"):
        names = sorted(model.objects.filter(pk__in=pk_set or []).values_list("name", flat=True))
    else:
        return
    if not names:
        return
    record(
        action="person.roles",
        obj=instance,
        object_repr=f"Person {instance.pk}",
        subject=instance,
        before={"removed": ", ".join(names) if action != "post_add" else ""},
        after={
            "added": ", ".join(names) if action == "post_add" else "",
            "roles": ", ".join(sorted(instance.groups.values_list("name", flat=True))),
        },
    )


def _email_resent(sender, row, actor: User | None, before_state: str, **kwargs):
    # Codes and ids only: the outbox row holds no address.
    about = f"booking {row.booking_id}" if row.booking_id else f"person {row.person_id}"
    record(
        action="email.resend",
        obj=row,
        object_repr=f"{row.purpose} for {about}",
        actor=actor,
        subject=row.person if row.booking_id is None else row.booking.person,
        before={"state": before_state},
        after={"state": row.state},
    )


def _needs_survey_changed(sender, survey, actor: User | None, created: bool, before, after, **kw):
    record(
        action=f"needs_survey.{'create' if created else 'change'}",
        obj=survey,
        actor=actor,
        before=before,
        after=after,
    )


def connect() -> None:
    from django.contrib.auth import get_user_model

    from competency.signals import needs_survey_changed
    from evaluations.models import Item, Questionnaire
    from messaging.signals import email_resend_requested

    email_resend_requested.connect(_email_resent, dispatch_uid="privacy.audit.email_resend")
    needs_survey_changed.connect(_needs_survey_changed, dispatch_uid="privacy.audit.needs_survey")

    person = get_user_model()
    pre_save.connect(_person_pre_save, sender=person, dispatch_uid="privacy.audit.person.pre")
    post_save.connect(_person_post_save, sender=person, dispatch_uid="privacy.audit.person.post")
    m2m_changed.connect(
        _person_groups_changed,
        sender=person.groups.through,
        dispatch_uid="privacy.audit.person.groups",
    )

    for model in (Questionnaire, Item):
        uid = f"privacy.audit.{model._meta.label_lower}"
        pre_save.connect(_pre_save, sender=model, dispatch_uid=uid + ".pre")
        post_save.connect(_post_save, sender=model, dispatch_uid=uid + ".post")
        post_delete.connect(_post_delete, sender=model, dispatch_uid=uid + ".delete")
