"""Evaluation invitations, their emailed links, saving and submitting answers, versions.

The evaluations app pulls from bookings (never the other way): scheduled jobs find the bookings
that became due for an invitation or a reminder and act on each idempotently.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from bookings.line_manager import line_manager_email_problem
from bookings.models import Booking
from evaluations.models import (
    Answer,
    Invitation,
    Item,
    Questionnaire,
    Respondent,
    Response,
    Stage,
    email_purpose,
)
from evaluations.selectors import questionnaire_for, questionnaire_locked
from evaluations.validation import questionnaire_problems
from messaging.outbox import outbox_enqueue, outbox_record

if TYPE_CHECKING:
    from courses.models import Event
    from people.models import User

LINK_SALT = "evaluations.invitation"
NO_QUESTIONNAIRE = "There is no {stage} questionnaire for this course."
NOT_INVITABLE = "This booking cannot be invited to the {stage} evaluation."
ALREADY_ANSWERED = "This evaluation has already been answered."
LINK_EXPIRED = "This link has expired."
ANSWER_REQUIRED = "Answer this question."
RATING_RANGE = "Choose a rating from 1 to 5."
CHOICE_INVALID = "Choose one of the options."
TEXT_TOO_LONG = "Keep this answer under 5,000 characters."
# Why a link stops taking answers although it has not expired (shown on the link's page).
PRE_CLOSED = (
    "The pre-course evaluation closed when the course started: it asks what you knew before "
    "the course. You will be asked about the course itself afterwards."
)
NO_LONGER_NEEDED = (
    "This evaluation is no longer needed: the place it was about was cancelled or not attended."
)
LINE_MANAGER_NOT_INVITABLE = "The line manager's address cannot be invited: {problem}"


class EvaluationError(Exception):
    def __init__(self, message: str, *, errors: dict[int, str] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class LinkInvalid(Exception):
    """Tampered, unknown, expired: the same friendly page, nothing to enumerate."""


# --- questionnaires ------------------------------------------------------------------------


@transaction.atomic
def questionnaire_new_version(*, questionnaire: Questionnaire) -> Questionnaire:
    """Copy a questionnaire and its items into a new current version; the old keeps its answers."""
    latest = (
        Questionnaire.objects.select_for_update()
        .filter(family=questionnaire.family)
        .order_by("-version")
        .first()
    )
    Questionnaire.objects.filter(family=questionnaire.family).update(is_current=False)
    new = Questionnaire.objects.create(
        name=questionnaire.name,
        stage=questionnaire.stage,
        course=questionnaire.course,
        family=questionnaire.family,
        version=latest.version + 1,
        is_current=True,
        intro=questionnaire.intro,
        respondent=questionnaire.respondent,
    )
    Item.objects.bulk_create(
        Item(
            questionnaire=new,
            order=i.order,
            text=i.text,
            help_text=i.help_text,
            kind=i.kind,
            required=i.required,
            low_label=i.low_label,
            high_label=i.high_label,
            choices=i.choices,
            is_learning_gain=i.is_learning_gain,
            is_retrospective=i.is_retrospective,
        )
        for i in questionnaire.items.all()
    )
    return new


# --- the lead's questionnaire builder -----------------------------------------------------

QUESTIONNAIRE_LOCKED = (
    "This version has been sent to delegates, so its questions cannot change: make a new "
    "version to edit."
)
IN_USE_BROKEN = "This questionnaire is in use, so it must stay complete: {problems}"
NOT_READY = "It cannot be put in use yet: {problems}"
ITEM_FIELDS = (
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


class QuestionnaireRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _editable(questionnaire_id: int) -> Questionnaire:
    """The questionnaire, locked for this transaction, if it may still change."""
    questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire_id)
    if questionnaire_locked(questionnaire):
        raise QuestionnaireRefused(QUESTIONNAIRE_LOCKED)
    return questionnaire


def _keep_complete(questionnaire: Questionnaire, items: list[Item]) -> None:
    """A questionnaire in use (current) never becomes one that cannot be answered properly."""
    if not questionnaire.is_current:
        return
    problems = questionnaire_problems(
        stage=questionnaire.stage, respondent=questionnaire.respondent, items=items
    )
    if problems:
        raise QuestionnaireRefused(IN_USE_BROKEN.format(problems=" ".join(problems)))


def questionnaire_create(
    *, name: str, stage: str, respondent: str, course=None, intro: str = ""
) -> Questionnaire:
    """A new questionnaire, version 1, as a draft: it is sent to no one until put in use."""
    family = f"{slugify(name)[:40] or 'questionnaire'}-{secrets.token_hex(4)}"
    return Questionnaire.objects.create(
        name=name,
        stage=stage,
        respondent=respondent,
        course=course,
        intro=intro,
        family=family,
        version=1,
        is_current=False,
    )


@transaction.atomic
def questionnaire_settings_update(
    *, questionnaire: Questionnaire, name: str, stage: str, respondent: str, course, intro: str
) -> Questionnaire:
    questionnaire = _editable(questionnaire.pk)
    questionnaire.name, questionnaire.stage, questionnaire.respondent = name, stage, respondent
    questionnaire.course, questionnaire.intro = course, intro
    _keep_complete(questionnaire, list(questionnaire.items.all()))
    questionnaire.save()
    return questionnaire


@transaction.atomic
def questionnaire_item_save(
    *, questionnaire: Questionnaire, item_id: int | None = None, **fields
) -> Item:
    """Add a question (at the end) or change one."""
    questionnaire = _editable(questionnaire.pk)
    items = list(questionnaire.items.all())
    if item_id is None:
        item = Item(questionnaire=questionnaire, order=len(items) + 1)
        items.append(item)
    else:
        item = next((i for i in items if i.pk == item_id), None)
        if item is None:
            raise Item.DoesNotExist
    for name in ITEM_FIELDS:
        setattr(item, name, fields.get(name, getattr(item, name)))
    _keep_complete(questionnaire, items)
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def questionnaire_item_delete(*, questionnaire: Questionnaire, item_id: int) -> None:
    questionnaire = _editable(questionnaire.pk)
    items = list(questionnaire.items.all())
    remaining = [i for i in items if i.pk != item_id]
    if len(remaining) == len(items):
        raise Item.DoesNotExist
    _keep_complete(questionnaire, remaining)
    Item.objects.filter(pk=item_id).delete()
    _renumber(remaining)


@transaction.atomic
def questionnaire_item_move(*, questionnaire: Questionnaire, item_id: int, step: int) -> None:
    """Move a question one place up (step -1) or down (+1); at either end nothing moves."""
    questionnaire = _editable(questionnaire.pk)
    items = list(questionnaire.items.all())
    index = next((n for n, i in enumerate(items) if i.pk == item_id), None)
    if index is None:
        raise Item.DoesNotExist
    other = index + (1 if step > 0 else -1)
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
    _renumber(items)


def _renumber(items: list[Item]) -> None:
    for number, item in enumerate(items, start=1):
        if item.order != number:
            item.order = number
            item.save(update_fields=["order"])


def questionnaire_replaces(questionnaire: Questionnaire) -> list[Questionnaire]:
    """The questionnaires in use that putting this one in use would retire: the current ones
    for the same stage, respondent and course, other versions of its own family included."""
    return list(
        Questionnaire.objects.filter(
            stage=questionnaire.stage,
            respondent=questionnaire.respondent,
            course=questionnaire.course,
            is_current=True,
        ).exclude(pk=questionnaire.pk)
    )


@transaction.atomic
def questionnaire_put_in_use(*, questionnaire: Questionnaire) -> list[Questionnaire]:
    """Send this questionnaire from now on, in place of the one used for the same stage,
    respondent and course. It must be complete. Returns the questionnaires it replaced."""
    questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    problems = questionnaire_problems(
        stage=questionnaire.stage,
        respondent=questionnaire.respondent,
        items=list(questionnaire.items.all()),
    )
    if problems:
        raise QuestionnaireRefused(NOT_READY.format(problems=" ".join(problems)))
    replaced = questionnaire_replaces(questionnaire)
    Questionnaire.objects.filter(family=questionnaire.family).exclude(pk=questionnaire.pk).update(
        is_current=False
    )
    for old in replaced:
        old.is_current = False
        old.save(update_fields=["is_current"])
    questionnaire.is_current = True
    questionnaire.save(update_fields=["is_current"])
    return replaced


# --- invitations and links ----------------------------------------------------------------

INVITABLE = {
    Stage.PRE: (*Booking.HOLDS_PLACE,),
    Stage.POST: Booking.ATTENDED_STATUSES,
    Stage.STAGE2: Booking.ATTENDED_STATUSES,
}


def invitation_closed_reason(invitation: Invitation, *, now: datetime | None = None) -> str:
    """Why this invitation takes no answers although its link works; "" while it is open.

    Pre-course: only while the booking holds a place and before the event starts (it measures
    what people knew before). Post-course and stage 2: only for attended or partial bookings.
    A cancelled booking's invitations are withdrawn by this rule, wherever they are used.
    """
    now = now or timezone.now()
    booking = invitation.booking
    if booking.status not in INVITABLE[invitation.stage]:
        return NO_LONGER_NEEDED
    if invitation.stage == Stage.PRE and now >= booking.event.start:
        return PRE_CLOSED
    return ""


def invitation_link_token(invitation: Invitation) -> str:
    """The signed token in the emailed link: an opaque random key, signed so tampering shows."""
    return signing.Signer(salt=LINK_SALT).sign(invitation.key)


def invitation_url(invitation: Invitation) -> str:
    from django.urls import reverse

    return settings.SITE_URL + reverse(
        "evaluations:answer", args=[invitation_link_token(invitation)]
    )


def invitation_expiry(*, booking: Booking, stage: str, now: datetime) -> datetime:
    """When a new or fresh link stops working: EVAL_LINK_DAYS from now, and never before the
    course it belongs to starts (a pre-course link made on 2 December for a 12 January course
    works until the course starts, not until 1 January)."""
    return max(now + timedelta(days=settings.EVAL_LINK_DAYS[stage]), booking.event.start)


def invitation_works_until(invitation: Invitation) -> datetime:
    """The moment an email says its link works until: its expiry, or for a pre-course link the
    course's start if sooner (it closes then: `invitation_closed_reason`). With
    `invitation_expiry` that is never before the course starts."""
    if invitation.stage == Stage.PRE:
        return min(invitation.expires_at, invitation.booking.event.start)
    return invitation.expires_at


def invitation_from_token(token: str, *, now: datetime | None = None) -> Invitation:
    """The invitation behind a link; LinkInvalid for tampered, unknown or expired links."""
    now = now or timezone.now()
    try:
        key = signing.Signer(salt=LINK_SALT).unsign(token)
    except signing.BadSignature as exc:
        raise LinkInvalid from exc
    invitation = (
        Invitation.objects.select_related("booking__event__course", "questionnaire")
        .filter(key=key)
        .first()
    )
    if invitation is None or invitation.expires_at <= now:
        raise LinkInvalid
    return invitation


@transaction.atomic
def invitation_create(
    *, booking: Booking, stage: str, respondent: str = "delegate", now: datetime | None = None
) -> Invitation | None:
    """Invite a booking to a stage once; returns None when it was already invited."""
    now = now or timezone.now()
    if booking.status not in INVITABLE[stage]:
        raise EvaluationError(NOT_INVITABLE.format(stage=Stage(stage).label.lower()))
    if stage == Stage.PRE and now >= booking.event.start:
        raise EvaluationError(PRE_CLOSED)
    email = ""
    if respondent == Respondent.LINE_MANAGER:
        # The manager's stage 2 is tied to the address invited, which must be a partner's and
        # not the delegate's own (a delegate must not rate their own practice as "manager").
        email = booking.line_manager_email
        problem = line_manager_email_problem(email, delegate_email=booking.person.email)
        if problem:
            raise EvaluationError(LINE_MANAGER_NOT_INVITABLE.format(problem=problem))
    questionnaire = questionnaire_for(
        course=booking.event.course, stage=stage, respondent=respondent
    )
    if questionnaire is None:
        raise EvaluationError(NO_QUESTIONNAIRE.format(stage=Stage(stage).label.lower()))
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                booking=booking,
                stage=stage,
                respondent=respondent,
                questionnaire=questionnaire,
                email=email,
                key=secrets.token_urlsafe(32),
                created_at=now,
                expires_at=invitation_expiry(booking=booking, stage=stage, now=now),
            )
    except IntegrityError:
        return None
    _email(booking.id, _purpose(stage, respondent, "invite"), respondent, invitation.id)
    return invitation


@transaction.atomic
def invitation_refresh(*, invitation: Invitation, now: datetime | None = None) -> Invitation:
    """A fresh link for an unanswered invitation (the old link stops working)."""
    now = now or timezone.now()
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("booking__event")
        .get(pk=invitation.pk)
    )
    if _is_submitted(invitation):
        raise EvaluationError(ALREADY_ANSWERED)
    closed = invitation_closed_reason(invitation, now=now)
    if closed:
        raise EvaluationError(closed)
    invitation.key = secrets.token_urlsafe(32)
    invitation.expires_at = invitation_expiry(
        booking=invitation.booking, stage=invitation.stage, now=now
    )
    invitation.save(update_fields=["key", "expires_at"])
    sent_before = invitation.booking.emails.filter(
        purpose__startswith=_purpose(invitation.stage, invitation.respondent, "link")
    ).count()
    purpose = _purpose(invitation.stage, invitation.respondent, f"link{sent_before + 1}")
    _email(invitation.booking_id, purpose, invitation.respondent, invitation.id)
    return invitation


_purpose = email_purpose


EMAIL_TASK = "evaluations.tasks.send_evaluation_email"


def _email(booking_id: int, purpose: str, respondent: str, invitation_id: int) -> None:
    """Owe one email: recorded in this transaction, queued after the commit."""
    row = outbox_record(
        booking_id=booking_id,
        purpose=purpose,
        recipient_role=respondent,
        task=EMAIL_TASK,
        invitation_id=invitation_id,
    )
    transaction.on_commit(lambda: outbox_enqueue(row))


def _is_submitted(invitation: Invitation) -> bool:
    return Response.objects.filter(invitation=invitation, submitted_at__isnull=False).exists()


# --- answering -----------------------------------------------------------------------------


def _clean_answers(items: list[Item], data: dict[int, str], *, submit: bool):
    """Check raw answers per item; returns (clean values, errors by item id)."""
    clean, errors = {}, {}
    for item in items:
        raw = (data.get(item.id) or "").strip()
        if not raw:
            if submit and item.required:
                errors[item.id] = ANSWER_REQUIRED
            continue
        if item.kind == Item.Kind.RATING:
            if raw not in {"1", "2", "3", "4", "5"}:
                errors[item.id] = RATING_RANGE
            else:
                clean[item.id] = int(raw)
        elif item.kind == Item.Kind.CHOICE:
            options = [c.strip() for c in item.choices.splitlines() if c.strip()]
            if raw not in options:
                errors[item.id] = CHOICE_INVALID
            else:
                clean[item.id] = raw
        else:
            if len(raw) > 5000:
                errors[item.id] = TEXT_TOO_LONG
            else:
                clean[item.id] = raw
    return clean, errors


@transaction.atomic
def response_save(
    *, invitation: Invitation, data: dict[int, str], submit: bool, now: datetime | None = None
) -> Response:
    """Save progress, or submit, answers to an invitation. A submitted response is final."""
    now = now or timezone.now()
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("booking__event")
        .get(pk=invitation.pk)
    )
    if invitation.expires_at <= now:
        raise EvaluationError(LINK_EXPIRED)
    closed = invitation_closed_reason(invitation, now=now)
    if closed:
        raise EvaluationError(closed)
    response = Response.objects.filter(invitation=invitation).first()
    if response is not None and response.submitted_at is not None:
        raise EvaluationError(ALREADY_ANSWERED)
    items = list(invitation.questionnaire.items.all())
    clean, errors = _clean_answers(items, data, submit=submit)
    if errors:
        raise EvaluationError("There is a problem with your answers.", errors=errors)
    if response is None:
        response = Response.objects.create(
            invitation=invitation, questionnaire=invitation.questionnaire, started_at=now
        )
    kinds = {item.id: item.kind for item in items}
    response.answers.filter(item_id__in=[i.id for i in items]).delete()
    Answer.objects.bulk_create(
        Answer(
            response=response,
            item_id=item_id,
            rating=value if kinds[item_id] == Item.Kind.RATING else None,
            choice=value if kinds[item_id] == Item.Kind.CHOICE else "",
            text=value if kinds[item_id] == Item.Kind.TEXT else "",
        )
        for item_id, value in clean.items()
    )
    if submit:
        response.submitted_at = now
        response.save(update_fields=["submitted_at"])
    return response


@transaction.atomic
def answer_set_publishable(*, answer: Answer, publishable: bool) -> Answer:
    """The L&D lead marks a free-text answer as quotable in reports."""
    answer.is_publishable = publishable
    answer.save(update_fields=["is_publishable"])
    return answer


# --- reminders ----------------------------------------------------------------------------


@transaction.atomic
def reminder_batch_send(
    *, event: Event, stage: str, actor: User, now: datetime | None = None
) -> int:
    """The lead nudges everyone on an event who has not answered a stage (once a day at most)."""
    now = now or timezone.now()
    purpose_suffix = f"batch{timezone.localdate(now):%Y%m%d}"
    open_invitations = (
        Invitation.objects.filter(booking__event=event, stage=stage, expires_at__gt=now)
        # Withdrawn ones (cancelled places; pre-course once the event started) are not nudged.
        .filter(booking__status__in=INVITABLE[stage])
        .exclude(response__submitted_at__isnull=False)
        .values_list("id", "booking_id", "respondent")
    )
    if stage == Stage.PRE and event.start <= now:
        return 0
    count = 0
    for invitation_id, booking_id, respondent in open_invitations:
        _email(booking_id, _purpose(stage, respondent, purpose_suffix), respondent, invitation_id)
        count += 1
    return count
