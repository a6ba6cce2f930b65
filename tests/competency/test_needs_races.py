"""A double-clicked send, or two leads sending at once: each person is asked and owed one email,
once (PostgreSQL: real concurrent requests, each thread on its own connection)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from competency import needs_services as services
from competency.models import NeedsInvitation
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
