"""The lead creates an event for a course on their own pages, then copies it as a series of 3."""

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

from core.clock import LONDON  # noqa: E402
from courses.models import Event  # noqa: E402
from tests.browser.helpers import save_screenshot, verified  # noqa: E402
from tests.browser.test_journeys import sign_in_by_code  # noqa: E402
from tests.factories import CourseFactory, UserFactory, VenueFactory  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIRST = date(2031, 6, 10)  # a Tuesday; no bank holiday in the six weeks after


def test_lead_creates_an_event_for_a_course_and_copies_it_as_a_series(new_page, check_a11y, lead):
    from people import roles

    verified(lead)
    course = CourseFactory(title="Neglect: recognising and responding", slug="neglect")
    VenueFactory(name="Council House", address="Priory Road\nDudley DY1 1HF", capacity=30)
    UserFactory(full_name="Tess Trainer", roles=[roles.TRAINER])
    UserFactory(full_name="Tess Practitioner")  # not a trainer: never offered

    page = new_page()
    sign_in_by_code(page, check_a11y, lead.email)
    page.goto("/manage/venues/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Venues")
    check_a11y(page)
    page.get_by_role("link", name="Add a venue").click()
    check_a11y(page)

    page.goto(f"/courses/{course.slug}/")
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
    page.get_by_label("Places", exact=True).fill("40")  # more than the room holds
    page.get_by_label("Find a trainer").fill("tess")
    page.get_by_role("button", name="Find trainers").click()
    check_a11y(page)
    expect(page.get_by_text("Tess Practitioner")).to_have_count(0)
    page.get_by_role("checkbox", name=re.compile("Tess Trainer")).check()
    page.get_by_role("button", name="Publish now").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    check_a11y(page)
    page.get_by_label("Places", exact=True).fill("20")
    page.get_by_role("button", name="Publish now").click()
    expect(page.get_by_text("The event is created")).to_be_visible()
    check_a11y(page)
    event = Event.objects.get()
    assert (event.capacity, event.venue.name) == (20, "Council House")
    assert [t.full_name for t in event.trainers.all()] == ["Tess Trainer"]

    page.get_by_role("link", name="Copy the event, or make a series").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Copy the event")
    check_a11y(page)
    page.get_by_label("First date").fill(f"{FIRST + timedelta(weeks=2):%Y-%m-%d}")
    page.get_by_label("Repeat every (weeks)").fill("2")
    page.get_by_label("Number of dates").fill("3")
    page.get_by_role("button", name="Preview the dates").click()
    expect(page.get_by_role("heading", name="3 dates to create")).to_be_visible()
    check_a11y(page)
    assert Event.objects.count() == 1
    page.get_by_role("button", name="Publish 3 events now").click()
    expect(page.get_by_text("3 events are created")).to_be_visible()
    check_a11y(page)
    save_screenshot(page, "lead-event-series")

    starts = [e.start.astimezone(LONDON) for e in Event.objects.order_by("start")]
    assert [s.date() for s in starts] == [FIRST + timedelta(weeks=2 * i) for i in range(4)]
    assert {f"{s:%H:%M}" for s in starts} == {"09:30"}
    assert all(e.trainers.count() == 1 for e in Event.objects.all())

    page.goto(f"/manage/events/{event.pk}/edit/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit the event")
    check_a11y(page)
