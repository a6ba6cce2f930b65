"""/courses/ (the list of courses), the month view of events, the level filter, e-learning in the
catalogue and the search that forgives a typo (PostgreSQL trigrams; a difflib fallback)."""

from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.urls import reverse

from core.clock import LONDON, london_today
from courses.models import Course, Event
from courses.selectors import course_search_q
from tests.factories import CourseFactory, EventFactory, PriorityAreaFactory

pytestmark = pytest.mark.django_db

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="trigram search needs PostgreSQL"
)
on_sqlite = pytest.mark.skipif(connection.vendor == "postgresql", reason="the SQLite fallback")


@pytest.fixture
def courses():
    neglect = PriorityAreaFactory(name="Neglect")
    abuse = PriorityAreaFactory(name="Domestic abuse")
    return {
        "gcp2": CourseFactory(
            title="Graded Care Profile 2",
            priority_area=neglect,
            competency_level=Course.Level.L3,
            summary="A tool.",
            learning_outcomes="",
        ),
        "awareness": CourseFactory(
            title="Domestic abuse awareness",
            priority_area=abuse,
            competency_level=Course.Level.L1,
            summary="The basics.",
            learning_outcomes="",
        ),
        "module": CourseFactory(
            title="Neglect: an introduction",
            priority_area=neglect,
            competency_level=Course.Level.L1,
            delivery_mode=Course.DeliveryMode.ELEARNING,
            launch_url="https://learning.example.org/neglect",
            summary="Online.",
            learning_outcomes="",
        ),
        "retired": CourseFactory(
            title="Old neglect course",
            priority_area=neglect,
            retired_on=date(2025, 3, 31),
            is_published=False,
        ),
    }


# --- /courses/ -----------------------------------------------------------------------------


def test_courses_lists_every_live_course_e_learning_included(client, courses):
    response = client.get("/courses/")
    assert response.status_code == 200
    assert set(response.context["courses"]) == {
        courses["gcp2"],
        courses["awareness"],
        courses["module"],
    }


@pytest.mark.parametrize(
    "params,expected",
    [
        ({"level": "1"}, {"awareness", "module"}),
        ({"level": "3"}, {"gcp2"}),
        ({"mode": "elearning"}, {"module"}),
        ({"priority_area": "Neglect"}, {"gcp2", "module"}),
    ],
)
def test_courses_filters(client, courses, params, expected):
    if "priority_area" in params:
        params = {"priority_area": courses["gcp2"].priority_area_id}
    response = client.get(reverse("courses:course_list"), params)
    assert set(response.context["courses"]) == {courses[k] for k in expected}


def test_a_bad_level_is_reported_not_a_traceback(client, courses):
    response = client.get(reverse("courses:course_list"), {"level": "9"})
    assert response.status_code == 200
    assert "level" in response.context["form"].errors
    assert "There is a problem" in response.content.decode()


# --- the event catalogue: level filter and e-learning --------------------------------------


def test_the_catalogue_filters_events_by_level(catalogue_pks, courses):
    level3 = EventFactory(course=courses["gcp2"])
    EventFactory(course=courses["awareness"])
    pks, _ = catalogue_pks(level="3")
    assert pks == [level3.pk]


def test_the_e_learning_filter_shows_the_modules(catalogue_pks, courses):
    EventFactory(course=courses["gcp2"])
    pks, response = catalogue_pks(mode="elearning")
    assert pks == []
    assert response.context["modules"] == [courses["module"]]
    page = response.content.decode()
    assert "1 e-learning module matches your filters" in page
    assert reverse("courses:course", args=[courses["module"].slug]) in page


def test_e_learning_modules_follow_the_other_filters_and_not_a_month(catalogue_pks, courses):
    _, response = catalogue_pks(level="3")
    assert response.context["modules"] == []
    _, response = catalogue_pks(month=f"{london_today():%Y-%m}")
    assert response.context["modules"] is None
    _, response = catalogue_pks(mode="face_to_face")
    assert response.context["modules"] is None


# --- the month view ------------------------------------------------------------------------


def at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=LONDON)


def test_the_month_view_lists_the_month_s_events_by_day(client, courses):
    first = EventFactory(
        course=courses["gcp2"], start=at(date(2026, 12, 8), 9), end=at(date(2026, 12, 8), 12)
    )
    second = EventFactory(
        course=courses["awareness"], start=at(date(2026, 12, 8), 13), end=at(date(2026, 12, 8), 16)
    )
    third = EventFactory(
        course=courses["gcp2"], start=at(date(2026, 12, 31), 23), end=at(date(2027, 1, 1), 1)
    )
    EventFactory(
        course=courses["gcp2"], start=at(date(2027, 1, 1), 9), end=at(date(2027, 1, 1), 12)
    )
    EventFactory(
        course=courses["gcp2"], start=at(date(2026, 11, 30), 23), end=at(date(2026, 12, 1), 1)
    )
    EventFactory(
        course=courses["awareness"],
        start=at(date(2026, 12, 9), 9),
        end=at(date(2026, 12, 9), 12),
        status=Event.Status.CANCELLED,
    )
    response = client.get("/events/month/2026-12/")
    assert response.status_code == 200
    assert response.context["days"] == [
        (date(2026, 12, 8), [first, second]),
        (date(2026, 12, 31), [third]),
    ]
    page = response.content.decode()
    assert "Events in December 2026" in page
    assert "Tuesday 8 December" in page and "Thursday 31 December" in page
    assert 'href="/events/month/2026-11/"' in page and 'href="/events/month/2027-01/"' in page
    assert "November 2026" in page and "January 2027" in page


def test_an_empty_month_says_so(client):
    response = client.get(reverse("courses:month", args=["2027-02"]))
    assert "There are no events in February 2027" in response.content.decode()


@pytest.mark.parametrize("month", ["2026-13", "2026-00", "1999-12", "december", "2026-1x"])
def test_a_month_that_is_not_one_is_not_found(client, month):
    assert client.get(reverse("courses:month", args=[month])).status_code == 404


def test_the_month_view_without_a_month_opens_this_month(client):
    response = client.get(reverse("courses:month_current"))
    assert response.status_code == 302
    assert response["Location"] == reverse("courses:month", args=[f"{london_today():%Y-%m}"])


def test_the_catalogue_links_the_month_view_and_the_course_list(client):
    page = client.get(reverse("courses:catalogue")).content.decode()
    assert reverse("courses:month", args=[f"{london_today():%Y-%m}"]) in page
    assert reverse("courses:course_list") in page


# --- a search that forgives a typo ---------------------------------------------------------


def searched(text):
    return set(Course.objects.filter(course_search_q(text)))


def _typo_search_finds_neglect(courses, catalogue_pks):
    assert searched("neglet") == {courses["gcp2"], courses["module"], courses["retired"]}
    assert searched("Profle") == {courses["gcp2"]}
    assert searched("awarness") == {courses["awareness"]}
    assert searched("domestc abuse") == {courses["awareness"]}
    assert searched("zebra") == set()
    event = EventFactory(course=courses["gcp2"])
    EventFactory(course=courses["awareness"])
    pks, _ = catalogue_pks(q="neglet")
    assert pks == [event.pk]


@on_sqlite
def test_a_typo_finds_the_course_on_sqlite(courses, catalogue_pks):
    _typo_search_finds_neglect(courses, catalogue_pks)


@pytest.mark.postgres
@on_postgres
def test_a_typo_finds_the_course_on_postgresql_by_trigrams(courses, catalogue_pks):
    with connection.cursor() as cursor:
        cursor.execute("SELECT extname FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone() == ("pg_trgm",)
    _typo_search_finds_neglect(courses, catalogue_pks)


def test_the_exact_search_still_needs_every_word(courses):
    assert searched("graded profile") == {courses["gcp2"]}
    assert searched("graded zebra") == set()


def test_a_search_ignores_past_events(catalogue_pks, courses):
    EventFactory(
        course=courses["gcp2"],
        start=at(london_today() - timedelta(days=3), 9),
        end=at(london_today() - timedelta(days=3), 12),
    )
    pks, _ = catalogue_pks(q="neglet")
    assert pks == []
