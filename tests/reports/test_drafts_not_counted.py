"""A draft event is the lead's alone: it changes no figure of the training report (not an event
offered, not places offered, not cancelled) and does not make a year look started."""

import json
from datetime import date, datetime, timedelta

import pytest

from core.clock import LONDON
from courses.models import Event
from reports.periods import default_period
from reports.report import report_build
from tests.factories import EventFactory

START, END = date(2022, 4, 1), date(2023, 3, 31)


def _drafts(data, day: date, count: int):
    start = datetime(day.year, day.month, day.day, 9, 30, tzinfo=LONDON)
    for n in range(count):
        EventFactory(
            course=(data.c1, data.c2)[n % 2],
            start=start,
            end=start + timedelta(hours=3),
            capacity=25,
            status=Event.Status.DRAFT,
        )


def _figures(report: dict) -> str:
    return json.dumps(report, sort_keys=True, default=str)


def test_a_draft_changes_no_figure_of_the_training_report(data):
    before = _figures(report_build(start=START, end=END))
    _drafts(data, date(2022, 11, 8), 2)  # in the period, on both priority areas
    _drafts(data, date(2021, 11, 9), 1)  # in the previous period (the comparison)
    after = _figures(report_build(start=START, end=END))
    assert Event.objects.filter(status=Event.Status.DRAFT).count() == 3
    assert after == before


@pytest.mark.django_db
def test_drafts_do_not_make_this_year_look_started(data):
    today = date(2023, 5, 20)  # seven weeks into 2023/24; the data has its events in 2022/23
    assert default_period(today).start == START
    _drafts(data, date(2023, 4, 11), 12)  # more than REPORT_CURRENT_YEAR_MIN_EVENTS
    assert default_period(today).start == START
