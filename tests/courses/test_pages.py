from datetime import date

import pytest
from django.urls import reverse

from courses.models import Course
from courses.services import course_rename
from tests.factories import (
    BookingFactory,
    CourseFactory,
    EventFactory,
    PriorityAreaFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
LINK = "https://meet.example.org/j/secret-room-42"
INSTRUCTIONS = "Join ten minutes early with your camera on."


@pytest.fixture
def course():
    return CourseFactory(
        title="Graded Care Profile 2",
        slug="graded-care-profile-2",
        summary="A tool for assessing the care of children.",
        learning_outcomes="Use the GCP2 scales\n\nAgree a plan with the family\n",
        priority_area=PriorityAreaFactory(name="Neglect"),
        audience=Course.Audience.CHILDREN,
        competency_level=Course.Level.L3,
        delivery_mode=Course.DeliveryMode.LIVE_ONLINE,
    )


@pytest.fixture
def online_event(course):
    return EventFactory(
        course=course, venue="", joining_link=LINK, joining_instructions=INSTRUCTIONS, capacity=12
    )


def test_course_page_shows_the_course_and_its_upcoming_events_with_places_left(
    client, course, online_event
):
    BookingFactory.create_batch(2, event=online_event)
    EventFactory(course=course, status="cancelled")

    response = client.get(reverse("courses:course", args=[course.slug]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1" in page and "Graded Care Profile 2" in page
    assert "<li>Use the GCP2 scales</li>" in page
    assert "<li>Agree a plan with the family</li>" in page
    assert "Neglect" in page
    assert "Level 3 (specialist)" in page
    assert "Live online" in page
    assert [e.pk for e in response.context["events"]] == [online_event.pk]
    assert "10 of 12" in page
    assert reverse("courses:event", args=[online_event.pk]) in page


def test_course_page_names_its_former_titles(client, course):
    course_rename(course=course, new_title="Graded Care Profile 3", on=date(2024, 4, 1))

    page = client.get(reverse("courses:course", args=[course.slug])).content.decode()

    assert "Previously known as “Graded Care Profile 2”" in page


def test_unpublished_course_is_not_found(client):
    course = CourseFactory(is_published=False)
    event = EventFactory(course=course)

    assert client.get(reverse("courses:course", args=[course.slug])).status_code == 404
    assert client.get(reverse("courses:event", args=[event.pk])).status_code == 404


def test_event_page_shows_course_times_places_and_trainers(client, online_event):
    trainer = UserFactory(full_name="Tess Trainer")
    online_event.trainers.add(trainer)
    BookingFactory(event=online_event)

    response = client.get(reverse("courses:event", args=[online_event.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Graded Care Profile 2" in page
    assert "Half day or less" in page
    assert "Online" in page
    assert "11 of 12" in page
    assert "Tess Trainer" in page
    assert response.context["my_booking"] is None
    # The booking panel is included where the booking action goes.
    assert "Sign in to book a place" in page


def test_joining_details_are_hidden_from_anonymous_visitors(client, online_event):
    page = client.get(reverse("courses:event", args=[online_event.pk])).content.decode()

    assert LINK not in page
    assert INSTRUCTIONS not in page


@pytest.mark.parametrize("status", [None, "cancelled", "waitlisted"])
def test_joining_details_are_hidden_from_people_without_a_place(client, online_event, status):
    person = UserFactory()
    if status:
        BookingFactory(event=online_event, person=person, status=status)
    # Someone else's place does not count.
    BookingFactory(event=online_event)
    client.force_login(person)

    response = client.get(reverse("courses:event", args=[online_event.pk]))

    page = response.content.decode()
    assert LINK not in page
    assert INSTRUCTIONS not in page
    expected = status if status == "waitlisted" else None
    assert (response.context["my_booking"] and response.context["my_booking"].status) == expected


@pytest.mark.parametrize("status", ["confirmed", "offered"])
def test_joining_details_are_shown_to_a_delegate_holding_a_place(client, online_event, status):
    booking = BookingFactory(event=online_event, status=status)
    client.force_login(booking.person)

    response = client.get(reverse("courses:event", args=[online_event.pk]))

    page = response.content.decode()
    assert LINK in page
    assert INSTRUCTIONS in page
    assert response.context["my_booking"] == booking


def test_catalogue_shows_date_duration_mode_venue_and_places(client, course, online_event):
    face_to_face = EventFactory(venue="Saltwells Education Centre", capacity=5)
    BookingFactory.create_batch(5, event=face_to_face)

    page = client.get(reverse("courses:catalogue")).content.decode()

    assert "Graded Care Profile 2" in page
    assert "Live online" in page and "Online" in page
    assert "Saltwells Education Centre" in page
    assert "12 of 12" in page
    assert "Full" in page
    assert "Half day or less" in page
    assert LINK not in page
