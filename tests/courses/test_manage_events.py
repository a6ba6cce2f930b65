"""The lead's pages to create and copy events (courses): fields, warnings, series, trainers."""

from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.clock import LONDON
from courses.models import Course, Event
from courses.services import EVENT_CAPACITY_ABOVE_VENUE, EVENT_IN_THE_PAST
from people import roles
from tests.factories import CourseFactory, EventFactory, UserFactory, VenueFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def course():
    return CourseFactory(title="Neglect: recognising and responding")


@pytest.fixture
def hall():
    return VenueFactory(name="Council House", address="Priory Road\nDudley", capacity=30)


def _future_day(days=0):
    """A Tuesday in the future with no bank holiday in the following three months."""
    return date(2031, 6, 10) + timedelta(days=days)


def _data(course, hall, /, **changes):
    data = {
        "course": course.pk,
        "day": f"{_future_day():%Y-%m-%d}",
        "start_time": "09:30",
        "end_time": "12:30",
        "venue": hall.pk,
        "capacity": "20",
        "places_per_organisation": "",
        "notice_working_days": "3",
        "joining_link": "",
        "joining_instructions": "",
        "action": "save",
    }
    return data | changes


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("courses:manage_event_create", []),
        ("courses:manage_event_copy", ["event"]),
        ("courses:manage_venues", []),
        ("courses:manage_venue_create", []),
        ("courses:manage_venue_edit", ["venue"]),
    ],
)
def test_the_lead_pages_are_refused_to_practitioners_and_trainers(
    client, lead, practitioner, trainer, name, args
):
    event = EventFactory()
    url = reverse(name, args=[{"event": event.pk, "venue": event.venue_id}[a] for a in args])
    for user in (practitioner, trainer):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(url, {}).status_code == 403
    client.force_login(lead)
    assert client.get(url).status_code == 200
    client.logout()
    assert client.get(url).status_code == 302  # to sign in


def test_create_from_a_course_is_prefilled_from_its_latest_event(client, lead, course, hall):
    EventFactory(course=course, venue=hall, capacity=18, places_per_organisation=4)
    client.force_login(lead)

    response = client.get(reverse("courses:manage_event_create"), {"course": course.pk})

    form = response.context["form"]
    assert form.initial["course"] == course
    assert (form.initial["venue"], form.initial["capacity"]) == (hall.pk, 18)
    assert form.initial["places_per_organisation"] == 4
    assert course.title in response.content.decode()


def test_the_lead_creates_an_event(client, lead, course, hall, trainer):
    client.force_login(lead)

    response = client.post(
        reverse("courses:manage_event_create"),
        _data(course, hall, trainers=[trainer.pk], places_per_organisation="5"),
    )

    event = Event.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("courses:event", args=[event.pk])
    assert event.start.astimezone(LONDON).strftime("%H:%M") == "09:30"
    assert (event.venue, event.capacity, event.places_per_organisation) == (hall, 20, 5)
    assert (event.status, list(event.trainers.all())) == (Event.Status.SCHEDULED, [trainer])


def test_a_past_date_is_refused_on_the_date_field_unless_recording_history(
    client, lead, course, hall
):
    client.force_login(lead)
    url = reverse("courses:manage_event_create")
    past = _data(course, hall, day="2020-03-05")

    response = client.post(url, past)

    assert response.status_code == 200
    assert response.context["form"].errors == {"day": [EVENT_IN_THE_PAST]}
    assert 'href="#id_day"' in response.content.decode()
    assert not Event.objects.exists()
    assert client.post(url, past | {"recording_history": "on"}).status_code == 302
    assert Event.objects.get().start.year == 2020


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"capacity": "100000"}, "capacity"),
        ({"capacity": "31"}, "capacity"),
        ({"capacity": "0"}, "capacity"),
        ({"places_per_organisation": "21"}, "places_per_organisation"),
        ({"places_per_organisation": "0"}, "places_per_organisation"),
        ({"notice_working_days": "-1"}, "notice_working_days"),
        ({"end_time": "09:00"}, "end_time"),
        ({"day": "31/02/2031"}, "day"),
        ({"course": ""}, "course"),
    ],
)
def test_bad_values_are_refused_on_their_field(client, lead, course, hall, changes, field):
    client.force_login(lead)

    response = client.post(reverse("courses:manage_event_create"), _data(course, hall, **changes))

    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert "There is a problem" in response.content.decode()
    assert not Event.objects.exists()


def test_the_venue_capacity_message_names_the_venue(client, lead, course, hall):
    client.force_login(lead)

    response = client.post(
        reverse("courses:manage_event_create"), _data(course, hall, capacity="31")
    )

    assert response.context["form"].errors["capacity"] == [
        EVENT_CAPACITY_ABOVE_VENUE.format(venue="Council House", most=30)
    ]


def test_a_duplicate_is_warned_and_created_once_confirmed(client, lead, course, hall):
    data = _data(course, hall)
    day = _future_day()
    EventFactory(course=course, venue=hall, start=datetime.combine(day, time(9, 30), LONDON))
    client.force_login(lead)
    url = reverse("courses:manage_event_create")

    warned = client.post(url, data)

    assert warned.status_code == 200
    assert "already has an event starting at this time" in warned.content.decode()
    assert 'name="confirm"' in warned.content.decode()
    assert Event.objects.filter(course=course).count() == 1
    created = client.post(url, data | {"confirm": "on"})
    assert created.status_code == 302
    assert Event.objects.filter(course=course).count() == 2


def test_a_bank_holiday_is_warned_and_created_once_confirmed(client, lead, course, hall):
    client.force_login(lead)
    url = reverse("courses:manage_event_create")
    data = _data(course, hall, day="2031-12-25")

    warned = client.post(url, data)

    assert "is a bank holiday in England and Wales" in warned.content.decode()
    assert not Event.objects.exists()
    assert client.post(url, data | {"confirm": "on"}).status_code == 302
    assert Event.objects.count() == 1


def test_the_trainer_search_finds_only_trainers_and_saves_nothing(client, lead, course, hall):
    found = UserFactory(full_name="Tamsin Hale", roles=[roles.TRAINER])
    UserFactory(full_name="Tamsin Practitioner")  # no trainer role
    UserFactory(full_name="Tamsin Lead", roles=[roles.LEAD])
    others = [UserFactory(roles=[roles.TRAINER]) for _ in range(3)]
    client.force_login(lead)

    response = client.post(
        reverse("courses:manage_event_create"),
        _data(course, hall, trainer_search="tamsin", action="find-trainers", capacity="99999"),
    )

    assert response.status_code == 200
    assert not Event.objects.exists()
    form = response.context["form"]
    assert not form.errors  # a search is not a save: no error shown yet
    assert [pk for pk, _ in form.fields["trainers"].widget.choices] == [found.pk]
    page = response.content.decode()
    assert "Tamsin Hale" in page and "Tamsin Practitioner" not in page
    assert all(o.email not in page for o in others)  # no list of everyone


def test_a_chosen_trainer_stays_listed_and_a_non_trainer_cannot_be_posted(
    client, lead, course, hall, trainer, practitioner
):
    client.force_login(lead)
    url = reverse("courses:manage_event_create")

    search = client.post(
        url, _data(course, hall, trainers=[trainer.pk], trainer_search="", action="find-trainers")
    )
    assert [pk for pk, _ in search.context["form"].fields["trainers"].widget.choices] == [
        trainer.pk
    ]
    refused = client.post(url, _data(course, hall, trainers=[practitioner.pk]))
    assert list(refused.context["form"].errors) == ["trainers"]
    assert not Event.objects.exists()


def test_an_empty_trainer_search_says_so(client, lead, course, hall):
    client.force_login(lead)

    response = client.post(
        reverse("courses:manage_event_create"),
        _data(course, hall, trainer_search="nobody-like-this", action="find-trainers"),
    )

    assert "No trainer matches" in response.content.decode()


# --- copy and series ------------------------------------------------------------------------


@pytest.fixture
def source(hall, trainer):
    event = EventFactory(venue=hall, capacity=16)
    event.trainers.add(trainer)
    return event


def _copy_data(day, **changes):
    return {
        "day": f"{day:%Y-%m-%d}",
        "start_time": "10:00",
        "end_time": "13:00",
        "every_weeks": "2",
        "count": "1",
        "action": "preview",
    } | changes


def test_copy_previews_the_dates_before_creating_them(client, lead, source):
    client.force_login(lead)
    url = reverse("courses:manage_event_copy", args=[source.pk])
    day = _future_day(60)

    preview = client.post(url, _copy_data(day, count="6"))

    assert preview.status_code == 200
    assert len(preview.context["preview"]) == 6
    assert "Publish 6 events now" in preview.content.decode()
    assert "Save 6 as drafts" in preview.content.decode()
    assert Event.objects.count() == 1
    created = client.post(url, _copy_data(day, count="6", action="create"))
    assert created.status_code == 302
    copies = Event.objects.exclude(pk=source.pk).order_by("start")
    assert [e.start.astimezone(LONDON).date() for e in copies] == [
        day + timedelta(weeks=2 * i) for i in range(6)
    ]
    assert all(list(e.trainers.all()) == list(source.trainers.all()) for e in copies)
    assert {e.capacity for e in copies} == {16}


def test_a_single_copy_on_a_new_date(client, lead, source):
    client.force_login(lead)
    day = _future_day(50)

    response = client.post(
        reverse("courses:manage_event_copy", args=[source.pk]), _copy_data(day, action="create")
    )

    assert response.status_code == 302
    copy = Event.objects.exclude(pk=source.pk).get()
    assert copy.start.astimezone(LONDON).date() == day
    assert (copy.course, copy.venue) == (source.course, source.venue)


def test_a_series_with_a_past_date_creates_nothing(client, lead, source):
    client.force_login(lead)
    url = reverse("courses:manage_event_copy", args=[source.pk])
    data = _copy_data(timezone.localdate() - timedelta(days=7), count="3", action="create")

    response = client.post(url, data)

    assert response.status_code == 200
    assert Event.objects.count() == 1
    errors = response.context["form"].non_field_errors()
    assert len(errors) == 1 and EVENT_IN_THE_PAST in errors[0]
    assert "There is a problem" in response.content.decode()


def test_a_series_warning_is_confirmed_before_creating(client, lead, source):
    client.force_login(lead)
    url = reverse("courses:manage_event_copy", args=[source.pk])
    # Two dates a week apart: 18 and 25 December 2031, Christmas Day a bank holiday.
    data = _copy_data(timezone.datetime(2031, 12, 18).date(), every_weeks="1", count="2")

    warned = client.post(url, data | {"action": "create"})

    assert "25 December 2031: Thursday 25 December 2031 is a bank holiday" in (
        warned.content.decode()
    )
    assert Event.objects.count() == 1
    assert client.post(url, data | {"action": "create", "confirm": "on"}).status_code == 302
    assert Event.objects.count() == 3


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"every_weeks": "0"}, "every_weeks"), ({"count": "0"}, "count"), ({"count": "53"}, "count")],
)
def test_copy_refuses_bad_repeat_values(client, lead, source, changes, field):
    client.force_login(lead)

    response = client.post(
        reverse("courses:manage_event_copy", args=[source.pk]),
        _copy_data(_future_day(), **changes),
    )

    assert list(response.context["form"].errors) == [field]


def test_the_event_page_links_the_lead_to_edit_and_copy(client, lead, practitioner, source):
    Course.objects.filter(pk=source.course_id).update(is_published=True)
    url = reverse("courses:event", args=[source.pk])
    client.force_login(lead)
    page = client.get(url).content.decode()
    assert reverse("courses:manage_event_copy", args=[source.pk]) in page
    assert reverse("bookings_manage:event_edit", args=[source.pk]) in page
    client.force_login(practitioner)
    assert (
        reverse("courses:manage_event_copy", args=[source.pk])
        not in client.get(url).content.decode()
    )


@pytest.mark.parametrize("day", ["9999-12-31", "3000-01-01", "1900-01-01"])
def test_an_event_date_outside_the_years_the_app_works_with_is_refused_on_the_field(
    client, lead, course, hall, day
):
    client.force_login(lead)
    page = client.post(reverse("courses:manage_event_create"), _data(course, hall, day=day))
    assert page.status_code in (200, 400)
    assert "Enter a date between the years 2000 and 2100" in page.content.decode()
    assert not Event.objects.exists()


def test_a_huge_number_gets_a_plain_message_not_the_databases_limit(client, lead):
    client.force_login(lead)
    venue = client.post(
        reverse("courses:manage_venue_create"),
        {
            "name": "Probe",
            "address": "1 Road",
            "capacity": "99999999999999999999",
            "is_active": "on",
        },
    ).content.decode()
    reason = client.post(
        reverse("cancellation_reasons:create"), {"label": "Probe", "order": "99999999999999999999"}
    ).content.decode()
    for page in (venue, reason):
        assert "Enter a number no bigger than 1,000,000" in page
        assert "9223372036854775807" not in page
