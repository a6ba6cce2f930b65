"""Venues as records: the one-line location, the data migration from venue text, the lead's
venue pages."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from bookings.calendar import booking_ics
from courses.models import Course, Venue
from courses.services import VENUE_ADDRESS_REQUIRED, VENUE_NAME_TAKEN, VENUE_ONLINE_ADDRESS
from tests.factories import BookingFactory, CourseFactory, EventFactory, VenueFactory


@pytest.mark.django_db
def test_location_text_is_one_line_for_each_kind_of_place():
    hall = VenueFactory(name="Council House", room="Room 2", address="Priory Road\nDudley DY1 1HF")
    teams = VenueFactory(name="Microsoft Teams", is_online=True, address="")
    online = CourseFactory(delivery_mode=Course.DeliveryMode.LIVE_ONLINE)

    assert (
        EventFactory(venue=hall).location_text
        == "Room 2, Council House, Priory Road, Dudley DY1 1HF"
    )
    assert EventFactory(venue=teams).location_text == "Online (Microsoft Teams)"
    assert EventFactory(venue="", course=online).location_text == "Online"
    assert (
        EventFactory(venue="", joining_link="https://meet.example.org/a").location_text == "Online"
    )
    assert EventFactory(venue="").location_text == "Venue to be confirmed"


@pytest.mark.django_db
def test_pages_calendar_and_emails_print_the_location_text(client, practitioner):
    hall = VenueFactory(name="Saltwells Centre", room="Room 4", address="Bowling Green Road")
    booking = BookingFactory(event=EventFactory(venue=hall), person=practitioner)
    where = "Room 4, Saltwells Centre, Bowling Green Road"

    assert f"LOCATION:{where}" in booking_ics(booking).decode().replace("\\,", ",")
    client.force_login(practitioner)
    assert where in client.get(reverse("bookings:my_training")).content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_migration_makes_one_venue_per_distinct_text_and_keeps_every_event():
    executor = MigrationExecutor(connection)
    executor.migrate([("courses", "0002_initial")])
    apps = executor.loader.project_state([("courses", "0002_initial")]).apps
    Event = apps.get_model("courses", "Event")
    Course_ = apps.get_model("courses", "Course")
    Area = apps.get_model("courses", "PriorityArea")
    course = Course_.objects.create(
        title="T", slug="t", summary="s", priority_area=Area.objects.create(name="A")
    )
    start = timezone.now() + timedelta(days=3)
    texts = ["Council House, Priory Road", "council house,  Priory Road", "Civic Hall", ""]
    for i, text in enumerate(texts):
        Event.objects.create(
            course=course,
            start=start + timedelta(days=i),
            end=start + timedelta(days=i, hours=2),
            capacity=10,
            venue=text,
        )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    from courses.models import Event as NowEvent

    events = list(NowEvent.objects.order_by("start").select_related("venue"))
    assert [e.venue.name if e.venue else None for e in events] == [
        "Council House, Priory Road",
        "Council House, Priory Road",
        "Civic Hall",
        None,
    ]
    assert Venue.objects.count() == 2
    assert events[0].location_text == "Council House, Priory Road"


# --- the lead's venue pages ---------------------------------------------------------------


def _venue_data(**changes):
    return {
        "name": "Brierley Hill Civic Hall",
        "address": "Bank Street\nBrierley Hill DY5 3DA",
        "room": "Main hall",
        "capacity": "80",
        "accessibility": "Step-free entrance; hearing loop.",
        "is_active": "on",
    } | changes


@pytest.mark.django_db
def test_the_lead_adds_lists_and_edits_a_venue(client, lead):
    client.force_login(lead)

    response = client.post(reverse("courses:manage_venue_create"), _venue_data())

    assert response.status_code == 302
    venue = Venue.objects.get()
    assert (venue.room, venue.capacity, venue.is_active) == ("Main hall", 80, True)
    listing = client.get(reverse("courses:manage_venues")).content.decode()
    assert "Brierley Hill Civic Hall" in listing and "Step-free" not in listing
    edit = reverse("courses:manage_venue_edit", args=[venue.pk])
    assert client.post(edit, _venue_data(capacity="", is_active="")).status_code == 302
    venue.refresh_from_db()
    assert (venue.capacity, venue.is_active) == (None, False)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"name": "  civic   HALL "}, {"name": [VENUE_NAME_TAKEN]}),
        ({"is_online": "on"}, {"address": [VENUE_ONLINE_ADDRESS]}),
        ({"address": ""}, {"address": [VENUE_ADDRESS_REQUIRED]}),
        ({"capacity": "0"}, {"capacity": ["Enter 1 or more, or leave it blank"]}),
        ({"name": ""}, {"name": ["Enter the venue's name"]}),
    ],
)
def test_a_bad_venue_is_refused_on_its_field(client, lead, changes, errors):
    VenueFactory(name="Civic Hall")
    client.force_login(lead)

    response = client.post(reverse("courses:manage_venue_create"), _venue_data(**changes))

    assert response.status_code == 200
    assert response.context["form"].errors == errors
    assert Venue.objects.count() == 1


@pytest.mark.django_db
def test_an_online_venue_needs_no_address(client, lead):
    client.force_login(lead)

    response = client.post(
        reverse("courses:manage_venue_create"),
        {"name": "Microsoft Teams", "is_online": "on", "is_active": "on"},
    )

    assert response.status_code == 302
    assert Venue.objects.get().is_online
