"""A practitioner asks to hear when an undated course gets dates; the lead sees the demand and
publishes a date on their own pages; the practitioner's email links to the event page, where
they can book. (The task runs inline here; tests/courses/test_dates_announced_worker.py sends
the same email through a real worker and SMTP server.)"""

import os
import re
from datetime import date

import pytest

from tests.browser.conftest import CHROMIUM, SKIP_REASON

if not os.path.exists(CHROMIUM):
    pytest.skip(SKIP_REASON, allow_module_level=True)
for _module in ("playwright.sync_api", "pytest_playwright", "axe_playwright_python"):
    pytest.importorskip(
        _module, reason="browser tests need the dev dependencies (pip install -e '.[dev]')"
    )

from playwright.sync_api import expect  # noqa: E402

from courses.models import CourseInterest, Event  # noqa: E402
from tests.browser.helpers import last_email_to, link_in, save_screenshot, verified  # noqa: E402
from tests.browser.test_journeys import sign_in_by_code  # noqa: E402
from tests.factories import CourseFactory, VenueFactory  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DAY = date(2031, 6, 10)  # a Tuesday


def test_practitioner_registers_interest_and_is_emailed_when_the_lead_publishes_a_date(
    new_page, check_a11y, practitioner, lead
):
    verified(practitioner)
    verified(lead)
    CourseFactory(title="Neglect: recognising and responding", slug="neglect")
    VenueFactory(name="Council House", address="Priory Road\nDudley DY1 1HF", capacity=30)

    # The practitioner finds the course on the course list: no dates yet.
    pat = new_page()
    pat.goto("/courses/neglect/")
    expect(pat.get_by_text("to be told when dates are announced")).to_be_visible()
    check_a11y(pat)
    sign_in_by_code(pat, check_a11y, practitioner.email)
    pat.goto("/")
    expect(pat.get_by_role("heading", name="1 course with no dates yet")).to_be_visible()
    check_a11y(pat)
    save_screenshot(pat, "demand-catalogue")
    pat.goto("/courses/")
    expect(pat.get_by_text("No upcoming dates yet.")).to_be_visible()
    check_a11y(pat)
    pat.get_by_role("button", name=re.compile("Tell me when dates are announced")).click()
    expect(pat.get_by_role("alert")).to_contain_text(
        "We'll email you when dates are announced for Neglect"
    )
    check_a11y(pat)
    pat.get_by_role("link", name="Neglect: recognising and responding").click()
    expect(pat.get_by_role("button", name=re.compile("I no longer want to hear"))).to_be_visible()
    check_a11y(pat)
    save_screenshot(pat, "demand-course-page-waiting")
    interest = CourseInterest.objects.get()
    assert (interest.person, interest.organisation) == (practitioner, practitioner.organisation)

    # The lead sees the demand, then creates a date from the course.
    lee = new_page()
    sign_in_by_code(lee, check_a11y, lead.email)
    lee.goto("/manage/")
    lee.get_by_role("link", name="Demand for courses with no dates").click()
    expect(lee.get_by_role("heading", level=1)).to_have_text("Demand for courses with no dates")
    row = lee.get_by_role("row", name=re.compile("Neglect: recognising and responding"))
    expect(row).to_contain_text("Dudley Council (1)")
    check_a11y(lee)
    save_screenshot(lee, "demand-lead-page")
    with lee.expect_download() as download:
        lee.get_by_role("link", name=re.compile("Download as CSV")).click()
    assert "Dudley Council" in open(download.value.path(), encoding="utf-8-sig").read()
    row.get_by_role("link", name=re.compile("create an event")).click()
    expect(lee.get_by_role("heading", level=1)).to_have_text("Create an event")
    check_a11y(lee)
    lee.get_by_label("Date", exact=True).fill(f"{DAY:%Y-%m-%d}")
    lee.get_by_label("Start time").fill("09:30")
    lee.get_by_label("End time").fill("12:30")
    lee.get_by_label("Venue", exact=True).select_option(
        label="Council House, Priory Road, Dudley DY1 1HF"
    )
    lee.get_by_label("Places", exact=True).fill("20")
    lee.get_by_role("button", name="Publish now").click()
    expect(lee.get_by_text("The event is created")).to_be_visible()
    check_a11y(lee)
    event = Event.objects.get()

    # The practitioner's email: once, with the date in London time and the link to book.
    message = last_email_to(practitioner.email, "Dates announced")
    assert message.subject == "Dates announced: Neglect: recognising and responding"
    assert "When: Tuesday 10 June 2031, 09:30 to 12:30" in message.body
    lee.goto("/manage/demand/")
    expect(lee.get_by_text("Nobody is waiting to hear")).to_be_visible()
    check_a11y(lee)

    pat.goto(link_in(message, f"/events/{event.pk}/"))
    expect(pat.get_by_role("heading", level=1)).to_contain_text("Neglect: recognising")
    check_a11y(pat)
    pat.goto("/courses/neglect/")
    expect(pat.get_by_role("button", name=re.compile("Tell me when dates"))).to_have_count(0)
    check_a11y(pat)
    from django.core import mail

    assert [m.subject for m in mail.outbox if practitioner.email in m.to].count(
        "Dates announced: Neglect: recognising and responding"
    ) == 1
