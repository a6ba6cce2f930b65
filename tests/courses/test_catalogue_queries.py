from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from courses.models import Course, CourseName, Event
from tests.factories import BookingFactory, CourseFactory, PriorityAreaFactory, VenueFactory

pytestmark = pytest.mark.django_db


def _make_upcoming_events(count: int) -> list[Course]:
    areas = [PriorityAreaFactory(name=name) for name in ("Neglect", "Exploitation")]
    courses = [
        CourseFactory(
            priority_area=areas[i % 2],
            delivery_mode=Course.DeliveryMode.choices[i % 3][0],
            summary=f"Course {i} about safeguarding",
        )
        for i in range(10)
    ]
    for course in courses:
        CourseName.objects.create(course=course, title=f"Old safeguarding title {course.pk}")
    start = timezone.now() + timedelta(days=1)
    venue = VenueFactory(name="Council House")
    Event.objects.bulk_create(
        Event(
            course=courses[i % len(courses)],
            start=start + timedelta(hours=i),
            end=start + timedelta(hours=i, minutes=150),
            venue=venue,
            capacity=20,
        )
        for i in range(count)
    )
    return courses


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": "safeguarding", "places_left": "on", "audience": "children"},
        {"mode": "face_to_face", "page": "3"},
    ],
)
def test_catalogue_of_1000_events_renders_in_a_constant_number_of_queries(
    client, django_assert_max_num_queries, params
):
    _make_upcoming_events(1000)
    first = Event.objects.order_by("start").first()
    BookingFactory.create_batch(3, event=first)

    # Count, one page of events (with course, area and places taken), the priority-area choices.
    with django_assert_max_num_queries(4):
        response = client.get("/", params)

    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count > 20
    assert len(response.context["events"]) == 20


def test_signed_in_catalogue_query_count_does_not_grow_with_events(client, practitioner):
    _make_upcoming_events(10)
    client.force_login(practitioner)
    client.get("/")  # a session's first page records its start (one write), later pages don't
    with CaptureQueriesContext(connection) as small:
        client.get("/")

    _make_upcoming_events(990)
    with CaptureQueriesContext(connection) as large:
        response = client.get("/")

    assert response.context["page_obj"].paginator.count == 1000
    assert len(large.captured_queries) == len(small.captured_queries)


def test_course_page_query_count_does_not_grow_with_its_events(client):
    course = CourseFactory()
    start = timezone.now() + timedelta(days=1)

    def add_events(count):
        Event.objects.bulk_create(
            Event(course=course, start=start, end=start + timedelta(hours=3), capacity=5)
            for _ in range(count)
        )

    add_events(2)
    with CaptureQueriesContext(connection) as few:
        client.get(f"/courses/{course.slug}/")
    add_events(50)
    with CaptureQueriesContext(connection) as many:
        response = client.get(f"/courses/{course.slug}/")

    assert len(response.context["events"]) == 52
    assert len(many.captured_queries) == len(few.captured_queries)
