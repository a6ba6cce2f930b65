"""The L&D lead's priority areas at /manage/priority-areas/: list, add, edit; names unique
whatever their case, reporting years in range and in order; never deleted; a rename shows in
the reports."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.models import PriorityArea
from courses.priority_areas import (
    PRIORITY_AREA_LAST_BEFORE_FIRST,
    PRIORITY_AREA_NAME_REQUIRED,
    PRIORITY_AREA_NAME_TAKEN,
    PRIORITY_AREA_YEAR_OUT_OF_RANGE,
    priority_area_save,
)
from tests.factories import CourseFactory, EventFactory

pytestmark = pytest.mark.django_db

LIST = reverse("courses:manage_priority_areas")
ADD = reverse("courses:manage_priority_area_create")


def _errors(response) -> dict:
    return response.context["form"].errors


def test_the_lead_adds_an_area_with_its_years(client, lead):
    client.force_login(lead)
    response = client.post(
        ADD,
        {"name": "  Domestic   abuse ", "description": "", "first_year": "2025", "last_year": ""},
    )
    assert response.status_code == 302 and response["Location"] == LIST
    area = PriorityArea.objects.get(name="Domestic abuse")
    assert (area.first_year, area.last_year) == (2025, None)
    page = client.get(LIST).content.decode()
    assert "Domestic abuse" in page and "From 2025" in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": ""}, "name", PRIORITY_AREA_NAME_REQUIRED),
        ({"name": "neglect"}, "name", PRIORITY_AREA_NAME_TAKEN),
        ({"name": "New", "first_year": "1999"}, "first_year", PRIORITY_AREA_YEAR_OUT_OF_RANGE),
        ({"name": "New", "last_year": "20x5"}, "last_year", PRIORITY_AREA_YEAR_OUT_OF_RANGE),
        (
            {"name": "New", "first_year": "2025", "last_year": "2024"},
            "last_year",
            PRIORITY_AREA_LAST_BEFORE_FIRST,
        ),
    ],
)
def test_a_refused_area_names_the_field(client, lead, data, field, message):
    PriorityArea.objects.create(name="Neglect")
    client.force_login(lead)
    before = PriorityArea.objects.count()
    response = client.post(ADD, {"description": "", "first_year": "", "last_year": ""} | data)
    assert response.status_code == 200
    assert _errors(response)[field] == [message]
    assert PriorityArea.objects.count() == before
    assert "govuk-error-summary" in response.content.decode()


def test_the_service_refuses_the_same_rules(lead):
    PriorityArea.objects.create(name="Neglect")
    with pytest.raises(Exception) as refused:
        priority_area_save(area=PriorityArea(name="NEGLECT "), actor=lead)
    assert refused.value.message_dict == {"name": [PRIORITY_AREA_NAME_TAKEN]}
    with pytest.raises(Exception) as refused:
        priority_area_save(area=PriorityArea(name="X", first_year=2026, last_year=2025), actor=lead)
    assert refused.value.message_dict == {"last_year": [PRIORITY_AREA_LAST_BEFORE_FIRST]}


def test_editing_retires_by_its_last_year_and_keeps_its_courses(client, lead):
    area = PriorityArea.objects.create(name="Think Family", first_year=2022)
    course = CourseFactory(priority_area=area)
    client.force_login(lead)
    url = reverse("courses:manage_priority_area_edit", args=[area.pk])
    assert "Think Family" in client.get(url).content.decode()
    response = client.post(
        url, {"name": "Think Family", "description": "", "first_year": "2022", "last_year": "2024"}
    )
    assert response.status_code == 302
    area.refresh_from_db()
    assert area.last_year == 2024 and not area.is_active_in(2025)
    course.refresh_from_db()
    assert course.priority_area_id == area.pk
    # Keeping its own name (in another case) is not "taken".
    response = client.post(
        url, {"name": "think family", "description": "", "first_year": "", "last_year": ""}
    )
    assert response.status_code == 302


def test_the_pages_offer_no_way_to_delete_an_area(client, lead):
    area = PriorityArea.objects.create(name="Neglect")
    CourseFactory(priority_area=area)
    client.force_login(lead)
    url = reverse("courses:manage_priority_area_edit", args=[area.pk])
    assert "delete" not in client.get(url).content.decode().lower()
    assert client.delete(url).status_code == 405
    assert PriorityArea.objects.filter(pk=area.pk).exists()


def test_a_rename_shows_in_the_reports(client, lead):
    from reports.metrics import by_priority
    from reports.selectors import ReportFilters, report_frames

    area = PriorityArea.objects.create(name="Exploitation")
    start = timezone.now() - timedelta(days=10)
    EventFactory(
        course=CourseFactory(priority_area=area), start=start, end=start + timedelta(hours=2)
    )
    client.force_login(lead)
    client.post(
        reverse("courses:manage_priority_area_edit", args=[area.pk]),
        {"name": "Child exploitation", "description": "", "first_year": "", "last_year": ""},
    )
    period = (date.today() - timedelta(days=60), date.today())
    frames = report_frames(start=period[0], end=period[1])
    names = {row["priority"] for row in by_priority(frames, period[0], ReportFilters())}
    assert "Child exploitation" in names and "Exploitation" not in names


def test_the_list_takes_a_constant_number_of_queries(client, lead, django_assert_max_num_queries):
    for n in range(8):
        CourseFactory(priority_area=PriorityArea.objects.create(name=f"Area {n}"))
    client.force_login(lead)
    with django_assert_max_num_queries(8):
        response = client.get(LIST)
    assert response.content.decode().count("/manage/priority-areas/") >= 9


def test_only_the_lead_may_use_the_pages(client, practitioner, trainer, org_manager):
    for person in (practitioner, trainer, org_manager):
        client.force_login(person)
        assert client.get(LIST).status_code == 403
        assert client.post(ADD, {"name": "Sneaky"}).status_code == 403
    assert not PriorityArea.objects.filter(name="Sneaky").exists()
