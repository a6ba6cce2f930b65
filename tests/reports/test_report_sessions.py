"""An event of several sessions counts its sessions' total length in the half-day figure."""

from datetime import date, datetime, timedelta

import pytest

from core.clock import LONDON
from courses.models import Event
from courses.services import event_sessions_set
from reports.report import report_build
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db

START, END = date(2022, 4, 1), date(2023, 3, 31)
TUE = datetime(2022, 10, 4, 9, 30, tzinfo=LONDON)


def delivered(start, hours):
    return EventFactory(
        start=start, end=start + timedelta(hours=hours), status=Event.Status.DELIVERED
    )


def test_two_short_sessions_a_week_apart_are_half_day_or_less_and_two_long_ones_are_not():
    short = delivered(TUE, 2)
    event_sessions_set(
        short,
        [
            (TUE, TUE + timedelta(hours=2)),
            (TUE + timedelta(days=7), TUE + timedelta(days=7, hours=2)),
        ],
    )
    long = delivered(TUE + timedelta(days=1), 3)
    day = TUE + timedelta(days=1)
    event_sessions_set(
        long,
        [(day, day + timedelta(hours=3)), (day + timedelta(hours=4), day + timedelta(hours=6))],
    )
    delivered(TUE + timedelta(days=2), 3)  # one session, 3 hours

    events = report_build(start=START, end=END)["events"]

    # Start to end, the first would be a week long; its sessions are 4 hours.
    assert (events["half_day_or_less"], events["full_day"]) == (2, 1)
