"""Issue 14: a link's stated expiry is never before the course it belongs to. A pre-course link
sent on 2 December for a 12 January course used to "work until 1 January" (30 days), and did
stop working then, eleven days before the course."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from bookings.models import Booking
from evaluations import services
from evaluations.defaults import ensure_default_questionnaires
from evaluations.models import Stage
from tests.factories import BookingFactory, EventFactory

pytestmark = pytest.mark.django_db
SENT = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
COURSE_START = datetime(2027, 1, 12, 9, 30, tzinfo=UTC)  # 09:30 in London (GMT)


@pytest.fixture(autouse=True)
def setup(db, monkeypatch, settings):
    settings.EVAL_LINK_DAYS = {"pre": 30, "post": 30, "stage2": 60}
    ensure_default_questionnaires()
    monkeypatch.setattr("django.db.transaction.on_commit", lambda func, *a, **k: func())


@pytest.fixture
def january_booking(practitioner):
    event = EventFactory(start=COURSE_START, end=COURSE_START + timedelta(hours=3))
    return BookingFactory(event=event, person=practitioner, status=Booking.Status.CONFIRMED)


def test_a_pre_course_link_for_12_january_works_until_the_course_starts(
    client, january_booking, mailoutbox
):
    with time_machine.travel(SENT, tick=False):
        invitation = services.invitation_create(booking=january_booking, stage=Stage.PRE)

    assert invitation.expires_at >= COURSE_START
    (message,) = mailoutbox
    assert "It works until your course starts, Tuesday 12 January 2027 at 09:30." in message.body
    assert "1 January" not in message.body
    # And it does work on the days between: on 5 January the questions are there.
    link = reverse("evaluations:answer", args=[services.invitation_link_token(invitation)])
    with time_machine.travel(datetime(2027, 1, 5, 12, 0, tzinfo=UTC)):
        assert client.get(link).status_code == 200


def test_a_fresh_pre_course_link_also_works_until_the_course_starts(january_booking, mailoutbox):
    with time_machine.travel(SENT, tick=False):
        invitation = services.invitation_create(booking=january_booking, stage=Stage.PRE)
        services.invitation_refresh(invitation=invitation)
    invitation.refresh_from_db()
    assert invitation.expires_at >= COURSE_START
    assert "Tuesday 12 January 2027 at 09:30" in mailoutbox[-1].body


@pytest.mark.parametrize("days_before", [60, 10])
def test_the_email_states_the_start_whether_the_link_days_end_before_or_after_it(
    january_booking, mailoutbox, days_before
):
    """60 days before, the 30 days would end before the course: the link lasts to the start.
    10 days before, they end after it: the email still states the start, when pre-course
    answers close."""
    with time_machine.travel(COURSE_START - timedelta(days=days_before), tick=False):
        invitation = services.invitation_create(booking=january_booking, stage=Stage.PRE)
    assert invitation.expires_at == max(
        COURSE_START, COURSE_START - timedelta(days=days_before - 30)
    )
    assert "It works until your course starts, Tuesday 12 January 2027 at 09:30." in (
        mailoutbox[0].body
    )


def test_a_post_course_link_keeps_its_30_days(practitioner, mailoutbox):
    start = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
    event = EventFactory(start=start, end=start + timedelta(hours=3), status="delivered")
    booking = BookingFactory(event=event, person=practitioner, status=Booking.Status.ATTENDED)
    with time_machine.travel(SENT, tick=False):
        invitation = services.invitation_create(booking=booking, stage=Stage.POST)
    assert invitation.expires_at == SENT + timedelta(days=30)
    assert "It works until Friday 1 January 2027." in mailoutbox[0].body
