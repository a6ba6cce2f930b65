"""The lead edits an event (bookings: the edit reaches the waiting list and the delegates)."""

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings import services, views
from bookings.models import Booking, BookingLog
from core.clock import LONDON
from courses.models import Event
from courses.services import EVENT_CAPACITY_BELOW_BOOKED
from messaging.models import OutboundEmail
from tests.factories import EventFactory, VenueFactory

pytestmark = pytest.mark.django_db
S = Booking.Status


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def booked(make_person):
    """An event of 2 places: two confirmed, one waiting, one cancelled."""
    # 09:30-12:30 London time, whatever the time of day the test runs (a start at 21:00 would
    # end after midnight, on another day than the form's one date).
    day = (timezone.now() + timedelta(days=20)).astimezone(LONDON).date()
    start = datetime.combine(day, time(9, 30), tzinfo=LONDON)
    event = EventFactory(
        capacity=2,
        start=start,
        end=start + timedelta(hours=3),
        venue=VenueFactory(name="Council House", capacity=40),
    )
    places = [services.booking_create(event=event, person=make_person()) for _ in range(2)]
    waiting = services.booking_create(event=event, person=make_person())
    gone = services.booking_create(event=event, person=make_person())
    Booking.objects.filter(pk=gone.pk).update(status=S.CANCELLED)
    assert waiting.status == S.WAITLISTED
    return event, places, waiting


def _data(event, **changes):
    start, end = event.start.astimezone(LONDON), event.end.astimezone(LONDON)
    return {
        "day": f"{start:%Y-%m-%d}",
        "start_time": f"{start:%H:%M}",
        "end_time": f"{end:%H:%M}",
        "venue": event.venue_id or "",
        "capacity": str(event.capacity),
        "places_per_organisation": "",
        "notice_working_days": str(event.notice_working_days),
        "joining_link": event.joining_link,
        "joining_instructions": event.joining_instructions,
        "trainers": [t.pk for t in event.trainers.all()],
        "action": "save",
        "confirm": "on",  # a bank holiday may fall on the fixture's date: not what is tested here
    } | changes


def _url(event):
    return reverse("bookings_manage:event_edit", args=[event.pk])


def test_the_edit_page_is_the_leads_only(client, booked, practitioner, trainer, lead):
    event = booked[0]
    for user in (practitioner, trainer):
        client.force_login(user)
        assert client.get(_url(event)).status_code == 403
        assert client.post(_url(event), _data(event, capacity="9")).status_code == 403
    client.force_login(lead)
    page = client.get(_url(event))
    assert page.status_code == 200
    assert page.context["form"]["day"].value() == event.start.astimezone(LONDON).date()
    assert Event.objects.get(pk=event.pk).capacity == 2


def test_a_raised_capacity_goes_through_the_capacity_service(client, booked, lead, monkeypatch):
    event, _places, waiting = booked
    calls = []
    real = services.event_capacity_change
    monkeypatch.setattr(
        services, "event_capacity_change", lambda **kw: calls.append(kw) or real(**kw)
    )
    client.force_login(lead)

    response = client.post(_url(event), _data(event, capacity="3"))

    # Saved: back to the lead's page for the event, as after creating one.
    assert response.status_code == 302
    assert response["Location"] == reverse("event_manage:page", kwargs={"event_id": event.pk})
    assert [(c["capacity"], c["actor"]) for c in calls] == [(3, lead)]
    assert Booking.objects.get(pk=waiting.pk).status == S.OFFERED
    assert Event.objects.get(pk=event.pk).capacity == 3


def test_a_capacity_below_the_places_taken_is_refused_on_its_field(client, booked, lead):
    event = booked[0]
    client.force_login(lead)

    response = client.post(_url(event), _data(event, capacity="1"))

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "capacity": [EVENT_CAPACITY_BELOW_BOOKED.format(taken=2)]
    }
    assert Event.objects.get(pk=event.pk).capacity == 2


def test_a_new_time_and_venue_call_event_details_change(client, booked, lead, monkeypatch):
    event = booked[0]
    calls = []
    monkeypatch.setattr(services, "event_details_change", lambda **kw: calls.append(kw))
    hall = VenueFactory(name="Civic Hall")
    later = (event.start + timedelta(hours=1)).astimezone(LONDON)
    client.force_login(lead)

    client.post(_url(event), _data(event, start_time=f"{later:%H:%M}", venue=hall.pk))

    assert len(calls) == 1
    assert calls[0]["event"].pk == event.pk
    assert calls[0]["changed"] == {"start", "venue"}
    event.refresh_from_db()
    assert (event.start, event.venue) == (later, hall)


def test_an_edit_of_other_fields_tells_no_one(client, booked, lead, monkeypatch, trainer):
    event = booked[0]
    calls = []
    monkeypatch.setattr(services, "event_details_change", lambda **kw: calls.append(kw))
    client.force_login(lead)

    response = client.post(
        _url(event),
        _data(event, joining_instructions="Bring a pen.", trainers=[trainer.pk], capacity="2"),
    )

    assert response.status_code == 302
    assert calls == []
    event.refresh_from_db()
    assert (event.joining_instructions, list(event.trainers.all())) == ("Bring a pen.", [trainer])


def test_changed_details_email_each_delegate_holding_a_place(
    client, booked, lead, mailoutbox, django_capture_on_commit_callbacks
):
    event, places, waiting = booked
    hall = VenueFactory(name="Civic Hall", address="Bank Street")
    client.force_login(lead)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(event), _data(event, venue=hall.pk, end_time="23:59"))

    assert response.status_code == 302
    owed = OutboundEmail.objects.filter(purpose__startswith="event_updated")
    assert sorted(owed.values_list("booking_id", flat=True)) == sorted(b.pk for b in places)
    assert sorted(m.to[0] for m in mailoutbox) == sorted(b.person.email for b in places)
    body = mailoutbox[0].body
    assert "changed the end and the venue" in body
    assert "Where: Civic Hall, Bank Street" in body
    assert BookingLog.objects.filter(action=services.EVENT_CHANGED).count() == 2
    assert waiting.person.email not in [m.to[0] for m in mailoutbox]


def test_a_second_change_is_emailed_again(booked, mailoutbox, django_capture_on_commit_callbacks):
    event, places, _waiting = booked
    with django_capture_on_commit_callbacks(execute=True):
        services.event_details_change(event=event, changed={"start"})
    with django_capture_on_commit_callbacks(execute=True):
        assert services.event_details_change(event=event, changed={"joining_link"}) == 2

    assert len(mailoutbox) == 4
    assert "changed the joining link" in mailoutbox[-1].body


def test_a_cancelled_event_cannot_be_edited(client, lead):
    event = EventFactory(status=Event.Status.CANCELLED)
    client.force_login(lead)

    response = client.get(_url(event), follow=True)

    assert views.EVENT_CANCELLED_NOT_EDITABLE in response.content.decode()
