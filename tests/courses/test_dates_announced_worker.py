"""The dates-announced email as it arrives: a real `qcluster` runs the task the published event
queues and the outbox's sends, to a real SMTP server (aiosmtpd). Each person waiting gets one
email, however many dates are published and however often the task is run. Marked `worker`
(tests/messaging/test_outbox_worker.py has the worker and the server)."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from datetime import time as clock

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django_q.conf import Conf
from django_q.models import Task
from django_q.tasks import async_task

from core.clock import LONDON
from courses import interest
from courses.models import CourseInterest, Event
from courses.services import event_create
from messaging.models import OutboundEmail
from tests.bookings.test_calendar_worker import FullInbox
from tests.factories import CourseFactory, UserFactory
from tests.messaging import test_outbox_worker as outbox_worker
from tests.messaging.test_outbox_worker import SmtpServer, _free_port, _sweep_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
worker = outbox_worker.worker  # the fixture that starts a qcluster on the test database


def _event(course, days: int) -> Event:
    day = (timezone.now() + timedelta(days=days)).astimezone(LONDON).date()
    return Event(
        course=course,
        start=datetime.combine(day, clock(9, 30), tzinfo=LONDON),
        end=datetime.combine(day, clock(12, 30), tzinfo=LONDON),
        capacity=20,
    )


def _told(count: int):
    def done() -> bool:
        rows = OutboundEmail.objects.filter(purpose__startswith=interest.PURPOSE_PREFIX)
        return rows.filter(state=OutboundEmail.State.SENT).count() == count

    return done


def _notify_tasks_done() -> int:
    return Task.objects.filter(func="courses.tasks.notify_interested", success=True).count()


def test_each_person_waiting_gets_one_email_through_the_real_worker(worker, monkeypatch):
    monkeypatch.setattr(Conf, "SYNC", False)  # queue for the real worker, not inline
    inbox = FullInbox()
    server = SmtpServer(inbox, _free_port())
    server.start()
    course = CourseFactory(title="Neglect: Recognising the Signs")
    waiting = [UserFactory(), UserFactory()]
    for person in waiting:
        interest.interest_register(course=course, person=person)
    try:
        worker(server.port)
        first = event_create(event=_event(course, 40))  # the signal queues the task on commit
        assert _sweep_until(_told(2), timeout=90), list(OutboundEmail.objects.values())
        # Another date, and the first date's task run again: nobody is emailed twice.
        event_create(event=_event(course, 47))
        async_task("courses.tasks.notify_interested", first.pk)
        # The rerun ran (the second date queued no task: nobody was left waiting)...
        assert _sweep_until(lambda: _notify_tasks_done() == 2, timeout=60)
        time.sleep(3)  # ...and anything they owed would have arrived by now
        assert OutboundEmail.objects.count() == 2
    finally:
        server.stop()

    assert sorted(m["To"] for m in inbox.messages) == sorted(p.email for p in waiting)
    message = inbox.messages[0]
    assert message["Subject"] == "Dates announced: Neglect: Recognising the Signs"
    text = message.get_body(("plain",)).get_content()
    assert settings.SITE_URL + reverse("courses:event", args=[first.pk]) in text
    assert message.get_body(("html",)) is not None
    assert CourseInterest.objects.filter(notified_event=first).count() == 2
