"""Writes of the training needs analysis: the lead's survey and its topics, sending it (one
email per person, through the outbox), and a respondent's answers by the emailed link."""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from competency.models import NeedsAnswer, NeedsInvitation, NeedsSurvey, NeedsTopic
from competency.signals import needs_survey_changed
from core.clock import EARLIEST_YEAR, LATEST_YEAR, LONDON, YEAR_OUT_OF_RANGE, day_start
from core.text import clean_line, clean_text
from courses.models import PriorityArea
from messaging.models import OutboundEmail
from messaging.outbox import outbox_enqueue

if TYPE_CHECKING:
    from people.models import User

logger = logging.getLogger(__name__)

LINK_SALT = "competency.needs"
EMAIL_TASK = "competency.needs_tasks.send_needs_email"
QUEUE_TASK = "competency.needs_tasks.needs_emails_queue"

TITLE_MISSING = "Enter a title for the survey."
DATES_WRONG = "The closing date must be the same as or after the opening date."
CLOSES_IN_PAST = "The closing date must be today or later."
NO_TOPICS = "Add at least one topic, in any priority area."
TOPIC_TOO_LONG = "Topic “{topic}…” is too long: keep each topic under 300 characters."
NOTHING_TO_SEND = "Paste at least one email address, or choose at least one organisation."
BAD_EMAIL_LINES = "These lines are not the email address of anyone with an account: {lines}."
SURVEY_CLOSED = "This survey closed on {day}: it can no longer be sent or answered."
SURVEY_NOT_OPEN_SEND = "This survey opens on {day}: send it from that day."
SURVEY_NOT_OPEN = "This survey opens on {day}: it takes answers from that day."
SURVEY_CLOSED_EDIT = "This survey closed on {day}: it can no longer be changed."
TOPICS_FIXED = (
    "The topics can no longer change: people have already answered them, and every answer "
    "must be to the same topics."
)
NO_ONE_TO_ASK = "No one active was found in the organisations chosen."
ALREADY_ANSWERED = "You have already answered this survey: thank you."
RATE_TOPIC = "Rate your confidence in “{topic}”, or choose “Not relevant to my role”."
NOT_RELEVANT = "n/a"
CONFIDENCE_LABELS = {
    1: "Not at all confident",
    2: "Slightly confident",
    3: "Fairly confident",
    4: "Confident",
    5: "Very confident",
}


class NeedsError(Exception):
    def __init__(self, message: str, field: str | None = None, errors: dict | None = None):
        super().__init__(message)
        self.message, self.field, self.errors = message, field, errors or {}


class LinkInvalid(Exception):
    """Tampered, unknown: the same friendly page, nothing to enumerate."""


PURPOSE_PREFIX = "needs-survey-"


def email_purpose(survey: NeedsSurvey) -> str:
    """The outbox purpose of a survey's invitation: one email per person and survey."""
    return f"{PURPOSE_PREFIX}{survey.pk}"


def survey_id_of(purpose: str) -> int | None:
    """The survey an outbox purpose names (email_purpose's inverse), or None."""
    rest = purpose.removeprefix(PURPOSE_PREFIX)
    return int(rest) if rest != purpose and rest.isdigit() else None


def survey_closes_at(survey: NeedsSurvey) -> datetime:
    """The end of the closing day in Europe/London: answers are taken until then."""
    return datetime.combine(survey.closes_on + timedelta(days=1), time(0), tzinfo=LONDON)


def survey_is_closed(survey: NeedsSurvey, *, now: datetime | None = None) -> bool:
    return (now or timezone.now()) >= survey_closes_at(survey)


def survey_not_open_yet(survey: NeedsSurvey, *, now: datetime | None = None) -> bool:
    """True before the start of the opening day in Europe/London."""
    return (now or timezone.now()) < day_start(survey.opens_on)


# --- the lead's survey ---------------------------------------------------------------------


def topics_from_text(text: str) -> list[str]:
    """One topic per line, blank lines and repeats dropped, each line cleaned."""
    seen, topics = set(), []
    for line in clean_text(text or "").splitlines():
        topic = clean_line(line).strip(" -•*\t")
        if topic and topic.lower() not in seen:
            seen.add(topic.lower())
            topics.append(topic)
    return topics


def _checked_title(title: str) -> str:
    title = clean_line(title or "")
    if not title:
        raise NeedsError(TITLE_MISSING, field="title")
    return title


def _check_year(day: date, field: str) -> None:
    if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
        raise NeedsError(YEAR_OUT_OF_RANGE, field=field)


def _check_closing(*, opens_on: date, closes_on: date, today: date) -> None:
    _check_year(opens_on, "opens_on")
    _check_year(closes_on, "closes_on")
    if closes_on < opens_on:
        raise NeedsError(DATES_WRONG, field="closes_on")
    if closes_on < today:
        raise NeedsError(CLOSES_IN_PAST, field="closes_on")


def _checked_topics(
    topics: Mapping[PriorityArea, Iterable[str]],
) -> list[tuple[PriorityArea, list[str]]]:
    """The areas with at least one topic, each topic's text in the order given; NeedsError when
    there are none or one is too long."""
    wanted = [(area, list(texts)) for area, texts in topics.items() if list(texts)]
    if not wanted:
        raise NeedsError(NO_TOPICS, field="topics")
    for _area, texts in wanted:
        for text in texts:
            if len(text) > 300:
                raise NeedsError(TOPIC_TOO_LONG.format(topic=text[:40]), field="topics")
    return wanted


# What the audit trail is told of a survey (competency.signals.needs_survey_changed).
SURVEY_FIELDS = ("title", "intro", "opens_on", "closes_on")
TOPICS_KEY = "topics: {area}"


def _plain(value):
    return value.isoformat() if isinstance(value, date) else value


def _topics_by_area(survey: NeedsSurvey) -> dict[str, str]:
    """{"topics: <area>": "first; second"} in the order the survey's pages list them."""
    found: dict[str, list[str]] = {}
    for area, text in survey.topics.order_by(*TOPIC_ORDER).values_list(
        "priority_area__name", "text"
    ):
        found.setdefault(TOPICS_KEY.format(area=area), []).append(text)
    return {key: "; ".join(texts) for key, texts in found.items()}


@transaction.atomic
def needs_survey_create(
    *,
    actor: User,
    title: str,
    intro: str,
    opens_on: date,
    closes_on: date,
    topics: Mapping[PriorityArea, Iterable[str]],
    today: date | None = None,
) -> NeedsSurvey:
    """A survey with its topics, grouped by priority area (in the order given)."""
    today = today or timezone.localdate()
    title = _checked_title(title)
    _check_closing(opens_on=opens_on, closes_on=closes_on, today=today)
    wanted = _checked_topics(topics)
    survey = NeedsSurvey.objects.create(
        title=title,
        intro=clean_text(intro or "").strip(),
        opens_on=opens_on,
        closes_on=closes_on,
        created_by=actor,
    )
    NeedsTopic.objects.bulk_create(
        NeedsTopic(survey=survey, priority_area=area, text=text, order=order)
        for area, texts in wanted
        for order, text in enumerate(texts, start=1)
    )
    after = {name: _plain(getattr(survey, name)) for name in SURVEY_FIELDS}
    needs_survey_changed.send(
        sender=NeedsSurvey,
        survey=survey,
        actor=actor,
        created=True,
        before={},
        after=after | _topics_by_area(survey),
    )
    return survey


TOPIC_ORDER = ("priority_area__name", "order", "id")  # as the survey's pages list its topics


@transaction.atomic
def needs_survey_update(
    *,
    survey: NeedsSurvey,
    actor: User,
    title: str,
    intro: str,
    closes_on: date,
    topics: Mapping[PriorityArea, Iterable[str]] | None = None,
    today: date | None = None,
) -> NeedsSurvey:
    """Change a survey before it closes: its title, introduction and closing date at any time,
    its topics (None: left as they are) only while nobody has answered."""
    today = today or timezone.localdate()
    # The survey row is the topics' lock: needs_answer_submit takes it too, so an answer arriving
    # now waits, then meets either the old topics or the new ones, never half of each.
    survey = NeedsSurvey.objects.select_for_update().get(pk=survey.pk)
    if survey.closes_on < today:
        raise NeedsError(SURVEY_CLOSED_EDIT.format(day=f"{survey.closes_on:%-d %B %Y}"))
    title = _checked_title(title)
    _check_closing(opens_on=survey.opens_on, closes_on=closes_on, today=today)
    changed = []
    before, after = {}, {}
    for name, value in (
        ("title", title),
        ("intro", clean_text(intro or "").strip()),
        ("closes_on", closes_on),
    ):
        if getattr(survey, name) != value:
            before[name], after[name] = _plain(getattr(survey, name)), _plain(value)
            setattr(survey, name, value)
            changed.append(name)
    if topics is not None:
        wanted = _checked_topics(topics)
        current = [(t.priority_area_id, t.text) for t in survey.topics.order_by(*TOPIC_ORDER)]
        new = [
            (area.pk, text)
            for area, texts in sorted(wanted, key=lambda pair: pair[0].name)
            for text in texts
        ]
        if new != current:
            if NeedsInvitation.objects.filter(survey=survey, answered_at__isnull=False).exists():
                raise NeedsError(TOPICS_FIXED, field="topics")
            old_topics = _topics_by_area(survey)
            _topics_replace(survey, wanted)
            new_topics = _topics_by_area(survey)
            for key in dict.fromkeys([*old_topics, *new_topics]):
                if old_topics.get(key, "") != new_topics.get(key, ""):
                    before[key], after[key] = old_topics.get(key, ""), new_topics.get(key, "")
            changed.append("topics")
    if changed:
        survey.save(update_fields=[name for name in changed if name != "topics"])
        logger.info("Needs survey %s changed by %s: %s", survey.pk, actor.pk, ", ".join(changed))
        needs_survey_changed.send(
            sender=NeedsSurvey,
            survey=survey,
            actor=actor,
            created=False,
            before=before,
            after=after,
        )
    return survey


def _topics_replace(survey: NeedsSurvey, wanted: list[tuple[PriorityArea, list[str]]]) -> None:
    """Make the survey's topics the ones wanted. A topic kept (same area, same words) keeps its
    row, so a respondent whose page was open before the change keeps their rating of it."""
    existing = {(t.priority_area_id, t.text.lower()): t for t in survey.topics.all()}
    kept, added = [], []
    for area, texts in wanted:
        for order, text in enumerate(texts, start=1):
            topic = existing.pop((area.pk, text.lower()), None)
            if topic is None:
                added.append(NeedsTopic(survey=survey, priority_area=area, text=text, order=order))
            else:
                topic.text, topic.order = text, order
                kept.append(topic)
    NeedsTopic.objects.filter(pk__in=[t.pk for t in existing.values()]).delete()
    NeedsTopic.objects.bulk_update(kept, ["text", "order"])
    NeedsTopic.objects.bulk_create(added)


# --- sending -------------------------------------------------------------------------------

_SPLIT = re.compile(r"[,;\s]+")


def needs_recipients_from_emails(text: str) -> list[User]:
    """The active people whose addresses are pasted (one or more a line, split on commas,
    semicolons or spaces); NeedsError naming every line that is not someone's address."""
    from people.models import User

    lines = [clean_line(line) for line in clean_text(text or "").splitlines()]
    wanted: dict[str, int] = {}
    bad = []
    for number, line in enumerate(lines, start=1):
        for part in filter(None, _SPLIT.split(line.strip())):
            address = part.strip("<>\"'").lower()
            try:
                validate_email(address)
            except ValidationError:
                bad.append((number, part))
                continue
            wanted.setdefault(address, number)
    found = {
        u.email.lower(): u
        for u in User.objects.annotate(address=Lower("email"))
        .filter(address__in=list(wanted), is_active=True)
        .select_related("organisation")
    }
    bad += [(n, a) for a, n in wanted.items() if a not in found]
    if bad:
        shown = "; ".join(f"line {n}: {part}" for n, part in sorted(bad)[:20])
        more = f" (and {len(bad) - 20} more)" if len(bad) > 20 else ""
        raise NeedsError(BAD_EMAIL_LINES.format(lines=shown + more), field="emails")
    return [found[a] for a in wanted]


def needs_recipients_from_organisations(organisation_ids: Iterable[int]) -> list[User]:
    """Every active person of the organisations chosen."""
    from people.models import User

    return list(
        User.objects.filter(organisation_id__in=list(organisation_ids), is_active=True)
        .select_related("organisation")
        .order_by("pk")
    )


@transaction.atomic
def needs_survey_send(
    *,
    survey: NeedsSurvey,
    actor: User,
    people: Iterable[User],
    now: datetime | None = None,
) -> int:
    """Invite each person once, owing each one email (recorded here, sent by the worker).

    Someone already asked is skipped, so sending again emails only those new to the list.
    Returns how many were newly invited."""
    now = now or timezone.now()
    survey = NeedsSurvey.objects.select_for_update().get(pk=survey.pk)  # one sender at a time
    if survey_is_closed(survey, now=now):
        raise NeedsError(SURVEY_CLOSED.format(day=f"{survey.closes_on:%-d %B %Y}"))
    if survey_not_open_yet(survey, now=now):
        raise NeedsError(SURVEY_NOT_OPEN_SEND.format(day=f"{survey.opens_on:%-d %B %Y}"))
    people = {p.pk: p for p in people}
    if not people:
        raise NeedsError(NO_ONE_TO_ASK)
    asked = set(
        NeedsInvitation.objects.filter(survey=survey, person_id__in=list(people)).values_list(
            "person_id", flat=True
        )
    )
    new = [p for pk, p in people.items() if pk not in asked]
    invitations = NeedsInvitation.objects.bulk_create(
        NeedsInvitation(
            survey=survey,
            person=p,
            organisation_id=p.organisation_id,
            key=secrets.token_urlsafe(32),
            created_at=now,
        )
        for p in new
    )
    purpose = email_purpose(survey)
    OutboundEmail.objects.bulk_create(
        (
            OutboundEmail(
                booking=None,
                person_id=invitation.person_id,
                purpose=purpose,
                recipient_role=OutboundEmail.PERSON,
                task=EMAIL_TASK,
                invitation_id=invitation.pk,
                created_at=now,
            )
            for invitation in invitations
        ),
        ignore_conflicts=True,
    )
    if invitations:
        # One task queues the survey's owed emails: a list of thousands is never queued in the
        # request. Each email then goes once, by its own task (the outbox's claim).
        survey_id = survey.pk

        def queue():
            from django_q.tasks import async_task

            try:
                async_task(QUEUE_TASK, survey_id, task_name=f"needs-queue-{survey_id}")
            except Exception:  # noqa: BLE001 - the outbox sweeper queues owed rows later
                logger.exception("Could not queue survey %s; the outbox sweeper will", survey_id)

        transaction.on_commit(queue)
    return len(invitations)


def needs_emails_queue(*, survey: NeedsSurvey) -> int:
    """Queue every email this survey still owes (each is claimed and sent once by its task)."""
    rows = OutboundEmail.objects.filter(
        booking__isnull=True,
        purpose=email_purpose(survey),
        state=OutboundEmail.State.PENDING,
    )
    return sum(outbox_enqueue(row) for row in rows)


# --- the link ------------------------------------------------------------------------------


def needs_link_token(invitation: NeedsInvitation) -> str:
    """The signed token in the emailed link: the opaque random key, signed so tampering shows."""
    return signing.Signer(salt=LINK_SALT).sign(invitation.key)


def needs_link_url(invitation: NeedsInvitation) -> str:
    return settings.SITE_URL + reverse(
        "competency:needs_answer", args=[needs_link_token(invitation)]
    )


def needs_invitation_from_token(token: str) -> NeedsInvitation:
    """The invitation behind a link; LinkInvalid for a tampered or unknown one."""
    try:
        key = signing.Signer(salt=LINK_SALT).unsign(token)
    except signing.BadSignature as exc:
        raise LinkInvalid from exc
    invitation = NeedsInvitation.objects.select_related("survey").filter(key=key).first()
    if invitation is None:
        raise LinkInvalid
    return invitation


# --- answering -----------------------------------------------------------------------------


@transaction.atomic
def needs_answer_submit(
    *, invitation: NeedsInvitation, data: Mapping[int, str], now: datetime | None = None
) -> NeedsInvitation:
    """Store one person's confidence in every topic (1-5, or not relevant), once."""
    now = now or timezone.now()
    # The survey first (as needs_survey_send and needs_survey_update lock it): its topics cannot
    # change while this answer is checked against them and saved.
    survey = NeedsSurvey.objects.select_for_update().get(pk=invitation.survey_id)
    invitation = NeedsInvitation.objects.select_for_update().get(pk=invitation.pk)
    invitation.survey = survey
    if invitation.answered_at is not None:
        raise NeedsError(ALREADY_ANSWERED)
    if survey_is_closed(survey, now=now):
        raise NeedsError(SURVEY_CLOSED.format(day=f"{survey.closes_on:%-d %B %Y}"))
    if survey_not_open_yet(survey, now=now):
        raise NeedsError(SURVEY_NOT_OPEN.format(day=f"{survey.opens_on:%-d %B %Y}"))
    topics = list(survey.topics.all())
    errors, ratings = {}, {}
    for topic in topics:
        value = (data.get(topic.pk) or "").strip()
        if value == NOT_RELEVANT:
            ratings[topic.pk] = None
        elif value in {"1", "2", "3", "4", "5"}:
            ratings[topic.pk] = int(value)
        else:
            errors[topic.pk] = RATE_TOPIC.format(topic=topic.text)
    if errors:
        raise NeedsError(next(iter(errors.values())), errors=errors)
    NeedsAnswer.objects.bulk_create(
        NeedsAnswer(invitation=invitation, topic_id=topic_id, confidence=rating)
        for topic_id, rating in ratings.items()
    )
    invitation.answered_at = now
    invitation.save(update_fields=["answered_at"])
    return invitation
