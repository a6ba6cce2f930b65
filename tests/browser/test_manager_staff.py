"""The organisation manager signs in, sees their own staff and who is out of date, filters to
them and downloads the list; the lead looks at compliance. axe finds nothing on any page."""

import csv
import io
import os
import re
from datetime import date, datetime, timedelta

import pytest

from tests.browser.conftest import CHROMIUM, SKIP_REASON

if not os.path.exists(CHROMIUM):
    pytest.skip(SKIP_REASON, allow_module_level=True)
for _module in ("playwright.sync_api", "pytest_playwright", "axe_playwright_python"):
    pytest.importorskip(
        _module, reason="browser tests need the dev dependencies (pip install -e '.[dev]')"
    )

from django.utils import timezone  # noqa: E402
from playwright.sync_api import expect  # noqa: E402

from bookings.models import Booking  # noqa: E402
from competency.models import (  # noqa: E402
    JobRole,
    Level,
    OrganisationStaffCount,
    Requirement,
    StaffRole,
)
from core.clock import LONDON  # noqa: E402
from courses.models import Event, PriorityArea  # noqa: E402
from tests.browser.helpers import save_screenshot, verified  # noqa: E402
from tests.browser.test_journeys import sign_in_by_code  # noqa: E402
from tests.factories import (  # noqa: E402
    BookingFactory,
    CourseFactory,
    EventFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def attended(person, course, day):
    start = datetime(day.year, day.month, day.day, 9, tzinfo=LONDON)
    event = EventFactory(
        course=course, start=start, end=start + timedelta(hours=3), status=Event.Status.DELIVERED
    )
    BookingFactory(event=event, person=person, status=Booking.Status.ATTENDED)


@pytest.fixture
def staff(organisation):
    neglect = PriorityArea.objects.create(name="Neglect")
    Level.objects.create(number=2, name="Core practice", refresher_months=36)
    role = JobRole.objects.create(name="Social worker", sector="local_authority")
    Requirement.objects.create(job_role=role, priority_area=neglect, level=2)
    course = CourseFactory(
        title="Neglect: core practice", priority_area=neglect, competency_level=2
    )
    trained = UserFactory(full_name="Ada Trained", organisation=organisation)
    lapsed = UserFactory(full_name="Bea Lapsed", organisation=organisation)
    for person in (trained, lapsed):
        StaffRole.objects.create(person=person, job_role=role)
    attended(trained, course, timezone.localdate() - timedelta(days=200))
    attended(lapsed, course, date(2019, 5, 1))
    elsewhere = OrganisationFactory(name="West Midlands Police", sector="police")
    outsider = UserFactory(full_name="Eve Elsewhere", organisation=elsewhere)
    StaffRole.objects.create(person=outsider, job_role=role)
    attended(outsider, course, date(2019, 5, 1))
    OrganisationStaffCount.objects.create(
        organisation=organisation, staff=12, as_of=date(2026, 4, 1)
    )
    return {"lapsed": lapsed}


def test_a_manager_sees_their_staff_filters_to_out_of_date_and_downloads_the_list(
    new_page, check_a11y, org_manager, staff
):
    verified(org_manager)
    page = new_page()
    sign_in_by_code(page, check_a11y, org_manager.email)
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Your staff").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Your staff's training")
    table = page.get_by_role("table")
    expect(table).to_contain_text("Ada Trained")
    expect(table).to_contain_text("Bea Lapsed")
    expect(table).not_to_contain_text("Eve Elsewhere")
    lapsed_row = table.get_by_role("row", name=re.compile("Bea Lapsed"))
    expect(lapsed_row.get_by_text("Out of date", exact=True)).to_be_visible()
    check_a11y(page)
    save_screenshot(page, "manager-staff")

    page.get_by_label("Training", exact=True).select_option("gaps")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("table")).to_contain_text("Bea Lapsed")
    expect(page.get_by_role("table")).not_to_contain_text("Ada Trained")
    check_a11y(page)

    with page.expect_download() as info:
        page.get_by_role("link", name="Download this list as CSV").click()
    download = info.value
    assert download.suggested_filename.startswith("staff-training_dudley-council_")
    body = open(download.path(), encoding="utf-8-sig").read()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [r["Name"] for r in rows] == ["Bea Lapsed"]
    assert rows[0]["Out of date"] == "1"
    assert "Eve Elsewhere" not in body


def test_the_lead_sees_compliance_by_organisation(new_page, check_a11y, lead, staff):
    verified(lead)
    page = new_page()
    sign_in_by_code(page, check_a11y, lead.email)
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Manage").click()
    page.get_by_role("link", name="Compliance", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Compliance with the framework")
    table = page.get_by_role("table")
    expect(table).to_contain_text("Dudley Council")
    expect(table).to_contain_text("1 of 12")  # Ada in date, of the staff count
    expect(table).to_contain_text("staff count, as of 1 Apr 2026")
    check_a11y(page)
    save_screenshot(page, "lead-compliance")
    page.get_by_label("Sector").select_option("police")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("table")).not_to_contain_text("Dudley Council")
    check_a11y(page)
    page.get_by_role("link", name=re.compile("staff count you entered")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("staff counts")
    check_a11y(page)
    page.get_by_label("Organisation").select_option(label="West Midlands Police")
    page.get_by_label("Staff in scope").fill("0")
    page.get_by_label("As of").fill("2026-04-01")
    page.get_by_role("button", name="Save the staff count").click()
    expect(page.get_by_role("link", name="Enter a staff count of 1 or more.")).to_be_visible()
    check_a11y(page)
    page.get_by_label("Staff in scope").fill("40")
    page.get_by_role("button", name="Save the staff count").click()
    expect(page.get_by_text("The staff count is saved")).to_be_visible()
    check_a11y(page)
    page.goto("/manage/framework/")
    check_a11y(page)
    page.get_by_role("link", name="Social worker").click()
    expect(page.get_by_label("Neglect")).to_have_value("2")
    check_a11y(page)
    save_screenshot(page, "lead-framework-role")
    page.goto("/manage/framework/courses/")
    check_a11y(page)


def test_with_manager_can_book_the_manager_books_a_place_for_someone_out_of_date(
    new_page, check_a11y, org_manager, staff, settings
):
    settings.MANAGER_CAN_BOOK = True
    event = EventFactory(
        course=CourseFactory(
            title="Neglect: a refresher", priority_area=PriorityArea.objects.get(name="Neglect")
        ),
        start=timezone.now() + timedelta(days=21),
    )
    verified(org_manager)
    page = new_page()
    sign_in_by_code(page, check_a11y, org_manager.email, start="/training-record/staff/")
    page.get_by_role("link", name="Book a place for Bea Lapsed").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Book a place for Bea Lapsed")
    check_a11y(page)
    page.get_by_role("button", name="Book the place").click()
    expect(page.get_by_role("link", name="Choose the event to book.")).to_be_visible()
    check_a11y(page)
    page.get_by_label("Event").select_option(str(event.pk))
    page.get_by_role("button", name="Book the place").click()
    expect(page.get_by_text("Bea Lapsed is booked on Neglect: a refresher")).to_be_visible()
    check_a11y(page)
    booking = Booking.objects.get(person=staff["lapsed"], event=event)
    assert booking.booked_by == org_manager
