"""Reports open on a sensible period, with one-click presets: this year, last year, last quarter."""

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.clock import LONDON
from courses.models import Event
from reports.periods import default_period, last_complete_quarter, presets
from tests.factories import CourseFactory, EventFactory, PriorityAreaFactory

TODAY = date(2026, 5, 20)  # seven weeks into the 2026/27 reporting year


def events_on(day: date, count: int, **kwargs):
    course = CourseFactory(priority_area=PriorityAreaFactory())
    start = datetime(day.year, day.month, day.day, 9, 30, tzinfo=LONDON)
    for _ in range(count):
        EventFactory(course=course, start=start, end=start + timedelta(hours=3), **kwargs)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 12, 2), (date(2026, 7, 1), date(2026, 9, 30))),
        (date(2027, 1, 15), (date(2026, 10, 1), date(2026, 12, 31))),
        (date(2026, 4, 1), (date(2026, 1, 1), date(2026, 3, 31))),
        (date(2026, 3, 31), (date(2025, 10, 1), date(2025, 12, 31))),
        (date(2026, 7, 1), (date(2026, 4, 1), date(2026, 6, 30))),
    ],
)
def test_the_last_complete_quarter_ended_before_today(today, expected):
    assert last_complete_quarter(today) == expected


def test_the_presets_are_this_year_last_year_and_last_quarter():
    got = [(p.label, p.start, p.end) for p in presets(date(2026, 12, 2))]
    assert got == [
        ("This year (2026/27)", date(2026, 4, 1), date(2027, 3, 31)),
        ("Last year (2025/26)", date(2025, 4, 1), date(2026, 3, 31)),
        ("Last quarter (Jul–Sep 2026)", date(2026, 7, 1), date(2026, 9, 30)),
    ]


def test_a_year_with_almost_no_data_opens_on_the_last_complete_year(db, settings):
    settings.REPORT_CURRENT_YEAR_MIN_EVENTS = 10
    events_on(date(2026, 5, 1), 2, status=Event.Status.DELIVERED)
    events_on(date(2025, 9, 1), 30, status=Event.Status.DELIVERED)
    # Booked ahead and cancelled events are not data yet.
    events_on(date(2026, 9, 1), 20)
    events_on(date(2026, 5, 2), 20, status=Event.Status.CANCELLED)
    period = default_period(TODAY)
    assert (period.start, period.end) == (date(2025, 4, 1), date(2026, 3, 31))
    assert "2025/26, the last complete reporting year: 2026/27 has only 2 events so far" in (
        period.reason
    )


def test_a_year_with_enough_events_opens_on_itself(db, settings):
    settings.REPORT_CURRENT_YEAR_MIN_EVENTS = 10
    events_on(date(2026, 5, 1), 10, status=Event.Status.DELIVERED)
    events_on(date(2025, 9, 1), 30, status=Event.Status.DELIVERED)
    period = default_period(TODAY)
    assert (period.start, period.end, period.reason) == (date(2026, 4, 1), date(2027, 3, 31), "")


def test_a_new_system_with_no_past_year_opens_on_this_year(db):
    events_on(date(2026, 5, 1), 2, status=Event.Status.DELIVERED)
    period = default_period(TODAY)
    assert (period.start, period.reason) == (date(2026, 4, 1), "")


@pytest.fixture
def quiet_year(db, time_machine):
    time_machine.move_to(timezone.make_aware(datetime(2026, 5, 20, 12), LONDON))
    events_on(date(2026, 5, 1), 2, status=Event.Status.DELIVERED)
    events_on(date(2025, 9, 1), 12, status=Event.Status.DELIVERED)


def test_the_uptake_page_opens_on_last_year_and_says_why(quiet_year, client, lead):
    client.force_login(lead)
    html = client.get(reverse("reports:uptake")).content.decode()
    assert 'value="2025-04-01"' in html and 'value="2026-03-31"' in html
    assert "has only 2 events so far" in html
    # A period the lead chose is shown as chosen, without the note.
    html = client.get(reverse("reports:uptake"), {"start": "2026-04-01", "end": "2027-03-31"})
    html = html.content.decode()
    assert 'value="2026-04-01"' in html and "so far" not in html


def test_the_preset_links_keep_the_filters_and_mark_the_period_shown(quiet_year, client, lead):
    area = PriorityAreaFactory(name="Neglect")
    client.force_login(lead)
    params = {"start": "2025-04-01", "end": "2026-03-31", "priority_area": area.pk, "page": 3}
    html = client.get(reverse("reports:uptake"), params).content.decode()
    uptake = reverse("reports:uptake")
    assert (
        f'href="{uptake}?priority_area={area.pk}&amp;start=2025-04-01&amp;end=2026-03-31"'
        ' aria-current="true">Last year (2025/26)</a>'
    ) in html
    assert f"{uptake}?priority_area={area.pk}&amp;start=2026-04-01&amp;end=2027-03-31" in html
    assert f"{uptake}?priority_area={area.pk}&amp;start=2026-01-01&amp;end=2026-03-31" in html
    nav = html[html.index('aria-label="Report periods"') :]
    assert "page=3" not in nav[: nav.index("</nav>")]


@pytest.mark.parametrize("name", ["reports:annual", "reports:quotes"])
def test_every_report_page_with_a_period_offers_the_presets(quiet_year, client, lead, name):
    client.force_login(lead)
    html = client.get(reverse(name)).content.decode()
    assert "Last quarter (Jan–Mar 2026)" in html
