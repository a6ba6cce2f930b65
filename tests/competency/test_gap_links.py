"""A gap on My training links straight to the next date of a course that fills it, so the
practitioner is one click from booking."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from competency import selectors
from competency.models import JobRole, Level, Requirement, StaffRole
from courses.models import Course, Event, PriorityArea
from tests.factories import CourseFactory, EventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def gap(practitioner):
    neglect = PriorityArea.objects.create(name="Neglect")
    Level.objects.create(number=2, name="Core", refresher_months=36)
    role = JobRole.objects.create(name="Social worker")
    Requirement.objects.create(job_role=role, priority_area=neglect, level=2)
    StaffRole.objects.create(person=practitioner, job_role=role)
    course = CourseFactory(title="Neglect core", priority_area=neglect, competency_level=2)
    now = timezone.now()
    later = EventFactory(course=course, start=now + timedelta(days=40))
    sooner = EventFactory(course=course, start=now + timedelta(days=12))
    EventFactory(course=course, start=now + timedelta(days=5), status=Event.Status.DRAFT)
    module = CourseFactory(
        title="Neglect online",
        priority_area=neglect,
        competency_level=2,
        delivery_mode=Course.DeliveryMode.ELEARNING,
    )
    return {"course": course, "sooner": sooner, "later": later, "module": module}


def test_each_course_filling_a_gap_carries_its_next_bookable_date(practitioner, gap):
    [standing] = selectors.person_record(practitioner).gaps
    by_title = {c.title: c for c in standing.fill_with}
    assert by_title["Neglect core"].next_event_id == gap["sooner"].pk  # not the draft
    assert by_title["Neglect core"].next_event_start == gap["sooner"].start
    assert by_title["Neglect online"].next_event_id is None


def test_my_training_links_the_gap_to_the_event_to_book(client, practitioner, gap):
    client.force_login(practitioner)
    page = client.get(reverse("bookings:my_training")).content.decode()
    assert f'href="{reverse("courses:event", args=[gap["sooner"].pk])}"' in page
    assert "book the next date" in page
    assert f'href="{reverse("courses:event", args=[gap["later"].pk])}"' not in page
