"""A double-clicked send, or two leads sending at once: each person is asked and owed one email,
once. An edit of the topics and an answer at the same moment: the answer meets the old topics or
the new ones, whole, and no answer is lost (PostgreSQL: real concurrent requests, each thread on
its own connection)."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from competency import needs_services as services
from competency.models import NeedsAnswer, NeedsInvitation
from courses.models import PriorityArea
from messaging.models import OutboundEmail
from people import roles
from tests.factories import UserFactory

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row-lock race tests need PostgreSQL"
)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_six_sends_at_once_ask_each_person_once():
    lead = UserFactory(roles=[roles.LEAD])
    today = timezone.localdate()
    survey = services.needs_survey_create(
        actor=lead,
        title="Needs 2027",
        intro="",
        opens_on=today,
        closes_on=today + timedelta(days=10),
        topics={PriorityArea.objects.create(name="Neglect"): ["Recognising neglect"]},
    )
    people = [UserFactory() for _ in range(20)]
    barrier = threading.Barrier(6)
    invited, errors = [], []

    def send():
        try:
            barrier.wait(timeout=30)
            invited.append(services.needs_survey_send(survey=survey, actor=lead, people=people))
        except Exception as exc:  # noqa: BLE001 - any error fails the test
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert sorted(invited) == [0, 0, 0, 0, 0, 20]
    assert NeedsInvitation.objects.filter(survey=survey).count() == 20
    assert OutboundEmail.objects.filter(purpose=services.email_purpose(survey)).count() == 20


# --- an edit of the topics and an answer at the same moment ---------------------------------


def _survey_with_invitation():
    lead = UserFactory(roles=[roles.LEAD])
    neglect = PriorityArea.objects.create(name="Neglect")
    today = timezone.localdate()
    survey = services.needs_survey_create(
        actor=lead,
        title="Needs 2027",
        intro="",
        opens_on=today,
        closes_on=today + timedelta(days=10),
        topics={neglect: ["Recognising neglect", "Working with families"]},
    )
    services.needs_survey_send(survey=survey, actor=lead, people=[UserFactory()])
    return lead, neglect, survey, NeedsInvitation.objects.get(survey=survey)


def _wait_until_someone_waits_for_a_lock(timeout=30.0) -> bool:
    """True once another connection of this database is waiting for a row lock."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.05)
    return False


def _in_thread(target, outcome: dict, key: str) -> threading.Thread:
    def run():
        try:
            outcome[key] = target()
        except Exception as exc:  # noqa: BLE001 - the test looks at what happened
            outcome[key] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_an_answer_sent_while_the_topics_change_meets_the_new_topics_whole():
    lead, neglect, survey, invitation = _survey_with_invitation()
    old_ratings = {t.pk: "3" for t in survey.topics.all()}  # the page the respondent had open
    outcome: dict = {}
    edited, commit = threading.Event(), threading.Event()

    def edit():
        with transaction.atomic():  # the lead's edit, held open until the answer is waiting
            services.needs_survey_update(
                survey=survey,
                actor=lead,
                title=survey.title,
                intro="",
                closes_on=survey.closes_on,
                topics={neglect: ["Working with families", "Neglect and disability"]},
            )
            edited.set()
            commit.wait(timeout=30)

    editor = _in_thread(edit, outcome, "edit")
    assert edited.wait(timeout=30)
    answerer = _in_thread(
        lambda: services.needs_answer_submit(invitation=invitation, data=old_ratings),
        outcome,
        "answer",
    )
    assert _wait_until_someone_waits_for_a_lock()  # the answer waits for the edit
    commit.set()
    editor.join(timeout=60)
    answerer.join(timeout=60)
    assert not isinstance(outcome["edit"], Exception), outcome
    # Not an integrity error on a topic gone: the new topics, and a rating asked for the new one.
    error = outcome["answer"]
    assert isinstance(error, services.NeedsError), outcome
    added = survey.topics.get(text="Neglect and disability")
    assert list(error.errors) == [added.pk]
    assert not NeedsAnswer.objects.exists()
    invitation.refresh_from_db()
    assert invitation.answered_at is None


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_topic_change_sent_while_someone_answers_is_refused_and_loses_no_answer():
    lead, neglect, survey, invitation = _survey_with_invitation()
    ratings = {t.pk: "4" for t in survey.topics.all()}
    outcome: dict = {}
    answered, commit = threading.Event(), threading.Event()

    def answer():
        with transaction.atomic():  # the answer, held open until the edit is waiting
            services.needs_answer_submit(invitation=invitation, data=ratings)
            answered.set()
            commit.wait(timeout=30)

    answerer = _in_thread(answer, outcome, "answer")
    assert answered.wait(timeout=30)
    editor = _in_thread(
        lambda: services.needs_survey_update(
            survey=survey,
            actor=lead,
            title="Changed",
            intro="",
            closes_on=survey.closes_on,
            topics={neglect: ["Something else"]},
        ),
        outcome,
        "edit",
    )
    assert _wait_until_someone_waits_for_a_lock()  # the edit waits for the answer
    commit.set()
    answerer.join(timeout=60)
    editor.join(timeout=60)
    assert not isinstance(outcome["answer"], Exception), outcome
    error = outcome["edit"]
    assert isinstance(error, services.NeedsError) and error.message == services.TOPICS_FIXED
    assert NeedsAnswer.objects.filter(invitation=invitation).count() == 2  # none deleted
    assert sorted(survey.topics.values_list("text", flat=True)) == [
        "Recognising neglect",
        "Working with families",
    ]
    survey.refresh_from_db()
    assert survey.title == "Needs 2027"
