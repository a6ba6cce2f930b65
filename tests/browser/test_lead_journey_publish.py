"""The lead's journey from nothing to a booking: create a course on /manage/courses/, an event of
it with two sessions saved as a draft, a series copied from it (saved as drafts too), one copy
deleted, then the first event published from its page; a practitioner finds it in the catalogue
and books it.
axe (WCAG 2.2 AA) and the reflow check on every page."""

import os
import re
from datetime import date, timedelta

import pytest

from tests.browser.conftest import CHROMIUM, SKIP_REASON

if not os.path.exists(CHROMIUM):
    pytest.skip(SKIP_REASON, allow_module_level=True)
for _module in ("playwright.sync_api", "pytest_playwright", "axe_playwright_python"):
    pytest.importorskip(
        _module, reason="browser tests need the dev dependencies (pip install -e '.[dev]')"
    )

from playwright.sync_api import expect  # noqa: E402

from bookings.models import Booking  # noqa: E402
from core.clock import LONDON  # noqa: E402
from courses.models import Course, Event  # noqa: E402
from tests.browser.helpers import save_screenshot, verified  # noqa: E402
from tests.browser.test_journeys import sign_in_by_code  # noqa: E402
from tests.factories import PriorityAreaFactory, VenueFactory  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Neglect: two half-days with families"
FIRST = date(2031, 6, 10)  # a Tuesday; no bank holiday in the weeks after
SECOND = FIRST + timedelta(days=1)
SERIES = FIRST + timedelta(weeks=2)


def test_lead_builds_a_two_session_draft_copies_it_publishes_it_and_a_practitioner_books_it(
    new_page, check_a11y, lead, practitioner
):
    verified(lead)
    verified(practitioner)
    PriorityAreaFactory(name="Neglect")
    VenueFactory(name="Council House", address="Priory Road\nDudley DY1 1HF", capacity=30)

    page = new_page()
    page.set_default_timeout(45_000)  # a busy machine (CI shares its cores)
    sign_in_by_code(page, check_a11y, lead.email)

    # A course, from the Manage page.
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Manage").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Manage the training programme")
    check_a11y(page)
    page.get_by_role("link", name="Courses", exact=True).click()
    check_a11y(page)
    page.get_by_role("link", name="Create a course").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create a course")
    check_a11y(page)
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Summary").fill("Two half-days on working alongside neglected families.")
    page.get_by_label("Learning outcomes").fill("Use the Graded Care Profile\nPlan with the family")
    page.get_by_label("Priority area").select_option(label="Neglect")
    page.get_by_label("Children", exact=True).check()
    page.get_by_label("Level 2 (regular contact)").check()
    page.get_by_label("Face to face").check()
    page.get_by_role("button", name="Create course").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"{TITLE} is created")
    check_a11y(page)
    course = Course.objects.get(title=TITLE)

    # An event of it, saved as a draft: the lead's own page, labelled Draft, with Publish.
    page.get_by_role("link", name=TITLE, exact=True).click()
    check_a11y(page)
    page.get_by_role("link", name="Create an event of this course").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create an event")
    check_a11y(page)
    page.get_by_label("Date", exact=True).fill(f"{FIRST:%Y-%m-%d}")
    page.get_by_label("Start time").fill("09:30")
    page.get_by_label("End time").fill("12:30")
    page.get_by_label("Venue", exact=True).select_option(
        label="Council House, Priory Road, Dudley DY1 1HF"
    )
    page.get_by_label("Places", exact=True).fill("20")
    page.get_by_role("button", name="Save as draft").click()
    expect(page.get_by_text("The event is saved as a draft")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Draft")
    check_a11y(page)
    event = Event.objects.get(course=course)
    assert event.status == Event.Status.DRAFT

    # Its second session, the next afternoon.
    page.get_by_role("link", name="Its sessions").click()
    check_a11y(page)
    page.get_by_role("button", name="Add another session").click()
    check_a11y(page)
    page.get_by_label("Date (Date of session 2)").fill(f"{SECOND:%Y-%m-%d}")
    page.get_by_label("Starts (Start time of session 2)").fill("13:00")
    page.get_by_label("Ends (End time of session 2)").fill("16:00")
    page.get_by_role("button", name="Save the sessions").click()
    expect(page.get_by_text("Sessions saved: 2 sessions.")).to_be_visible()
    check_a11y(page)
    assert event.sessions.count() == 2

    # A series of three copies, every second week, saved as drafts too.
    page.get_by_role("link", name=re.compile("Back to the event's page")).click()
    page.get_by_role("link", name="Copy the event, or make a series").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Copy the event")
    expect(page.get_by_text("This event has 2 sessions")).to_be_visible()
    check_a11y(page)
    page.get_by_label("First date").fill(f"{SERIES:%Y-%m-%d}")
    page.get_by_label("Repeat every (weeks)").fill("2")
    page.get_by_label("Number of dates").fill("3")
    page.get_by_role("button", name="Preview the dates").click()
    expect(page.get_by_role("heading", name="3 dates to create")).to_be_visible()
    check_a11y(page)
    page.get_by_role("button", name="Save 3 as drafts").click()
    expect(page.get_by_text("3 events are saved as drafts")).to_be_visible()
    check_a11y(page)
    copies = list(Event.objects.exclude(pk=event.pk).order_by("start"))
    assert [c.start.astimezone(LONDON).date() for c in copies] == [
        SERIES + timedelta(weeks=2 * i) for i in range(3)
    ]
    assert all(c.status == Event.Status.DRAFT and c.sessions.count() == 2 for c in copies)

    # The first copy is not wanted after all: a draft is deleted (a published event is cancelled).
    page.get_by_role("link", name="Delete the draft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete this draft?")
    check_a11y(page)
    page.get_by_role("button", name="Delete the draft").click()
    expect(page.get_by_text(f"The draft of {TITLE} is deleted")).to_be_visible()
    assert not Event.objects.filter(pk=copies[0].pk).exists()

    # The month view shows the lead their drafts; the first one is published from its page.
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Events in {FIRST:%B %Y}")
    expect(page.locator(".govuk-tag", has_text="Draft")).to_have_count(1)
    check_a11y(page)
    page.get_by_role("link", name=re.compile(re.escape(TITLE))).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Draft")
    check_a11y(page)
    save_screenshot(page, "lead-journey-draft")
    page.get_by_role("button", name="Publish this event").click()
    expect(page.get_by_text("The event is published")).to_be_visible()
    expect(page.get_by_role("button", name="Publish this event")).to_have_count(0)
    check_a11y(page)
    save_screenshot(page, "lead-journey-published")
    event.refresh_from_db()
    assert event.status == Event.Status.SCHEDULED
    assert all(c.status == Event.Status.DRAFT for c in Event.objects.exclude(pk=event.pk))

    # A practitioner finds the one published date in the catalogue and books it.
    visitor = new_page()
    visitor.set_default_timeout(45_000)
    sign_in_by_code(visitor, check_a11y, practitioner.email)
    visitor.goto("/")
    links = visitor.get_by_role("link", name=re.compile(f"^{re.escape(TITLE)}"))
    expect(links).to_have_count(1)
    check_a11y(visitor)
    links.click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text(TITLE)
    check_a11y(visitor)
    visitor.get_by_role("button", name="Book a place").click()
    expect(visitor.get_by_text("Your place is booked")).to_be_visible()
    check_a11y(visitor)
    save_screenshot(visitor, "lead-journey-booked")
    booking = Booking.objects.get(person=practitioner)
    assert (booking.event_id, booking.status) == (event.pk, Booking.Status.CONFIRMED)
