"""The lead keeps the framework at /manage/framework/: levels, job roles with the level each
needs in each priority area (a role is deleted only when nobody holds it), which courses achieve
which level, and each organisation's staff count."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from competency import services
from competency.models import JobRole, Level, OrganisationStaffCount, Requirement, StaffRole
from courses.models import PriorityArea
from tests.factories import CourseFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead_client(client, lead):
    client.force_login(lead)
    return client


@pytest.fixture
def areas(db):
    return {
        "neglect": PriorityArea.objects.create(name="Neglect"),
        "exploitation": PriorityArea.objects.create(name="Exploitation"),
    }


@pytest.fixture
def levels(db):
    return [
        Level.objects.create(number=1, name="Basic awareness", refresher_months=36),
        Level.objects.create(number=2, name="Core practice", refresher_months=36),
        Level.objects.create(number=3, name="Advanced", refresher_months=48),
    ]


def errors_of(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


# --- levels ---------------------------------------------------------------------------------


def test_the_lead_adds_and_edits_a_level(lead_client, levels):
    response = lead_client.post(
        reverse("framework:level_create"),
        {"number": "4", "name": "Specialist", "description": "Leads", "refresher_months": "24"},
    )
    assert response.status_code == 302
    level = Level.objects.get(number=4)
    assert (level.name, level.refresher_months) == ("Specialist", 24)
    response = lead_client.post(
        reverse("framework:level_edit", args=[level.pk]),
        {"number": "4", "name": "Specialist and leadership", "refresher_months": "36"},
    )
    assert response.status_code == 302
    level.refresh_from_db()
    assert (level.name, level.refresher_months) == ("Specialist and leadership", 36)
    html = lead_client.get(reverse("framework:index")).content.decode()
    assert "Level 4: Specialist and leadership" in html


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"number": "2", "name": "Again", "refresher_months": "12"}, "number",
         services.LEVEL_NUMBER_TAKEN),
        ({"number": "0", "name": "Zero", "refresher_months": "12"}, "number",
         "Enter a number from 1 to 9."),
        ({"number": "5", "name": "Beyond", "refresher_months": "12"}, "number",
         services.LEVEL_NO_COURSE.format(low=1, high=4)),
        ({"number": "4", "name": "", "refresher_months": "12"}, "name",
         "Enter the level's name."),
        ({"number": "4", "name": "Long", "refresher_months": "500"}, "refresher_months",
         "Enter an interval from 1 to 120 months."),
        ({"number": "4", "name": "Words", "refresher_months": "three years"}, "refresher_months",
         "Enter the interval as a whole number of months, for example 36."),
    ],
)  # fmt: skip
def test_a_bad_level_is_refused_on_its_field(lead_client, levels, data, field, message):
    html = errors_of(lead_client.post(reverse("framework:level_create"), data))
    assert escape(message) in html
    assert f'id="id_{field}-error"' in html
    assert Level.objects.count() == 3


def test_a_level_a_role_needs_cannot_be_renumbered(lead_client, levels, areas):
    role = JobRole.objects.create(name="Teacher", sector="education")
    Requirement.objects.create(job_role=role, priority_area=areas["neglect"], level=3)
    html = errors_of(
        lead_client.post(
            reverse("framework:level_edit", args=[levels[2].pk]),
            {"number": "4", "name": "Advanced", "refresher_months": "48"},
        )
    )
    assert services.LEVEL_IN_USE.format(number=3) in html
    levels[2].refresh_from_db()
    assert levels[2].number == 3


# --- job roles ------------------------------------------------------------------------------


def role_data(areas, **changes):
    data = {
        "name": "Youth worker",
        "sector": "voluntary",
        "description": "",
        f"area_{areas['neglect'].pk}": "1",
        f"area_{areas['exploitation'].pk}": "2",
    }
    return data | changes


def test_the_role_page_has_a_level_select_per_priority_area(lead_client, areas, levels):
    html = lead_client.get(reverse("framework:role_create")).content.decode()
    for area in areas.values():
        assert f'name="area_{area.pk}"' in html
    assert "Not required" in html and "Level 2: Core practice" in html


def test_the_lead_adds_a_role_with_its_levels_then_changes_and_clears_one(
    lead_client, areas, levels
):
    response = lead_client.post(reverse("framework:role_create"), role_data(areas))
    assert response.status_code == 302
    role = JobRole.objects.get(name="Youth worker")
    needs = dict(role.requirements.values_list("priority_area__name", "level"))
    assert needs == {"Neglect": 1, "Exploitation": 2}

    data = role_data(
        areas, **{f"area_{areas['neglect'].pk}": "", f"area_{areas['exploitation'].pk}": "3"}
    )
    assert lead_client.post(reverse("framework:role_edit", args=[role.pk]), data).status_code == 302
    assert dict(role.requirements.values_list("priority_area__name", "level")) == {
        "Exploitation": 3
    }
    edit = lead_client.get(reverse("framework:role_edit", args=[role.pk])).content.decode()
    assert '<option value="3" selected>' in edit


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"name": ""}, "name", "Enter the job role's name."),
        ({"name": "social WORKER", "sector": "local_authority"}, "name",
         services.ROLE_NAME_TAKEN),
        ({"area": "7"}, "area", services.REQUIREMENT_NOT_A_LEVEL),
        ({"sector": "army"}, "sector", "Select a valid choice"),
    ],
)  # fmt: skip
def test_a_bad_role_is_refused_on_its_field(lead_client, areas, levels, changes, field, message):
    JobRole.objects.create(name="Social worker", sector="local_authority")
    area_field = f"area_{areas['neglect'].pk}"
    if "area" in changes:
        changes = {area_field: changes.pop("area")}
    html = errors_of(
        lead_client.post(reverse("framework:role_create"), role_data(areas, **changes))
    )
    assert escape(message) in html
    assert f'id="id_{area_field if field == "area" else field}-error"' in html
    assert JobRole.objects.count() == 1


def test_the_same_name_in_another_sector_is_another_role(lead_client, areas, levels):
    JobRole.objects.create(name="Youth worker", sector="local_authority")
    assert lead_client.post(reverse("framework:role_create"), role_data(areas)).status_code == 302
    assert JobRole.objects.filter(name="Youth worker").count() == 2


def test_a_role_nobody_holds_is_deleted_with_its_levels(lead_client, areas, levels):
    role = JobRole.objects.create(name="Volunteer")
    Requirement.objects.create(job_role=role, priority_area=areas["neglect"], level=1)
    page = lead_client.get(reverse("framework:role_delete", args=[role.pk]))
    assert "Delete the job role" in page.content.decode()
    response = lead_client.post(reverse("framework:role_delete", args=[role.pk]))
    assert response.status_code == 302
    assert not JobRole.objects.exists() and not Requirement.objects.exists()


def test_a_role_someone_holds_is_not_deleted(lead_client, areas, levels, practitioner):
    role = JobRole.objects.create(name="Volunteer")
    StaffRole.objects.create(person=practitioner, job_role=role)
    response = lead_client.post(reverse("framework:role_delete", args=[role.pk]))
    assert response.status_code == 400
    html = response.content.decode()
    assert services.ROLE_IN_USE.format(count=1, people="person holds") in html
    assert JobRole.objects.filter(pk=role.pk).exists()
    edit = lead_client.get(reverse("framework:role_edit", args=[role.pk])).content.decode()
    assert "1 person holds this job role, so it cannot be deleted" in edit


# --- courses and their levels ---------------------------------------------------------------


def test_courses_are_listed_by_priority_area_with_their_level_and_a_link_to_change_it(
    lead_client, areas, levels
):
    course = CourseFactory(
        title="Neglect: core", priority_area=areas["neglect"], competency_level=2
    )
    CourseFactory(title="Beyond", priority_area=areas["exploitation"], competency_level=4)
    retired = CourseFactory(
        title="Old neglect", priority_area=areas["neglect"], retired_on=date(2024, 1, 1)
    )
    html = lead_client.get(reverse("framework:courses")).content.decode()
    assert html.index("Exploitation") < html.index("Neglect: core")
    assert "Level 2: Core practice" in html
    assert "Level 4 (not in the framework)" in html
    assert reverse("courses:manage_course_edit", args=[course.pk]) in html
    assert retired.title not in html


# --- staff counts ---------------------------------------------------------------------------


def test_the_lead_enters_and_changes_an_organisations_staff_count(lead_client, organisation):
    url = reverse("framework:staff_counts")
    data = {"organisation": organisation.pk, "staff": "250", "as_of": "2026-03-31"}
    assert lead_client.post(url, data).status_code == 302
    count = OrganisationStaffCount.objects.get(organisation=organisation)
    assert (count.staff, count.as_of) == (250, date(2026, 3, 31))
    assert lead_client.post(url, data | {"staff": "260"}).status_code == 302
    assert OrganisationStaffCount.objects.get().staff == 260
    html = lead_client.get(url, {"organisation": organisation.pk}).content.decode()
    assert 'value="260"' in html and "Dudley Council" in html


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"staff": "0"}, "staff", services.STAFF_COUNT_TOO_SMALL),
        ({"staff": "-3"}, "staff", services.STAFF_COUNT_TOO_SMALL),
        ({"staff": "lots"}, "staff", "Enter the count as a whole number, for example 250."),
        ({"as_of": "tomorrow"}, "as_of", "Enter a real date."),
        ({"as_of": "future"}, "as_of", services.STAFF_COUNT_FUTURE),
        ({"organisation": "999999"}, "organisation", "Choose one of the organisations listed."),
    ],
)
def test_a_bad_staff_count_is_refused_on_its_field(
    lead_client, organisation, changes, field, message
):
    if changes.get("as_of") == "future":
        changes["as_of"] = (timezone.localdate() + timedelta(days=1)).isoformat()
    data = {"organisation": organisation.pk, "staff": "25", "as_of": "2026-03-31"} | changes
    html = errors_of(lead_client.post(reverse("framework:staff_counts"), data))
    assert escape(message) in html
    assert f'id="id_{field}-error"' in html
    assert not OrganisationStaffCount.objects.exists()


def test_the_staff_count_service_refuses_what_the_form_would(organisation):
    with pytest.raises(services.CompetencyError) as error:
        services.staff_count_set(
            organisation=organisation,
            staff=10,
            as_of=timezone.localdate() + timedelta(days=1),
        )
    assert (error.value.field, error.value.message) == ("as_of", services.STAFF_COUNT_FUTURE)
    with pytest.raises(services.CompetencyError):
        services.staff_count_set(organisation=organisation, staff=0, as_of=date(2026, 1, 1))


def test_the_staff_counts_page_lists_partners_with_and_without_a_count(lead_client, organisation):
    other = OrganisationFactory(name="Barnardo's")
    OrganisationStaffCount.objects.create(organisation=other, staff=40, as_of=date(2026, 4, 1))
    UserFactory(organisation=organisation, is_active=True)
    html = lead_client.get(reverse("framework:staff_counts")).content.decode()
    assert "Not given" in html and "1 Apr 2026" in html


# --- who may ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["practitioner", "trainer", "org_manager"])
def test_only_the_lead_keeps_the_framework(client, request, who, areas, levels):
    client.force_login(request.getfixturevalue(who))
    for name in ("framework:index", "framework:courses", "framework:staff_counts"):
        assert client.get(reverse(name)).status_code == 403
    response = client.post(
        reverse("framework:level_create"), {"number": "4", "name": "X", "refresher_months": "1"}
    )
    assert response.status_code == 403
    assert not Level.objects.filter(number=4).exists()


def test_the_framework_is_on_the_manage_page(lead_client):
    html = lead_client.get(reverse("courses:manage")).content.decode()
    assert reverse("framework:index") in html and reverse("compliance:index") in html
