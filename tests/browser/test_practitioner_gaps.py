"""A practitioner sees the gap between their training and what their job role requires, and books
a course that fills it; the lead asks practitioners about their confidence and sees the gaps
ranked. axe at 0 violations on every page."""

import os
import re
from datetime import timedelta

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
    NeedsAnswer,
    NeedsInvitation,
    Requirement,
    StaffRole,
)
from people.models import Organisation  # noqa: E402
from tests.browser.helpers import last_email_to, link_in, save_screenshot, verified  # noqa: E402
from tests.browser.test_journeys import sign_in_by_code  # noqa: E402
from tests.factories import CourseFactory, EventFactory, PriorityAreaFactory, UserFactory  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_practitioner_sees_a_gap_on_my_training_and_books_the_course_that_fills_it(
    new_page, check_a11y
):
    organisation = Organisation.objects.create(name="Dudley Council", sector="local_authority")
    neglect = PriorityAreaFactory(name="Neglect")
    Level.objects.create(number=2, name="Core", refresher_months=36)
    role = JobRole.objects.create(name="Social worker", sector="local_authority")
    Requirement.objects.create(job_role=role, priority_area=neglect, level=2)
    course = CourseFactory(
        title="Neglect: core practice",
        slug="neglect-core-practice",
        priority_area=neglect,
        competency_level=2,
    )
    CourseFactory(title="Neglect: an introduction", priority_area=neglect, competency_level=1)
    event = EventFactory(course=course, capacity=10, start=timezone.now() + timedelta(days=21))
    person = verified(
        UserFactory(
            email="sam.social@dudley.gov.uk", full_name="Sam Social", organisation=organisation
        )
    )
    StaffRole.objects.create(person=person, job_role=role)

    page = new_page()
    sign_in_by_code(page, check_a11y, person.email)
    page.get_by_role("link", name="My training").first.click()
    expect(page.get_by_role("heading", name="What your role requires")).to_be_visible()
    card = page.locator(".govuk-summary-card", has_text="Neglect: level 2")
    expect(card).to_contain_text("Not yet achieved")
    expect(page.get_by_text("1 of the 1 area your role requires is not covered")).to_be_visible()
    # Only the course at the level the role needs, with a date to book, is offered.
    expect(card.get_by_role("link", name="Neglect: an introduction")).to_have_count(0)
    check_a11y(page)
    save_screenshot(page, "gaps-my-training")

    # The gap links to the course and, one click from booking, to its next date.
    expect(card.get_by_role("link", name="Neglect: core practice", exact=True)).to_be_visible()
    card.get_by_role("link", name=re.compile(r"^book the next date")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Neglect: core practice")
    check_a11y(page)
    page.get_by_role("button", name="Book a place").click()
    expect(page.get_by_text("Your place is booked")).to_be_visible()
    check_a11y(page)
    assert Booking.objects.get(event=event, person=person).status == Booking.Status.CONFIRMED
    assert last_email_to(person.email, "Your place is booked")

    page.get_by_role("link", name="My training").first.click()
    expect(
        page.get_by_role("link", name="Neglect: core practice", exact=True).first
    ).to_be_visible()
    check_a11y(page)


def test_lead_creates_and_sends_a_needs_survey_a_practitioner_answers_and_the_lead_sees_gaps(
    new_page, check_a11y, lead, settings
):
    settings.REPORT_MIN_GROUP_SIZE = 1
    organisation = Organisation.objects.create(name="Dudley Council", sector="local_authority")
    PriorityAreaFactory(name="Neglect")
    PriorityAreaFactory(name="Exploitation")
    person = UserFactory(email="pat.practitioner@dudley.gov.uk", organisation=organisation)
    verified(lead)

    page = new_page()
    sign_in_by_code(page, check_a11y, lead.email)
    page.goto("/manage/")
    page.get_by_role("link", name="Training needs analysis").click()
    check_a11y(page)
    page.get_by_role("link", name="Create a survey").click()
    check_a11y(page)
    page.get_by_role("button", name="Save the survey").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a title")
    check_a11y(page)
    today = timezone.localdate()
    page.get_by_label("Title").fill("Training needs 2027")
    page.get_by_label("Opening date").fill(today.isoformat())
    page.get_by_label("Closing date").fill((today + timedelta(days=14)).isoformat())
    page.get_by_label("Neglect").fill("Recognising neglect\nWorking with families")
    page.get_by_label("Exploitation").fill("Spotting grooming online")
    page.get_by_role("button", name="Save the survey").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Training needs 2027")
    check_a11y(page)

    page.get_by_role("link", name=re.compile("Preview the survey")).click()
    expect(page.get_by_text("Nothing here is saved")).to_be_visible()
    check_a11y(page)
    page.get_by_role("link", name="Back to the survey").click()

    page.get_by_label("Email addresses").fill(f"{person.email}\nnobody@nowhere.example")
    page.get_by_role("button", name="Send the survey").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("line 2: nobody@nowhere.example")
    check_a11y(page)
    page.get_by_label("Email addresses").fill(person.email)
    page.get_by_role("button", name="Send the survey").click()
    expect(page.get_by_text("The survey is on its way to 1 person")).to_be_visible()
    check_a11y(page)

    # The practitioner answers by the emailed link, without signing in.
    email = last_email_to(person.email, "training needs")
    answer = new_page()
    answer.goto(link_in(email, "/training-record/needs/"))
    expect(answer.get_by_role("heading", level=1)).to_have_text("Training needs 2027")
    check_a11y(answer)
    save_screenshot(answer, "needs-answer")
    answer.get_by_role("group", name="Recognising neglect").get_by_label(
        "1: Not at all confident"
    ).check()
    answer.get_by_role("button", name="Send my answers").click()
    expect(answer.locator(".govuk-error-summary")).to_contain_text("Working with families")
    check_a11y(answer)
    answer.get_by_role("group", name="Working with families").get_by_label(
        "2: Slightly confident"
    ).check()
    answer.get_by_role("group", name="Spotting grooming online").get_by_label(
        "Not relevant to my role"
    ).check()
    answer.get_by_role("button", name="Send my answers").click()
    expect(answer.get_by_role("heading", name="Thank you")).to_be_visible()
    check_a11y(answer)
    assert NeedsInvitation.objects.get(person=person).answered_at is not None
    assert NeedsAnswer.objects.count() == 3

    page.reload()
    expect(page.locator("#response-rate")).to_contain_text("1 of 1 asked (100.0%)")
    page.get_by_role("link", name="See the gaps ranked").click()
    expect(page.locator("#ranking")).to_contain_text("Dudley Council")
    expect(page.locator("#ranking tbody tr").first).to_contain_text("Neglect")
    expect(page.locator("#ranking-rule")).to_contain_text("added up")
    check_a11y(page)
    save_screenshot(page, "needs-report")
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("^Excel workbook")).click()
    assert download_info.value.suggested_filename.endswith(".xlsx")
