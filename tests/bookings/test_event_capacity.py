"""A capacity change goes through `event_capacity_change`: new places go to those waiting."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings import services
from bookings.models import Booking
from bookings.services import BookingError
from courses.models import Event
from tests.factories import EventFactory, VenueFactory

pytestmark = pytest.mark.django_db
S = Booking.Status


@pytest.fixture
def one_place_two_waiting(make_person):
    event = EventFactory(capacity=1, start=timezone.now() + timedelta(days=20))
    booked = services.booking_create(event=event, person=make_person())
    waiting = [services.booking_create(event=event, person=make_person()) for _ in range(2)]
    assert [b.status for b in waiting] == [S.WAITLISTED, S.WAITLISTED]
    return event, booked, waiting


def test_raising_the_capacity_offers_the_new_places_to_those_waiting(
    one_place_two_waiting, lead, make_person, mailoutbox, django_capture_on_commit_callbacks
):
    event, _booked, waiting = one_place_two_waiting
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.event_capacity_change(event=event, capacity=3, actor=lead)

    assert [Booking.objects.get(pk=b.pk).status for b in waiting] == [S.OFFERED, S.OFFERED]
    assert sorted(m.to[0] for m in mailoutbox) == sorted(b.person.email for b in waiting)
    # All three places are held now: a newcomer waits behind nobody but has no place either.
    assert services.booking_create(event=event, person=make_person()).status == S.WAITLISTED


def test_a_newcomer_gets_a_place_left_over_once_those_waiting_are_offered(
    one_place_two_waiting, lead, make_person
):
    event, _booked, waiting = one_place_two_waiting
    services.event_capacity_change(event=event, capacity=4, actor=lead)

    assert [Booking.objects.get(pk=b.pk).status for b in waiting] == [S.OFFERED, S.OFFERED]
    assert services.booking_create(event=event, person=make_person()).status == S.CONFIRMED


@pytest.mark.parametrize(
    ("capacity", "message"),
    [(0, services.CAPACITY_BELOW_ONE), (1, services.CAPACITY_BELOW_TAKEN.format(taken=2))],
)
def test_capacity_cannot_go_below_one_or_the_places_taken(
    one_place_two_waiting, lead, capacity, message
):
    event, _booked, _waiting = one_place_two_waiting
    services.event_capacity_change(event=event, capacity=2, actor=lead)  # 1 booked + 1 offered

    with pytest.raises(BookingError, match=message) as error:
        services.event_capacity_change(event=event, capacity=capacity, actor=lead)
    assert error.value.field == "capacity"
    event.refresh_from_db()
    assert event.capacity == 2


def _admin_change_data(event, **changes):
    local = timezone.localtime(event.start)
    end = timezone.localtime(event.end)
    data = {
        "course": event.course_id,
        "start_0": f"{local:%Y-%m-%d}",
        "start_1": f"{local:%H:%M}",
        "end_0": f"{end:%Y-%m-%d}",
        "end_1": f"{end:%H:%M}",
        "capacity": str(event.capacity),
        "venue": event.venue_id or "",
        "notice_working_days": str(event.notice_working_days),
    }
    return data | {k: str(v) for k, v in changes.items()}


@pytest.fixture
def superuser_client(client, django_user_model):
    admin = django_user_model.objects.create_superuser("admin@example.org", "a-long-password")
    client.force_login(admin)
    return client


def test_a_capacity_raised_in_the_admin_offers_the_new_places(
    superuser_client, one_place_two_waiting
):
    event, _booked, waiting = one_place_two_waiting
    url = reverse("admin:courses_event_change", args=[event.pk])

    hall = VenueFactory(name="Hall B")
    response = superuser_client.post(url, _admin_change_data(event, capacity=3, venue=hall.pk))

    assert response.status_code == 302, response.context["adminform"].form.errors
    event.refresh_from_db()
    assert (event.capacity, event.venue) == (3, hall)
    assert [Booking.objects.get(pk=b.pk).status for b in waiting] == [S.OFFERED, S.OFFERED]


def test_the_admin_cannot_set_an_events_status(superuser_client, one_place_two_waiting):
    event, booked, _waiting = one_place_two_waiting
    url = reverse("admin:courses_event_change", args=[event.pk])

    page = superuser_client.get(url).content.decode()
    response = superuser_client.post(
        url, _admin_change_data(event, status="cancelled", cancellation_reason="sneaky")
    )

    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.status, event.cancellation_reason) == (Event.Status.SCHEDULED, "")
    assert 'name="status"' not in page
    assert reverse("bookings:event_cancel", args=[event.pk]) in page
