"""The lead creates a course from the Manage page, by keyboard where it matters, and the
catalogue shows it; a practitioner finds it by a misspelt search. axe on every page."""

import os
import re

import pytest

from tests.browser.conftest import CHROMIUM, SKIP_REASON

if not os.path.exists(CHROMIUM):
    pytest.skip(SKIP_REASON, allow_module_level=True)
for _module in ("playwright.sync_api", "pytest_playwright", "axe_playwright_python"):
    pytest.importorskip(
        _module, reason="browser tests need the dev dependencies (pip install -e '.[dev]')"
    )

from playwright.sync_api import expect  # noqa: E402

from courses.models import Course  # noqa: E402
from tests.browser.helpers import tab_to, verified  # noqa: E402
from tests.browser.test_journeys import sign_in_by_code  # noqa: E402
from tests.factories import CourseFactory, PriorityAreaFactory  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Neglect: working with families"


def test_lead_creates_a_course_from_manage_and_the_catalogue_shows_it(new_page, check_a11y, lead):
    verified(lead)
    neglect = PriorityAreaFactory(name="Neglect")
    PriorityAreaFactory(name="Exploitation")
    CourseFactory(title="Introduction to safeguarding", priority_area=neglect)
    page = new_page()
    sign_in_by_code(page, check_a11y, lead.email)

    # The Manage entry is the lead's own page, not the Django admin.
    nav = page.get_by_role("navigation", name="Main menu")
    manage = nav.get_by_role("link", name="Manage")
    tab_to(page, manage)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Manage the training programme")
    assert "/admin/" not in page.content()
    check_a11y(page)
    page.get_by_role("link", name="Courses", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Courses")
    check_a11y(page)
    page.get_by_role("link", name="Create a course").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create a course")
    check_a11y(page)

    # Sent empty: an error summary that links to each field.
    page.get_by_role("button", name="Create course").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the course's title")
    expect(summary).to_contain_text("Choose the course's priority area")
    check_a11y(page)

    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Summary").fill("Working alongside families where children are neglected.")
    page.get_by_label("Learning outcomes").fill("Use the Graded Care Profile\nPlan with the family")
    page.get_by_label("Priority area").select_option(label="Neglect")
    page.get_by_label("Children", exact=True).check()
    page.get_by_label("Level 3 (specialist)").check()
    page.get_by_label("Face to face").check()
    page.get_by_label("Introduction to safeguarding").check()
    page.get_by_role("button", name="Create course").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"{TITLE} is created")
    check_a11y(page)
    course = Course.objects.get(title=TITLE)
    assert course.slug == "neglect-working-with-families"

    # Everyone's list of courses shows it, a misspelt search finds it, and its page opens.
    visitor = new_page()
    visitor.goto("/courses/")
    expect(visitor.get_by_role("link", name=TITLE)).to_be_visible()
    check_a11y(visitor)
    visitor.get_by_label("Search").fill("familes")
    visitor.get_by_label("Level").select_option(label="Level 3 (specialist)")
    visitor.get_by_role("button", name="Apply filters").click()
    expect(visitor.get_by_role("heading", name=re.compile("1 course matches"))).to_be_visible()
    check_a11y(visitor)
    visitor.get_by_role("link", name=TITLE).click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(visitor.get_by_role("link", name="Introduction to safeguarding")).to_be_visible()
    check_a11y(visitor)
    visitor.goto("/events/month/")
    expect(visitor.get_by_role("heading", level=1)).to_contain_text("Events in")
    check_a11y(visitor)

    # The lead's edit and retire pages, and an e-learning module as a signed-in person sees it.
    page.get_by_role("link", name=TITLE, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    check_a11y(page)
    page.get_by_role("link", name=re.compile("Retire this course")).click()
    expect(page.get_by_role("button", name="Retire course")).to_be_visible()
    check_a11y(page)
    module = CourseFactory(
        title="Neglect e-learning",
        priority_area=neglect,
        delivery_mode=Course.DeliveryMode.ELEARNING,
        launch_url="https://learning.example.org/neglect",
    )
    page.goto("/?mode=elearning")
    expect(page.get_by_role("link", name="Neglect e-learning")).to_be_visible()
    check_a11y(page)
    page.get_by_role("link", name="Neglect e-learning").click()
    expect(page.get_by_role("button", name=re.compile("Start the module"))).to_be_visible()
    check_a11y(page)
    page.get_by_role("link", name="Mark this module as done").click()
    page.get_by_role("button", name="Mark as done").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check_a11y(page)
    assert not module.enrolments.exists()
