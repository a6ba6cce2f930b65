"""The competency expiry reminder as it arrives: a real `qcluster` runs the daily task
`remind_expiring` (queued twice here, as a doubled schedule or a retry would) and the outbox's
sends, to a real SMTP server (aiosmtpd). The person whose achievement runs out within
COMPETENCY_REMINDER_DAYS gets one email; the person who turned reminders off gets none. Marked
`worker` (tests/messaging/test_outbox_worker.py has the worker and the server)."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django_q.conf import Conf
from django_q.models import Task
from django_q.tasks import async_task

from bookings.models import Booking
from competency import reminders
from competency.models import Level
from core.clock import LONDON, london_today
from courses.models import Event, PriorityArea
from messaging.models import OutboundEmail
from people.reminders import reminder_unsubscribe_url
from people.services import person_set_reminder_emails
from tests.bookings.test_calendar_worker import FullInbox
from tests.factories import BookingFactory, CourseFactory, EventFactory, UserFactory
from tests.messaging import test_outbox_worker as outbox_worker
from tests.messaging.test_outbox_worker import SmtpServer, _free_port, _sweep_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
worker = outbox_worker.worker  # the fixture that starts a qcluster on the test database

REMIND = "competency.tasks.remind_expiring"
REFRESHER_MONTHS = 36


def _at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=LONDON)


def _day(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"  # "Thursday 10 June 2027", as emails write it


def _reminders_run() -> list:
    """What each finished run of the daily task returned (how many reminders it owed)."""
    return sorted(Task.objects.filter(func=REMIND, success=True).values_list("result", flat=True))


def _sent(count: int):
    def done() -> bool:
        rows = OutboundEmail.objects.filter(purpose__startswith=reminders.PURPOSE_PREFIX)
        return rows.filter(state=OutboundEmail.State.SENT).count() == count

    return done


def test_one_expiry_reminder_arrives_through_the_real_worker_and_none_for_those_who_opted_out(
    worker, monkeypatch
):
    monkeypatch.setattr(Conf, "SYNC", False)  # queue for the real worker, not inline
    Level.objects.create(number=2, name="Core", refresher_months=REFRESHER_MONTHS)
    neglect = PriorityArea.objects.create(name="Neglect")
    course = CourseFactory(title="Neglect: core skills", priority_area=neglect, competency_level=2)
    # Attended so that it runs out halfway through the reminder window, from today (the worker
    # runs on the real clock).
    today = london_today()
    half_window = timedelta(days=settings.COMPETENCY_REMINDER_DAYS // 2)
    attended_on = today + half_window - relativedelta(months=REFRESHER_MONTHS)
    expires = attended_on + relativedelta(months=REFRESHER_MONTHS)
    assert today < expires <= today + timedelta(days=settings.COMPETENCY_REMINDER_DAYS)
    event = EventFactory(
        course=course,
        start=_at(attended_on, 9),
        end=_at(attended_on, 16),
        status=Event.Status.DELIVERED,
    )
    holder, opted_out = UserFactory(), UserFactory()
    for person in (holder, opted_out):
        BookingFactory(event=event, person=person, status=Booking.Status.ATTENDED)
    person_set_reminder_emails(person=opted_out, on=False)

    inbox = FullInbox()
    server = SmtpServer(inbox, _free_port())
    server.start()
    try:
        worker(server.port)
        async_task(REMIND)
        async_task(REMIND)  # the daily task twice: the reminder is owed, and sent, once
        assert _sweep_until(lambda: len(_reminders_run()) == 2 and _sent(1)(), timeout=90), (
            _reminders_run(),
            list(OutboundEmail.objects.values()),
        )
        time.sleep(3)  # anything else owed would have arrived by now
    finally:
        server.stop()

    assert _reminders_run() == [0, 1]  # one run owed it, the other found it owed already
    row = OutboundEmail.objects.get()
    assert (row.person_id, row.state) == (holder.pk, OutboundEmail.State.SENT)
    assert row.purpose == f"{reminders.PURPOSE_PREFIX}{neglect.pk}-{expires:%Y%m%d}"
    assert [m["To"] for m in inbox.messages] == [holder.email]

    [message] = inbox.messages
    assert message["Subject"] == f"Reminder: your Neglect training runs out on {_day(expires)}"
    text = message.get_body(("plain",)).get_content()
    assert f"Your training in Neglect at level 2 (Core) runs out on {_day(expires)}." in text
    assert f"You achieved it with Neglect: core skills on {_day(attended_on)}." in text
    html = message.get_body(("html",))
    assert html is not None
    assert "Neglect" in html.get_content() and _day(expires) in html.get_content()
    # (a long header is folded onto a new line: the address is what counts)
    assert message["List-Unsubscribe"].strip() == f"<{reminder_unsubscribe_url(holder)}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
