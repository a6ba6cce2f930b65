"""The organisation manager's staff view: their own organisation's named staff only, each with
required and achieved training and their bookings; filters; a CSV download."""

import csv
import io
from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings.models import Booking
from competency.models import JobRole, Level, Requirement, StaffRole
from core.clock import LONDON
from courses.models import Event, PriorityArea
from people import roles
from tests.factories import (
    BookingFactory,
    CourseFactory,
    EventFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(organisation):
    neglect = PriorityArea.objects.create(name="Neglect")
    Level.objects.create(number=2, name="Core", refresher_months=36)
    role = JobRole.objects.create(name="Social worker")
    Requirement.objects.create(job_role=role, priority_area=neglect, level=2)
    course = CourseFactory(title="Neglect core", priority_area=neglect, competency_level=2)
    trained = UserFactory(full_name="Ada Trained", organisation=organisation)
    lapsed = UserFactory(full_name="Bea Lapsed", organisation=organisation)
    new = UserFactory(full_name="Cal New", organisation=organisation)
    UserFactory(full_name="Dee Norole", organisation=organisation)
    for person in (trained, lapsed, new):
        StaffRole.objects.create(person=person, job_role=role)

    def attended(person, day, status=Booking.Status.ATTENDED):
        start = datetime(day.year, day.month, day.day, 9, tzinfo=LONDON)
        event = EventFactory(
            course=course,
            start=start,
            end=start + timedelta(hours=3),
            status=Event.Status.DELIVERED,
        )
        return BookingFactory(event=event, person=person, status=status)

    attended(trained, timezone.localdate() - timedelta(days=200))
    attended(lapsed, date(2019, 5, 1))
    attended(lapsed, date(2024, 5, 1), status=Booking.Status.NO_SHOW)
    BookingFactory(person=new, status=Booking.Status.CONFIRMED)  # an event two weeks ahead
    BookingFactory(person=new, status=Booking.Status.CANCELLED, cancelled_late=True)
    other_org = OrganisationFactory(name="West Midlands Police")
    outsider = UserFactory(full_name="Eve Elsewhere", organisation=other_org)
    StaffRole.objects.create(person=outsider, job_role=role)
    return {"role": role, "outsider": outsider}


@pytest.fixture
def manager_client(client, org_manager):
    client.force_login(org_manager)
    return client


def test_the_manager_sees_their_own_staff_only_with_their_records(manager_client, world):
    html = manager_client.get(reverse("competency:staff")).content.decode()
    for name in ("Ada Trained", "Bea Lapsed", "Cal New", "Dee Norole"):
        assert name in html
    assert "Eve Elsewhere" not in html
    assert "Out of date" in html and "Not yet achieved" in html and "In date" in html


def test_the_organisation_cannot_be_chosen_in_the_address(manager_client, world):
    other = world["outsider"].organisation
    for params in ({"organisation": other.pk}, {"q": "Eve"}):
        html = manager_client.get(reverse("competency:staff"), params).content.decode()
        assert "Eve Elsewhere" not in html


@pytest.mark.parametrize(
    ("show", "names"),
    [
        ("gaps", ["Bea Lapsed", "Cal New"]),
        ("in_date", ["Ada Trained"]),
        ("no_role", ["Dee Norole"]),
        ("", ["Ada Trained", "Bea Lapsed", "Cal New", "Dee Norole"]),
    ],
)
def test_filters(manager_client, world, org_manager, show, names):
    response = manager_client.get(reverse("competency:staff"), {"show": show, "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    if show in ("", "no_role"):  # the manager is one of the staff, with no job role given
        names = names + [org_manager.full_name]
    assert sorted(r[0] for r in rows[1:]) == sorted(names)


def test_the_csv_has_the_counts_a_bom_and_crlf(manager_client, world):
    response = manager_client.get(reverse("competency:staff"), {"format": "csv", "q": "Cal"})
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeffName,Email,Job role") and "\r\n" in body
    assert "attachment;" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    assert len(rows) == 1
    cal = rows[0]
    assert (cal["Booked (coming up)"], cal["Cancelled late"], cal["Gaps"]) == (
        "1",
        "1",
        "Neglect level 2",
    )
    response = manager_client.get(reverse("competency:staff"), {"format": "csv", "q": "Bea"})
    bea = next(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert (bea["Out of date"], bea["Did not attend"], bea["Attended"]) == ("1", "1", "1")


def test_a_formula_in_a_name_is_not_run_by_a_spreadsheet(manager_client, world, organisation):
    UserFactory(full_name="=HYPERLINK(1)", organisation=organisation)
    response = manager_client.get(reverse("competency:staff"), {"format": "csv", "q": "HYPER"})
    assert "'=HYPERLINK(1)" in response.content.decode("utf-8-sig")


def test_practitioners_trainers_and_leads_without_the_role_get_403(
    client, world, practitioner, trainer
):
    for user in (practitioner, trainer):
        client.force_login(user)
        assert client.get(reverse("competency:staff")).status_code == 403


def test_a_manager_without_an_organisation_is_refused(client, world):
    manager = UserFactory(organisation=None, roles=[roles.ORG_MANAGER])
    client.force_login(manager)
    assert client.get(reverse("competency:staff")).status_code == 403


def test_the_csv_keeps_to_the_managers_organisation_whatever_the_address(manager_client, world):
    other = world["outsider"].organisation
    only_theirs = JobRole.objects.create(name="Detective")
    StaffRole.objects.filter(person=world["outsider"]).update(job_role=only_theirs)
    for params in (
        {"organisation": other.pk},
        {"organisation_id": other.pk, "q": "Eve"},
        {"role": only_theirs.pk},
        {"q": "elsewhere", "show": "gaps"},
    ):
        response = manager_client.get(reverse("competency:staff"), params | {"format": "csv"})
        body = response.content.decode("utf-8-sig")
        assert "Eve Elsewhere" not in body and world["outsider"].email not in body
        page = manager_client.get(reverse("competency:staff"), params).content.decode()
        assert "Eve Elsewhere" not in page


def test_each_person_shows_required_and_achieved(manager_client, world):
    html = manager_client.get(reverse("competency:staff"), {"q": "Bea"}).content.decode()
    assert "needs level 2, has level 2" in html
    response = manager_client.get(reverse("competency:staff"), {"format": "csv", "q": "Bea"})
    bea = next(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert bea["Achieved"] == "Neglect level 2 since 2022-05-01"
    response = manager_client.get(reverse("competency:staff"), {"format": "csv", "q": "Cal"})
    assert next(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))["Achieved"] == ""


def test_the_staff_page_queries_do_not_grow_with_the_staff(manager_client, world, organisation):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert manager_client.get(reverse("competency:staff")).status_code == 200
        return len(captured)

    queries()
    few = queries()
    for n in range(10):
        person = UserFactory(full_name=f"Extra {n}", organisation=organisation)
        StaffRole.objects.create(person=person, job_role=world["role"])
        BookingFactory(person=person, status=Booking.Status.CONFIRMED)
    assert queries() == few
