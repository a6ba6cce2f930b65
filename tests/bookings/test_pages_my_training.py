"""My training: what is coming up, waiting lists, offers, past courses and e-learning."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings import services
from bookings.models import Booking, Enrolment
from courses.models import Course
from tests.factories import BookingFactory, CourseFactory, EventFactory

pytestmark = pytest.mark.django_db
S = Booking.Status
URL = reverse("bookings:my_training")


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def past_event(**kwargs):
    return EventFactory(start=timezone.now() - timedelta(days=30), status="delivered", **kwargs)


@pytest.fixture
def training(practitioner):
    """One of each: booked (online), waiting, offered, attended, partial."""
    booked = BookingFactory(
        person=practitioner,
        event__joining_link="https://meet.example.org/booked",
        event__course__title="Neglect basics",
    )
    full = EventFactory(capacity=1, course__title="Exploitation in depth")
    BookingFactory(event=full)
    BookingFactory(event=full, status=S.WAITLISTED, created_at=timezone.now() - timedelta(hours=1))
    waiting = BookingFactory(event=full, person=practitioner, status=S.WAITLISTED)
    offered = BookingFactory(
        person=practitioner,
        status=S.OFFERED,
        offer_expires_at=timezone.now() + timedelta(hours=10),
        offer_key="offer-key-my-training",
        event__course__title="Think Family",
    )
    attended = BookingFactory(
        person=practitioner, status=S.ATTENDED, event=past_event(course__title="Attended course")
    )
    partial = BookingFactory(
        person=practitioner, status=S.PARTIAL, event=past_event(course__title="Partial course")
    )
    return {
        "booked": booked,
        "waiting": waiting,
        "offered": offered,
        "attended": attended,
        "partial": partial,
    }


def test_my_training_shows_each_section(client, practitioner, training):
    client.force_login(practitioner)
    response = client.get(URL)
    context = response.context
    assert context["booked"] == [training["booked"]]
    assert context["waiting"] == [training["waiting"]]
    assert context["offers"] == [training["offered"]]
    assert set(context["past"]) == {training["attended"], training["partial"]}
    page = response.content.decode()
    assert "https://meet.example.org/booked" in page
    assert "number 2 on the waiting list" in page
    offer_link = reverse("bookings:offer", args=["TOKEN"]).replace("TOKEN/", "")
    assert f"{offer_link}{training['offered'].offer_key}:" in page
    assert "Partially attended" in page


def test_certificate_link_only_for_fully_attended_courses(settings, client, practitioner, training):
    settings.EVAL_CERTIFICATE_NEEDS_POST = False  # the gate is tested in tests/evaluations
    client.force_login(practitioner)
    page = client.get(URL).content.decode()
    assert reverse("bookings:certificate", args=[training["attended"].pk]) in page
    assert reverse("bookings:certificate", args=[training["partial"].pk]) not in page


def test_joining_details_hidden_for_waiting_list_places(client, practitioner):
    full = EventFactory(capacity=1, joining_link="https://meet.example.org/secret")
    BookingFactory(event=full)
    BookingFactory(event=full, person=practitioner, status=S.WAITLISTED)
    client.force_login(practitioner)
    assert "https://meet.example.org/secret" not in client.get(URL).content.decode()


def test_my_training_runs_in_a_bounded_number_of_queries(
    client, practitioner, training, django_assert_max_num_queries
):
    for _ in range(10):
        BookingFactory(person=practitioner, status=S.ATTENDED, event=past_event())
    client.force_login(practitioner)
    # 12, and 2 for the competency section (the person's job role; their sector's roles).
    with django_assert_max_num_queries(14):
        client.get(URL)


@pytest.fixture
def module(practitioner):
    course = CourseFactory(delivery_mode=Course.DeliveryMode.ELEARNING, title="Online module")
    Enrolment.objects.create(
        course=course,
        person=practitioner,
        organisation=practitioner.organisation,
        enrolled_at=timezone.now() - timedelta(days=3),
    )
    return course


def test_elearning_can_be_marked_completed_with_a_date(client, practitioner, module):
    client.force_login(practitioner)
    url = reverse("bookings:enrolment_complete", args=[module.pk])
    assert f'action="{url}"' in client.get(URL).content.decode()
    yesterday = timezone.localdate() - timedelta(days=1)
    client.post(url, {f"course-{module.pk}-completed_on": yesterday.isoformat()})
    enrolment = Enrolment.objects.get(course=module, person=practitioner)
    assert timezone.localtime(enrolment.completed_at).date() == yesterday


def test_completion_errors_are_shown_on_the_date_field(client, practitioner, module):
    client.force_login(practitioner)
    url = reverse("bookings:enrolment_complete", args=[module.pk])
    future = date.today() + timedelta(days=5)
    response = client.post(url, {f"course-{module.pk}-completed_on": future.isoformat()})
    page = response.content.decode()
    assert services.COMPLETION_IN_FUTURE in page
    assert f'href="#id_course-{module.pk}-completed_on"' in page
    assert f'id="id_course-{module.pk}-completed_on-error"' in page
    assert Enrolment.objects.get(course=module).completed_at is None
    nonsense = client.post(url, {f"course-{module.pk}-completed_on": "31/02/2025"})
    assert "Enter a real date" in nonsense.content.decode()


def test_completion_is_only_for_elearning_modules(client, practitioner):
    classroom = CourseFactory()
    client.force_login(practitioner)
    url = reverse("bookings:enrolment_complete", args=[classroom.pk])
    response = client.post(url, {f"course-{classroom.pk}-completed_on": "2025-01-02"})
    assert response.status_code == 404
