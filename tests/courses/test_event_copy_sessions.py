"""Copying an event of several sessions copies its sessions: the same days apart, at the same
London times (across a clock change too); the copy page asks for the first date only."""

from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse

from core.clock import LONDON
from courses.models import Event
from courses.services import event_sessions_set
from tests.factories import CourseFactory, EventFactory, VenueFactory

pytestmark = pytest.mark.django_db

TUESDAY = date(2031, 10, 14)  # two weeks before the clocks go back (26 October 2031)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON)


@pytest.fixture
def two_sessions():
    event = EventFactory(
        course=CourseFactory(title="Working together: two half-days"),
        venue=VenueFactory(name="Council House", address="Priory Road", capacity=30),
        start=_at(TUESDAY, 9, 30),
        end=_at(TUESDAY, 12, 30),
    )
    return event_sessions_set(
        event,
        [
            (_at(TUESDAY, 9, 30), _at(TUESDAY, 12, 30)),
            (_at(TUESDAY + timedelta(days=1), 13), _at(TUESDAY + timedelta(days=1), 16)),
        ],
    )


def _local(moment):
    return moment.astimezone(LONDON).replace(tzinfo=None)


def test_a_series_of_a_two_session_event_has_two_sessions_each(client, lead, two_sessions):
    client.force_login(lead)
    url = reverse("courses:manage_event_copy", args=[two_sessions.pk])
    page = client.get(url).content.decode()
    assert "This event has 2 sessions" in page and 'name="start_time"' not in page
    first = TUESDAY + timedelta(weeks=1)
    data = {"day": f"{first:%Y-%m-%d}", "every_weeks": "1", "count": "2", "action": "create"}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    copies = list(Event.objects.exclude(pk=two_sessions.pk).order_by("start"))
    assert len(copies) == 2
    for copy, day in zip(copies, (first, first + timedelta(weeks=1)), strict=True):
        sessions = [(_local(s.start), _local(s.end)) for s in copy.sessions.order_by("order")]
        wednesday = day + timedelta(days=1)
        assert sessions == [
            (datetime.combine(day, time(9, 30)), datetime.combine(day, time(12, 30))),
            (datetime.combine(wednesday, time(13)), datetime.combine(wednesday, time(16))),
        ]
        assert copy.sessions_total == timedelta(hours=6)
        assert (copy.start, copy.end) == (copy.sessions.first().start, copy.sessions.last().end)


def test_the_lead_s_event_page_gives_a_two_day_event_its_last_day(client, lead, two_sessions):
    client.force_login(lead)
    page = client.get(reverse("event_manage:page", args=[two_sessions.pk])).content.decode()
    assert "Tuesday 14 October 2031, 09:30 to Wednesday 15 October 2031, 16:00" in page
