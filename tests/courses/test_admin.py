from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.models import CourseName
from tests.factories import (
    BookingFactory,
    CourseFactory,
    CourseNameFactory,
    EventFactory,
    PriorityAreaFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("admin@example.org", "a-long-password")
    client.force_login(user)
    return client


@pytest.mark.parametrize("model", ["priorityarea", "course", "coursename", "event"])
def test_admin_lists_search_and_filter(admin_client, model):
    area = PriorityAreaFactory(name="Think Family")
    event = EventFactory(course=CourseFactory(title="Think Family", priority_area=area))
    CourseNameFactory(course=event.course, title="Whole Family Working")
    BookingFactory.create_batch(2, event=event)

    listing = admin_client.get(reverse(f"admin:courses_{model}_changelist"))
    searched = admin_client.get(reverse(f"admin:courses_{model}_changelist"), {"q": "family"})

    assert listing.status_code == 200
    assert searched.status_code == 200
    assert searched.context["cl"].result_count >= 1


def test_event_list_shows_places_taken(admin_client):
    event = EventFactory(capacity=9)
    BookingFactory.create_batch(2, event=event)
    BookingFactory(event=event, status="cancelled")

    response = admin_client.get(reverse("admin:courses_event_changelist"))

    assert [e.places_taken for e in response.context["cl"].result_list] == [2]


def test_changing_a_title_in_the_admin_records_a_rename(admin_client):
    course = CourseFactory(title="Child Exploitation", slug="child-exploitation")
    url = reverse("admin:courses_course_change", args=[course.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "prerequisites"}
    data |= {
        "title": "Harm Outside the Home",
        "names-TOTAL_FORMS": "0",
        "names-INITIAL_FORMS": "0",
    }

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    course.refresh_from_db()
    assert course.title == "Harm Outside the Home"
    today = timezone.localdate()
    history = CourseName.objects.filter(course=course).order_by("pk")
    assert list(history.values_list("title", "valid_until")) == [
        ("Child Exploitation", date.fromordinal(today.toordinal() - 1)),
        ("Harm Outside the Home", None),
    ]
