"""Events of several sessions: the service's rules, the event's times and length, the page."""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils.html import escape

from bookings.models import Booking
from core.clock import LONDON
from courses import services
from courses.models import EventSession
from tests.factories import BookingFactory, EventFactory

pytestmark = pytest.mark.django_db

TUE = datetime(2030, 3, 5, 9, 30, tzinfo=LONDON)
NEXT_TUE = TUE + timedelta(days=7)


def half_day(day: datetime) -> tuple[datetime, datetime]:
    return day, day + timedelta(hours=3)


@pytest.fixture
def event():
    return EventFactory(start=TUE, end=TUE + timedelta(hours=7))


def test_two_half_days_set_the_events_start_end_and_length(event):
    services.event_sessions_set(event, [half_day(NEXT_TUE), half_day(TUE)])  # any order
    event.refresh_from_db()
    sessions = list(event.sessions.order_by("order"))
    assert [(s.order, s.start) for s in sessions] == [(1, TUE), (2, NEXT_TUE)]
    assert (event.start, event.end) == (TUE, NEXT_TUE + timedelta(hours=3))
    # The time taught is the sessions' sum, not a week from first start to last end.
    assert event.duration == timedelta(hours=6)
    assert event.duration_class == "Full day"


def test_two_short_sessions_are_half_day_or_less(event):
    services.event_sessions_set(
        event, [(TUE, TUE + timedelta(hours=2)), (NEXT_TUE, NEXT_TUE + timedelta(hours=2))]
    )
    event.refresh_from_db()
    assert event.duration == timedelta(hours=4)
    assert event.is_half_day_or_less


def test_one_session_is_an_ordinary_event_with_no_session_rows(event):
    services.event_sessions_set(event, [half_day(TUE), half_day(NEXT_TUE)])
    services.event_sessions_set(event, [(TUE, TUE + timedelta(hours=2))])
    event.refresh_from_db()
    assert not EventSession.objects.filter(event=event).exists()
    assert event.sessions_total is None
    assert event.duration == timedelta(hours=2)
    assert event.end == TUE + timedelta(hours=2)


@pytest.mark.parametrize(
    ("times", "expected"),
    [
        ([], [(None, None, services.SESSIONS_NONE)]),
        (
            [(TUE, TUE)],
            [(0, "end", services.SESSION_END_NOT_AFTER_START)],
        ),
        (
            [half_day(TUE), (TUE - timedelta(hours=1), TUE - timedelta(hours=2))],
            [(1, "end", services.SESSION_END_NOT_AFTER_START)],
        ),
        ([(None, TUE)], [(0, "start", services.SESSION_START_MISSING)]),
    ],
)
def test_refusals_name_the_session_and_field(event, times, expected):
    with pytest.raises(services.EventSessionsError) as caught:
        services.event_sessions_set(event, times)
    assert [(p.index, p.field, p.message) for p in caught.value.problems] == expected
    event.refresh_from_db()
    assert event.start == TUE  # nothing changed


def test_overlapping_sessions_are_refused_on_the_later_one(event):
    late = (TUE + timedelta(hours=2), TUE + timedelta(hours=5))
    with pytest.raises(services.EventSessionsError) as caught:
        services.event_sessions_set(event, [late, half_day(TUE)])
    [problem] = caught.value.problems
    assert (problem.index, problem.field) == (0, "start")
    assert problem.message.startswith("This session overlaps the session from 05/03/2030 09:30")


def test_back_to_back_sessions_do_not_overlap(event):
    services.event_sessions_set(event, [half_day(TUE), half_day(TUE + timedelta(hours=3))])
    assert event.sessions.count() == 2


def test_too_many_sessions_are_refused(event):
    times = [half_day(TUE + timedelta(days=i)) for i in range(services.SESSIONS_MAX + 1)]
    with pytest.raises(services.EventSessionsError) as caught:
        services.event_sessions_set(event, times)
    assert caught.value.problems[0].message == services.SESSIONS_TOO_MANY.format(
        most=services.SESSIONS_MAX
    )


def test_once_attendance_is_recorded_sessions_can_move_but_not_come_or_go(event):
    services.event_sessions_set(event, [half_day(TUE), half_day(NEXT_TUE)])
    first = event.sessions.get(order=1)
    BookingFactory(event=event, status=Booking.Status.NO_SHOW)
    with pytest.raises(services.EventSessionsError) as caught:
        services.event_sessions_set(event, [half_day(TUE)])
    assert caught.value.problems[0].message == services.SESSIONS_ATTENDANCE_RECORDED
    later = TUE + timedelta(hours=1)
    services.event_sessions_set(event, [half_day(later), half_day(NEXT_TUE)])
    first.refresh_from_db()  # the same row, so its attendance stays with it
    assert first.start == later


def test_a_single_event_with_marked_bookings_cannot_become_several(event):
    BookingFactory(event=event, status=Booking.Status.ATTENDED)
    with pytest.raises(services.EventSessionsError):
        services.event_sessions_set(event, [half_day(TUE), half_day(NEXT_TUE)])


# --- the lead's page --------------------------------------------------------------------------


def sessions_url(event):
    return reverse("courses:event_sessions", args=[event.pk])


def row(i, day, start, end, **extra):
    return {f"s{i}-date": day, f"s{i}-start": start, f"s{i}-end": end, **extra}


def test_only_the_lead_may_open_the_sessions_page(client, event, trainer, practitioner, lead):
    event.trainers.add(trainer)
    for person in (trainer, practitioner):
        client.force_login(person)
        assert client.get(sessions_url(event)).status_code == 403
        assert client.post(sessions_url(event), {"rows": 1}).status_code == 403
    client.force_login(lead)
    page = client.get(sessions_url(event)).content.decode()
    # An event with no sessions shows as one session, its own times.
    assert 'value="2030-03-05"' in page and 'value="09:30"' in page and 'value="16:30"' in page


def test_the_lead_adds_a_second_session_and_saves(client, event, lead):
    client.force_login(lead)
    data = {"rows": 1, **row(0, "2030-03-05", "09:30", "12:30")}
    page = client.post(sessions_url(event), {**data, "add": "1"}).content.decode()
    assert "Session 2" in page and 'name="s1-date"' in page
    assert "There is a problem" not in page
    data = {**data, "rows": 2, **row(1, "2030-03-12", "13:00", "16:00")}
    response = client.post(sessions_url(event), data, follow=True)
    assert "Sessions saved: 2 sessions." in response.content.decode()
    event.refresh_from_db()
    assert event.sessions.count() == 2
    assert event.duration == timedelta(hours=6)
    assert event.end == datetime(2030, 3, 12, 16, 0, tzinfo=LONDON)


def test_the_page_shows_the_services_refusals_on_their_fields(client, event, lead):
    client.force_login(lead)
    data = {
        "rows": 3,
        **row(0, "2030-03-05", "09:30", "12:30"),
        **row(1, "2030-03-05", "11:00", "13:00"),  # overlaps the first
        **row(2, "2030-03-12", "13:00", "12:00"),  # ends before it starts
    }
    response = client.post(sessions_url(event), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert 'href="#id_s1-start"' in page
    assert 'href="#id_s2-end"' in page
    assert escape(services.SESSION_END_NOT_AFTER_START) in page
    assert 'id="id_s1-start-error"' in page
    assert event.sessions.count() == 0


def test_a_half_filled_row_and_a_bad_date_are_field_errors(client, event, lead):
    client.force_login(lead)
    data = {"rows": 2, **row(0, "2030-02-31", "09:30", "12:30"), **row(1, "2030-03-12", "", "")}
    page = client.post(sessions_url(event), data).content.decode()
    assert "Enter a real date" in page
    assert "Enter the start time of session 2" in page
    assert "Enter the end time of session 2" in page


def test_removing_every_session_is_refused(client, event, lead):
    client.force_login(lead)
    data = {"rows": 1, **row(0, "2030-03-05", "09:30", "12:30", **{"s0-remove": "on"})}
    page = client.post(sessions_url(event), data).content.decode()
    assert services.SESSIONS_NONE in page


def test_the_event_form_refuses_new_times_for_an_event_of_several_sessions(event):
    from django.core.exceptions import ValidationError

    services.event_sessions_set(event, [half_day(TUE), half_day(NEXT_TUE)])
    event.refresh_from_db()
    event.capacity = 30  # other changes are fine
    services.event_save(event=event)
    event.end = event.end + timedelta(hours=1)
    with pytest.raises(ValidationError) as caught:
        services.event_save(event=event)
    assert caught.value.message_dict == {"end": [services.EVENT_TIMES_FROM_SESSIONS]}


def test_the_event_page_lists_each_session_not_one_span(client, event):
    services.event_sessions_set(event, [half_day(TUE), half_day(NEXT_TUE)])
    page = client.get(reverse("courses:event", args=[event.pk])).content.decode()

    assert "2 sessions:" in page
    assert "<li>Tuesday 5 March 2030, 9:30am to 12:30pm</li>" in page
    assert "<li>Tuesday 12 March 2030, 9:30am to 12:30pm</li>" in page
    assert "to Tuesday 12 March 2030" not in page  # no span from the first start to the last end
