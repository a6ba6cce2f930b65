"""e-Learning modules: launched from the course page (an enrolment is recorded), marked done with
a date (not in the future, not before the start), listed on My training, and a completion
satisfies a prerequisite."""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings import services
from bookings.models import Booking, Enrolment
from core.clock import LONDON, london_today
from courses.models import Course
from tests.factories import CourseFactory, EventFactory

pytestmark = pytest.mark.django_db
LAUNCH = "https://learning.example.org/neglect-intro"


@pytest.fixture
def module():
    return CourseFactory(
        title="Neglect: an introduction",
        slug="neglect-an-introduction",
        delivery_mode=Course.DeliveryMode.ELEARNING,
        launch_url=LAUNCH,
    )


@pytest.fixture
def signed_in(client, practitioner):
    client.force_login(practitioner)
    return client


def test_the_course_page_offers_to_start_a_module_and_mark_it_done(signed_in, module):
    page = signed_in.get(reverse("courses:course", args=[module.slug])).content.decode()
    assert reverse("bookings:elearning_launch", args=[module.pk]) in page
    assert reverse("bookings:elearning", args=[module.pk]) in page
    assert "Upcoming dates" not in page


def test_the_signed_out_are_asked_to_sign_in_first(client, module):
    page = client.get(reverse("courses:course", args=[module.slug])).content.decode()
    assert reverse("bookings:elearning_launch", args=[module.pk]) not in page
    assert reverse("account_login") in page


def test_launching_records_an_enrolment_and_opens_the_module(signed_in, practitioner, module):
    response = signed_in.post(reverse("bookings:elearning_launch", args=[module.pk]))
    assert response.status_code == 302 and response["Location"] == LAUNCH
    enrolment = Enrolment.objects.get(person=practitioner, course=module)
    assert enrolment.completed_at is None
    assert enrolment.organisation == practitioner.organisation
    # Launching again continues the same enrolment.
    signed_in.post(reverse("bookings:elearning_launch", args=[module.pk]))
    assert Enrolment.objects.filter(person=practitioner, course=module).count() == 1


def test_launching_needs_a_post(signed_in, module):
    assert signed_in.get(reverse("bookings:elearning_launch", args=[module.pk])).status_code == 405


def test_a_course_that_is_not_e_learning_has_no_module_page(signed_in):
    course = CourseFactory()
    assert signed_in.get(reverse("bookings:elearning", args=[course.pk])).status_code == 404
    assert signed_in.post(reverse("bookings:elearning_launch", args=[course.pk])).status_code == 404


def test_marking_a_module_done_records_the_date_and_my_training_lists_it(
    signed_in, practitioner, module
):
    signed_in.post(reverse("bookings:elearning_launch", args=[module.pk]))
    today = london_today()
    response = signed_in.post(
        reverse("bookings:elearning", args=[module.pk]), {"completed_on": today.isoformat()}
    )
    assert response.status_code == 302
    enrolment = Enrolment.objects.get(person=practitioner, course=module)
    assert timezone.localdate(enrolment.completed_at) == today
    page = signed_in.get(reverse("bookings:my_training")).content.decode()
    assert "Neglect: an introduction" in page and "Completed" in page
    assert f"{today.day} {today:%B %Y}" in page


def test_a_completion_date_in_the_future_is_refused(signed_in, practitioner, module):
    tomorrow = london_today() + timedelta(days=1)
    response = signed_in.post(
        reverse("bookings:elearning", args=[module.pk]), {"completed_on": tomorrow.isoformat()}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["completed_on"] == [services.COMPLETION_IN_FUTURE]
    assert "There is a problem" in response.content.decode()
    assert not Enrolment.objects.filter(completed_at__isnull=False).exists()


def test_a_completion_date_before_the_start_is_refused(signed_in, practitioner, module):
    Enrolment.objects.create(
        person=practitioner,
        course=module,
        enrolled_at=datetime(2026, 3, 10, 9, tzinfo=LONDON),
    )
    response = signed_in.post(
        reverse("bookings:elearning", args=[module.pk]), {"completed_on": "2026-03-09"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["completed_on"] == [
        services.COMPLETION_BEFORE_ENROLMENT.format(started=datetime(2026, 3, 10).date())
    ]
    assert Enrolment.objects.get(person=practitioner).completed_at is None
    # The day it was started is fine.
    signed_in.post(reverse("bookings:elearning", args=[module.pk]), {"completed_on": "2026-03-10"})
    assert Enrolment.objects.get(person=practitioner).completed_at is not None


@pytest.mark.parametrize("value", ["", "31/02/2026", "yesterday"])
def test_a_missing_or_unreal_completion_date_is_refused(signed_in, module, value):
    response = signed_in.post(
        reverse("bookings:elearning", args=[module.pk]), {"completed_on": value}
    )
    assert response.status_code == 200
    assert "completed_on" in response.context["form"].errors
    assert not Enrolment.objects.exists()


def test_a_completed_module_satisfies_a_prerequisite(practitioner, module):
    advanced = CourseFactory(title="Graded Care Profile 2")
    advanced.prerequisites.add(module)
    event = EventFactory(course=advanced)
    with pytest.raises(
        services.BookingError, match="complete the e-learning Neglect: an introduction"
    ):
        services.booking_create(event=event, person=practitioner)
    services.enrolment_start(course=module, person=practitioner)
    with pytest.raises(services.BookingError, match="Neglect: an introduction"):
        services.booking_create(event=event, person=practitioner)  # started is not done
    services.enrolment_complete(course=module, person=practitioner, completed_on=london_today())
    booking = services.booking_create(event=event, person=practitioner)
    assert booking.status == Booking.Status.CONFIRMED


def test_both_kinds_of_missing_prerequisite_are_named(practitioner, module):
    intro = CourseFactory(title="Introduction to safeguarding")
    advanced = CourseFactory(title="Graded Care Profile 2")
    advanced.prerequisites.add(module, intro)
    with pytest.raises(services.BookingError) as refused:
        services.booking_create(event=EventFactory(course=advanced), person=practitioner)
    assert refused.value.message == services.PREREQUISITE_MISSING_MIXED.format(
        courses="Introduction to safeguarding", modules="Neglect: an introduction"
    )


def test_a_module_without_a_launch_link_cannot_be_launched(signed_in, practitioner):
    bare = CourseFactory(delivery_mode=Course.DeliveryMode.ELEARNING, launch_url="")
    response = signed_in.post(reverse("bookings:elearning_launch", args=[bare.pk]))
    assert response["Location"] == reverse("bookings:elearning", args=[bare.pk])
    assert not Enrolment.objects.exists()
