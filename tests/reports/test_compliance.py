"""Compliance with the competency framework, for the lead (/manage/compliance/): by
organisation and priority area, the staff trained to the level their role needs and in date,
against the entered staff count (else the people whose job role needs the area); the CSV
follows the reports' small-group rule; the annual section says it in one paragraph."""

import csv
import io
from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse

from bookings.models import Booking
from competency.models import JobRole, Level, OrganisationStaffCount, Requirement, StaffRole
from competency.selectors import compliance
from core.clock import LONDON
from courses.models import Event, PriorityArea
from reports.annual import COMPLIANCE_HEADING
from reports.compliance import (
    DENOMINATOR_ACCOUNTS,
    compliance_rows,
    compliance_sentences,
    compliance_shared,
)
from tests.factories import (
    BookingFactory,
    CourseFactory,
    EventFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 2)
RECENT, LONG_AGO = date(2025, 6, 2), date(2019, 6, 3)


def attended(person, course, day):
    start = datetime(day.year, day.month, day.day, 9, tzinfo=LONDON)
    event = EventFactory(
        course=course, start=start, end=start + timedelta(hours=3), status=Event.Status.DELIVERED
    )
    BookingFactory(event=event, person=person, status=Booking.Status.ATTENDED)


class World:
    """Dudley Council (staff count 10): 3 social workers, 2 in date in Neglect, 1 out of date,
    and 1 person without a job role. West Midlands Police (no count): 2 officers, 1 in date.
    Barnardo's (staff count 20): 6 youth workers in date in both areas."""

    def __init__(self):
        self.neglect = PriorityArea.objects.create(name="Neglect")
        self.exploitation = PriorityArea.objects.create(name="Exploitation")
        Level.objects.create(number=1, name="Basic awareness", refresher_months=36)
        Level.objects.create(number=2, name="Core practice", refresher_months=36)
        role = JobRole.objects.create(name="Practitioner")
        Requirement.objects.create(job_role=role, priority_area=self.neglect, level=2)
        Requirement.objects.create(job_role=role, priority_area=self.exploitation, level=1)
        self.role = role
        self.neglect_course = CourseFactory(priority_area=self.neglect, competency_level=2)
        self.exploitation_course = CourseFactory(
            priority_area=self.exploitation, competency_level=1
        )
        self.dudley = OrganisationFactory(name="Dudley Council", sector="local_authority")
        self.police = OrganisationFactory(name="West Midlands Police", sector="police")
        self.barnardos = OrganisationFactory(name="Barnardo's", sector="voluntary")
        OrganisationStaffCount.objects.create(
            organisation=self.dudley, staff=10, as_of=date(2026, 4, 1)
        )
        OrganisationStaffCount.objects.create(
            organisation=self.barnardos, staff=20, as_of=date(2026, 4, 1)
        )
        for n, day in enumerate((RECENT, RECENT, LONG_AGO)):
            person = self.person(self.dudley, f"dudley{n}")
            attended(person, self.neglect_course, day)
        UserFactory(organisation=self.dudley)  # no job role
        attended(self.person(self.police, "police0"), self.neglect_course, RECENT)
        self.person(self.police, "police1")
        for n in range(6):
            self.youth_worker(n)

    def person(self, organisation, name):
        person = UserFactory(organisation=organisation, full_name=name)
        StaffRole.objects.create(person=person, job_role=self.role)
        return person

    def youth_worker(self, n):
        person = self.person(self.barnardos, f"barnardos{n}")
        attended(person, self.neglect_course, RECENT)
        attended(person, self.exploitation_course, RECENT)
        return person


@pytest.fixture
def world(db):
    return World()


def cell(rows, organisation, area):
    (row,) = [
        r
        for r in rows
        if _get(r, "organisation") == organisation and _get(r, "priority_area") == area
    ]
    return row


def _get(row, key):
    return row[key] if isinstance(row, dict) else getattr(row, key)


def test_the_share_in_date_uses_the_staff_count_else_the_people_with_a_job_role(world):
    rows = compliance(today=TODAY)
    dudley = cell(rows, "Dudley Council", "Neglect")
    assert (dudley.in_date, dudley.required, dudley.with_role) == (2, 3, 3)
    assert (dudley.denominator, dudley.from_staff_count, dudley.percent) == (10, True, 20.0)
    police = cell(rows, "West Midlands Police", "Neglect")
    assert (police.in_date, police.denominator, police.from_staff_count) == (1, 2, False)
    assert police.percent == 50.0
    assert cell(rows, "Dudley Council", "Exploitation").in_date == 0
    assert cell(rows, "Barnardo's", "Exploitation").percent == 30.0  # 6 of 20
    assert cell(rows, "Barnardo's", "Neglect").all_in_date == 6
    assert cell(rows, "Dudley Council", "Neglect").all_in_date == 0


def test_an_achievement_that_ran_out_is_not_in_date_and_time_moves_it(world):
    later = compliance(today=RECENT + timedelta(days=365 * 3 + 10))
    assert cell(later, "Dudley Council", "Neglect").in_date == 0


def test_filters_narrow_to_a_sector_and_a_priority_area(world):
    rows = compliance(sector="police", priority_area_id=world.neglect.pk, today=TODAY)
    assert [(r.organisation, r.priority_area) for r in rows] == [
        ("West Midlands Police", "Neglect")
    ]


def test_an_organisation_with_nothing_to_measure_is_left_out(world):
    OrganisationFactory(name="Nobody Trust")
    assert "Nobody Trust" not in {r.organisation for r in compliance(today=TODAY)}


def test_the_queries_do_not_grow_with_the_number_of_people(world, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        compliance(today=TODAY)
    for n in range(6, 30):
        world.youth_worker(n)
    with django_assert_max_num_queries(len(few)):
        rows = compliance(today=TODAY)
    assert cell(rows, "Barnardo's", "Neglect").in_date == 30


# --- small groups ---------------------------------------------------------------------------


def test_shared_rows_hide_small_groups_and_the_next_smallest_in_the_same_area(world):
    shared = compliance_shared(compliance_rows(today=TODAY), min_size=5)
    police = cell(shared, "West Midlands Police", "Neglect")
    assert police["suppressed"] and police["percent"] is None and police["in_date"] is None
    # Police alone hidden would be given away by the area's total: the next smallest goes too.
    dudley = cell(shared, "Dudley Council", "Neglect")
    assert dudley["suppressed"] and dudley["in_date"] is None
    barnardos = cell(shared, "Barnardo's", "Neglect")
    assert not barnardos["suppressed"] and barnardos["in_date"] == 6


def test_the_threshold_is_the_reports_setting(world, settings):
    rows = compliance_rows(today=TODAY)
    settings.REPORT_MIN_GROUP_SIZE = 2
    assert not cell(compliance_shared(rows), "West Midlands Police", "Neglect")["suppressed"]
    settings.REPORT_MIN_GROUP_SIZE = 3
    assert cell(compliance_shared(rows), "West Midlands Police", "Neglect")["suppressed"]


# --- the page and its CSV -------------------------------------------------------------------


@pytest.fixture
def lead_client(client, lead):
    client.force_login(lead)
    return client


def test_the_page_shows_every_figure_and_says_what_staff_are_counted_from(lead_client, world):
    html = lead_client.get(reverse("compliance:index")).content.decode()
    assert "staff count, as of 1 Apr 2026" in html
    assert DENOMINATOR_ACCOUNTS in html
    assert "20.0%" in html and "2 of 10" in html and "1 of 2" in html


def test_the_page_filters(lead_client, world):
    html = lead_client.get(reverse("compliance:index"), {"sector": "police"}).content.decode()
    assert "West Midlands Police" in html and "Dudley Council" not in html
    bad = lead_client.get(reverse("compliance:index"), {"sector": "army"})
    assert bad.status_code == 200
    assert "Choose one of the sectors listed" in bad.content.decode()


def test_the_csv_follows_the_small_group_rule(lead_client, world, settings):
    settings.REPORT_MIN_GROUP_SIZE = 5
    response = lead_client.get(reverse("compliance:index"), {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = [
        row | {"organisation": row["Organisation"], "priority_area": row["Priority area"]}
        for row in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))
    ]
    police = cell(rows, "West Midlands Police", "Neglect")
    assert police["In date (%)"] == "" and police["Staff counted"] == ""
    assert police["Staff trained to the level needed, in date"] == ""
    assert cell(rows, "Barnardo's", "Neglect")["In date (%)"] == "30.0"


def test_the_page_and_its_csv_are_the_leads_only(client, world, org_manager, practitioner):
    for person in (org_manager, practitioner):
        client.force_login(person)
        assert client.get(reverse("compliance:index")).status_code == 403
        assert client.get(reverse("compliance:index"), {"format": "csv"}).status_code == 403


def test_the_page_queries_do_not_grow_with_the_number_of_people(lead_client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert lead_client.get(reverse("compliance:index")).status_code == 200
        return len(captured)

    queries()
    few = queries()
    for n in range(6, 26):
        world.youth_worker(n)
    assert queries() == few


# --- the annual section ---------------------------------------------------------------------


def test_the_annual_paragraph_from_organisations_that_gave_a_staff_count(world):
    # Dudley (10) and Barnardo's (20): 6 people in date in every area (Barnardo's) of 30 staff;
    # Neglect 2 + 6 = 8 of 30, Exploitation 0 + 6 = 6 of 30, the lowest.
    assert compliance_sentences(min_group=5, today=TODAY) == [
        "On 2 December 2026, across 2 organisations that gave a staff count (30 staff), 20% of "
        "staff were trained to the level their role needs in every priority area and in date; "
        "lowest in Exploitation (20%)."
    ]


def test_no_paragraph_without_a_framework_or_a_staff_count_or_when_too_small(world):
    assert compliance_sentences(min_group=31, today=TODAY) == []
    OrganisationStaffCount.objects.all().delete()
    assert compliance_sentences(min_group=1, today=TODAY) == []
    Requirement.objects.all().delete()
    assert compliance_sentences(min_group=1, today=TODAY) == []


def test_the_annual_page_and_docx_carry_the_paragraph(lead_client, world, settings):
    settings.REPORT_MIN_GROUP_SIZE = 5
    period = {"start": "2025-04-01", "end": "2026-03-31"}
    html = lead_client.get(reverse("reports:annual"), period).content.decode()
    assert COMPLIANCE_HEADING in html and "across 2 organisations that gave a staff count" in html
    from docx import Document

    response = lead_client.get(reverse("reports:annual_docx"), period)
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert COMPLIANCE_HEADING in text and "lowest in Exploitation" in text


def test_only_priority_areas_some_role_needs_are_measured(world):
    PriorityArea.objects.create(name="Nobody needs this")
    assert "Nobody needs this" not in {r.priority_area for r in compliance(today=TODAY)}


def test_without_a_staff_count_the_share_is_of_those_whose_role_needs_the_area(world):
    """West Midlands Police gain a volunteer whose role needs Exploitation only: the Neglect share
    stays 1 of the 2 officers (not 1 of 3), and an area no role there needs is not measured."""
    volunteer = JobRole.objects.create(name="Volunteer")
    Requirement.objects.create(job_role=volunteer, priority_area=world.exploitation, level=1)
    person = UserFactory(organisation=world.police, full_name="police volunteer")
    StaffRole.objects.create(person=person, job_role=volunteer)
    adults = PriorityArea.objects.create(name="Adult safeguarding")
    other = JobRole.objects.create(name="Adult social worker")
    Requirement.objects.create(job_role=other, priority_area=adults, level=1)

    rows = compliance(today=TODAY)
    neglect = cell(rows, "West Midlands Police", "Neglect")
    assert (neglect.in_date, neglect.denominator, neglect.percent) == (1, 2, 50.0)
    assert neglect.staff_counted == 3  # the organisation's people with a job role
    nobody_needs_it = cell(rows, "West Midlands Police", "Adult safeguarding")
    assert (nobody_needs_it.measured, nobody_needs_it.percent) == (False, None)


def test_the_page_says_an_area_no_role_there_needs_is_not_measured(client, lead, world):
    adults = PriorityArea.objects.create(name="Adult safeguarding")
    other = JobRole.objects.create(name="Adult social worker")
    Requirement.objects.create(job_role=other, priority_area=adults, level=1)
    client.force_login(lead)
    page = client.get(reverse("compliance:index")).content.decode()
    assert "No role here needs it" in page
