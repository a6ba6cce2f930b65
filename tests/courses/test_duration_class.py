from datetime import datetime, timedelta

import pytest

from core.clock import LONDON
from courses.models import Event
from courses.templatetags.catalogue import event_when
from tests.factories import EventFactory

NINE = datetime(2026, 12, 8, 9, 0, tzinfo=LONDON)


def _event(start, end):
    return Event(start=start, end=end, capacity=10)


def test_exactly_four_hours_is_half_day_or_less():
    assert _event(NINE, NINE + timedelta(hours=4)).duration_class == "Half day or less"


def test_four_hours_and_one_minute_is_a_full_day():
    assert _event(NINE, NINE + timedelta(hours=4, minutes=1)).duration_class == "Full day"


def test_duration_across_the_march_clock_change_is_real_time_not_wall_clock():
    # Sunday 29 March 2026: clocks go forward at 1am. 00:30 GMT to 05:00 BST is 3.5 hours,
    # although the wall clock moves 4.5 hours.
    event = _event(
        datetime(2026, 3, 29, 0, 30, tzinfo=LONDON), datetime(2026, 3, 29, 5, 0, tzinfo=LONDON)
    )
    assert event.duration == timedelta(hours=3, minutes=30)
    assert event.duration_class == "Half day or less"
    assert event_when(event) == "Sunday 29 March 2026, 12:30am to 5am"


def test_duration_across_the_october_clock_change_is_real_time_not_wall_clock():
    # Sunday 25 October 2026: clocks go back at 2am. 00:30 BST to 04:00 GMT is 4.5 hours,
    # although the wall clock moves 3.5 hours.
    event = _event(
        datetime(2026, 10, 25, 0, 30, tzinfo=LONDON), datetime(2026, 10, 25, 4, 0, tzinfo=LONDON)
    )
    assert event.duration == timedelta(hours=4, minutes=30)
    assert event.duration_class == "Full day"
    assert event_when(event) == "Sunday 25 October 2026, 12:30am to 4am"


@pytest.mark.django_db
def test_pages_show_the_duration_class_and_london_times(client):
    start = datetime(2030, 6, 4, 9, 30, tzinfo=LONDON)  # BST: 08:30 UTC
    half = EventFactory(start=start, end=start + timedelta(hours=4))
    full = EventFactory(start=start, end=start + timedelta(hours=4, minutes=1))

    half_page = client.get(f"/events/{half.pk}/").content.decode()
    full_page = client.get(f"/events/{full.pk}/").content.decode()

    assert "Half day or less" in half_page
    assert "Tuesday 4 June 2030, 9:30am to 1:30pm" in half_page
    assert "Full day" in full_page
    assert "Half day or less" not in full_page
