from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from core.clock import LONDON
from courses.filters import MONTH_INVALID
from courses.models import Course, Event
from tests.factories import (
    BookingFactory,
    CourseFactory,
    CourseNameFactory,
    EventFactory,
    PriorityAreaFactory,
)

pytestmark = pytest.mark.django_db


def test_catalogue_lists_only_upcoming_scheduled_events_of_published_courses(catalogue_pks):
    listed = EventFactory()
    EventFactory(start=timezone.now() - timedelta(days=1))
    EventFactory(status=Event.Status.CANCELLED)
    EventFactory(course=CourseFactory(is_published=False))

    pks, _ = catalogue_pks()

    assert pks == [listed.pk]


def test_priority_area_filter_keeps_only_that_area(catalogue_pks):
    neglect = PriorityAreaFactory(name="Neglect")
    exploitation = PriorityAreaFactory(name="Exploitation")
    wanted = EventFactory(course=CourseFactory(priority_area=neglect))
    EventFactory(course=CourseFactory(priority_area=exploitation))

    pks, _ = catalogue_pks(priority_area=neglect.pk)

    assert pks == [wanted.pk]


def test_audience_filter_includes_all_age_courses_but_not_the_other_audience(catalogue_pks):
    children = EventFactory(course=CourseFactory(audience=Course.Audience.CHILDREN))
    everyone = EventFactory(course=CourseFactory(audience=Course.Audience.ALL))
    EventFactory(course=CourseFactory(audience=Course.Audience.ADULTS))

    pks, _ = catalogue_pks(audience="children")

    assert sorted(pks) == sorted([children.pk, everyone.pk])


def test_audience_all_means_courses_for_all_ages_only(catalogue_pks):
    EventFactory(course=CourseFactory(audience=Course.Audience.CHILDREN))
    everyone = EventFactory(course=CourseFactory(audience=Course.Audience.ALL))

    pks, _ = catalogue_pks(audience="all")

    assert pks == [everyone.pk]


def test_delivery_mode_filter(catalogue_pks):
    online = EventFactory(course=CourseFactory(delivery_mode=Course.DeliveryMode.LIVE_ONLINE))
    EventFactory(course=CourseFactory(delivery_mode=Course.DeliveryMode.FACE_TO_FACE))

    pks, _ = catalogue_pks(mode="live_online")

    assert pks == [online.pk]


@time_machine.travel(datetime(2026, 9, 15, 12, 0, tzinfo=LONDON), tick=False)
def test_month_filter_uses_london_months_not_utc(catalogue_pks):
    # 00:30 on 1 October in London (BST) is still 30 September in UTC.
    september = EventFactory(start=datetime(2026, 9, 30, 23, 30, tzinfo=LONDON))
    october = EventFactory(start=datetime(2026, 10, 1, 0, 30, tzinfo=LONDON))
    EventFactory(start=datetime(2026, 11, 1, 0, 30, tzinfo=LONDON))

    pks, _ = catalogue_pks(month="2026-10")
    assert pks == [october.pk]

    pks, _ = catalogue_pks(month="2026-09")
    assert pks == [september.pk]


def test_places_left_filter_hides_full_events(catalogue_pks):
    full = EventFactory(capacity=2)
    BookingFactory.create_batch(2, event=full)
    not_full = EventFactory(capacity=2)
    BookingFactory(event=not_full)
    # A cancelled booking frees its place.
    BookingFactory(event=not_full, status="cancelled")

    pks, _ = catalogue_pks(places_left="on")
    assert pks == [not_full.pk]

    pks, _ = catalogue_pks()
    assert sorted(pks) == sorted([full.pk, not_full.pk])


@pytest.mark.parametrize(
    "query",
    ["graded care", "  GRADED   care ", "neglected child", "home conditions"],
)
def test_search_matches_title_summary_and_learning_outcomes(catalogue_pks, query):
    wanted = EventFactory(
        course=CourseFactory(
            title="Graded Care Profile 2",
            summary="Assessing the care of a neglected child.",
            learning_outcomes="Score home conditions\nPlan with the family",
        )
    )
    EventFactory(course=CourseFactory(title="Think Family", summary="Whole-family working."))

    pks, _ = catalogue_pks(q=query)

    assert pks == [wanted.pk]


def test_search_finds_a_course_by_its_former_title_without_double_counting(catalogue_pks):
    course = CourseFactory(title="Harm Outside the Home")
    CourseNameFactory(course=course, title="Child Exploitation Awareness")
    CourseNameFactory(course=course, title="Exploitation: Spotting the Signs")
    event = EventFactory(course=course, capacity=5)
    BookingFactory.create_batch(2, event=event)
    # Its priority area named: the search looks in priority areas too.
    EventFactory(
        course=CourseFactory(
            title="Neglect Basics", priority_area=PriorityAreaFactory(name="Neglect")
        )
    )

    pks, response = catalogue_pks(q="exploitation")

    assert pks == [event.pk]
    # Two former titles match: the count of places must not double.
    assert response.context["events"][0].places_left == 3


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"month": "2026-13"}, "month", MONTH_INVALID),
        ({"month": "next week"}, "month", MONTH_INVALID),
        ({"priority_area": "abc"}, "priority_area", "Select a valid choice"),
        ({"audience": "martians"}, "audience", "Select a valid choice"),
        ({"mode": "carrier-pigeon"}, "mode", "Select a valid choice"),
        ({"q": "x" * 101}, "q", "100 characters or fewer"),
    ],
)
def test_invalid_filter_value_is_reported_on_its_field(client, params, field, message):
    event = EventFactory()

    response = client.get("/", params)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert message in errors[field][0]
    content = response.content.decode()
    assert "There is a problem" in content
    assert f'id="id_{field}-error"' in content
    # The other filters still apply and the page still lists events.
    assert [e.pk for e in response.context["events"]] == [event.pk]


def test_pagination_keeps_filters_in_the_page_links(client, settings):
    settings.CATALOGUE_PAGE_SIZE = 2
    course = CourseFactory(delivery_mode=Course.DeliveryMode.LIVE_ONLINE)
    for day in range(5):
        EventFactory(course=course, start=timezone.now() + timedelta(days=day + 1))

    response = client.get("/", {"mode": "live_online", "page": 2})

    assert response.status_code == 200
    assert response.context["page_obj"].number == 2
    assert len(response.context["events"]) == 2
    assert "?mode=live_online&amp;page=3" in response.content.decode()
