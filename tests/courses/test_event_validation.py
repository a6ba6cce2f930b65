from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from core.clock import LONDON
from courses.forms import EventForm
from courses.services import (
    EVENT_CAPACITY_BELOW_ONE,
    EVENT_END_NOT_AFTER_START,
    capacity_below_taken_message,
    event_save,
)
from tests.factories import BookingFactory, CourseFactory, EventFactory, VenueFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def data():
    """A valid event form; each test breaks one thing, so an error is for that reason only."""
    return {
        "course": CourseFactory().pk,
        "start": "2030-03-05 09:30",
        "end": "2030-03-05 12:30",
        "status": "scheduled",
        "capacity": "20",
        "venue": VenueFactory(name="Council House").pk,
        "notice_working_days": "3",
    }


def test_valid_event_is_accepted(data):
    form = EventForm(data=data)

    assert form.is_valid(), form.errors
    event = event_save(event=form.save(commit=False))
    assert event.start == datetime(2030, 3, 5, 9, 30, tzinfo=LONDON)


@pytest.mark.parametrize("end", ["2030-03-05 09:30", "2030-03-05 09:00", "2030-03-04 12:30"])
def test_end_not_after_start_is_refused_on_the_end_field(data, end):
    data["end"] = end
    form = EventForm(data=data)

    assert not form.is_valid()
    assert form.errors == {"end": [EVENT_END_NOT_AFTER_START]}


@pytest.mark.parametrize("capacity", ["0", "-3"])
def test_capacity_below_one_is_refused_on_the_capacity_field(data, capacity):
    data["capacity"] = capacity
    form = EventForm(data=data)

    assert not form.is_valid()
    assert form.errors == {"capacity": [EVENT_CAPACITY_BELOW_ONE]}


@pytest.fixture
def booked_event():
    """An event with 3 places held, plus a cancelled booking and a waiting one that hold none."""
    event = EventFactory(capacity=10)
    BookingFactory(event=event, status="confirmed")
    BookingFactory(event=event, status="offered")
    BookingFactory(event=event, status="attended")
    BookingFactory(event=event, status="cancelled")
    BookingFactory(event=event, status="waitlisted")
    return event


def _change_data(event, capacity):
    local = event.start.astimezone(LONDON)
    return {
        "course": event.course_id,
        "start": f"{local:%Y-%m-%d %H:%M}",
        "end": f"{event.end.astimezone(LONDON):%Y-%m-%d %H:%M}",
        "status": event.status,
        "capacity": str(capacity),
        "venue": event.venue_id or "",
        "notice_working_days": "3",
    }


def test_capacity_may_come_down_to_the_places_already_booked(booked_event):
    form = EventForm(data=_change_data(booked_event, 3), instance=booked_event)

    assert form.is_valid(), form.errors


def test_capacity_below_the_places_already_booked_is_refused_on_the_capacity_field(booked_event):
    form = EventForm(data=_change_data(booked_event, 2), instance=booked_event)

    assert not form.is_valid()
    assert form.errors == {"capacity": [capacity_below_taken_message(taken=3, offered=1)]}
    assert "2 places are booked and 1 offered" in form.errors["capacity"][0]


def test_event_save_refuses_bad_values_even_without_the_form(booked_event):
    booked_event.capacity = 2
    booked_event.end = booked_event.start - timedelta(minutes=1)

    with pytest.raises(ValidationError) as error:
        event_save(event=booked_event)

    assert error.value.message_dict == {
        "end": [EVENT_END_NOT_AFTER_START],
        "capacity": [capacity_below_taken_message(taken=3, offered=1)],
    }
    booked_event.refresh_from_db()
    assert booked_event.capacity == 10


def test_admin_shows_the_capacity_error_on_the_field(client, booked_event, django_user_model):
    admin = django_user_model.objects.create_superuser("admin@example.org", "a-long-password")
    client.force_login(admin)
    data = _change_data(booked_event, 1)
    start, end = data.pop("start").split(), data.pop("end").split()
    data |= {"start_0": start[0], "start_1": start[1], "end_0": end[0], "end_1": end[1]}

    response = client.post(f"/admin/courses/event/{booked_event.pk}/change/", data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "capacity": [capacity_below_taken_message(taken=3, offered=1)]
    }
    booked_event.refresh_from_db()
    assert booked_event.capacity == 10


def test_the_capacity_message_counts_places_offered_apart_from_places_booked(db):
    from bookings.models import Booking
    from courses.services import capacity_below_taken_message, event_validate
    from tests.factories import BookingFactory, EventFactory

    event = EventFactory(capacity=5)
    BookingFactory.create_batch(3, event=event, status=Booking.Status.CONFIRMED)
    BookingFactory.create_batch(2, event=event, status=Booking.Status.OFFERED)
    event.capacity = 2
    message = capacity_below_taken_message(taken=5, offered=2)
    assert message == (
        "3 places are booked and 2 offered to the waiting list: the capacity cannot be less than 5"
    )
    with pytest.raises(ValidationError) as caught:
        event_validate(event=event)
    assert caught.value.message_dict["capacity"] == [message]
