"""The lead keeps the reference lists without the admin: adds a priority area and an email
domain, opens the cancellation reasons, and reads a delegate's booking history on the event
page. axe on every page, errors included."""

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

from bookings import services as booking_services  # noqa: E402
from bookings.models import CancellationReason  # noqa: E402
from courses.models import PriorityArea  # noqa: E402
from people.models import OrganisationDomain  # noqa: E402
from tests.browser.helpers import save_screenshot, verified  # noqa: E402
from tests.browser.test_journeys import sign_in_by_code  # noqa: E402
from tests.factories import EventFactory, OrganisationFactory, UserFactory  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_lead_keeps_the_reference_lists_and_reads_a_booking_history(new_page, check_a11y, lead):
    verified(lead)
    OrganisationFactory(name="Dudley Council")
    CancellationReason.objects.create(label="Work capacity")
    event = EventFactory(capacity=5, start=timezone.now() + timedelta(days=20))
    booking = booking_services.booking_create(
        event=event, person=UserFactory(full_name="Priya Shah"), booked_by=lead
    )
    page = new_page()
    page.set_default_timeout(45_000)
    sign_in_by_code(page, check_a11y, lead.email)

    page.goto("/manage/")
    page.get_by_role("link", name="Priority areas").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Priority areas")
    check_a11y(page)
    page.get_by_role("link", name="Add a priority area").click()
    page.get_by_label("Name").fill("Domestic abuse")
    page.get_by_label(re.compile("^First reporting year")).fill("2026")
    page.get_by_label(re.compile("^Last reporting year")).fill("2025")
    page.get_by_role("button", name="Save the priority area").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("cannot be before the first")
    check_a11y(page)
    page.get_by_label(re.compile("^Last reporting year")).fill("")
    page.get_by_role("button", name="Save the priority area").click()
    expect(page.get_by_text("The priority area is saved: Domestic abuse.")).to_be_visible()
    check_a11y(page)
    assert PriorityArea.objects.get(name="Domestic abuse").first_year == 2026

    page.goto("/manage/")
    page.get_by_role("link", name="Cancellation reasons").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cancellation reasons")
    check_a11y(page)
    page.get_by_role("link", name="Work capacity").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit Work capacity")
    check_a11y(page)

    page.goto("/manage/")
    page.get_by_role("link", name="Organisations and email domains").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Organisations and email domains")
    check_a11y(page)
    page.get_by_label("Organisation").select_option(label="Dudley Council")
    page.get_by_label("Email domain").fill("gmail.com")
    page.get_by_role("button", name="Add the domain").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("public email provider")
    check_a11y(page)
    page.get_by_label("Organisation").select_option(label="Dudley Council")
    page.get_by_label("Email domain").fill("Dudley.gov.uk")
    page.get_by_role("button", name="Add the domain").click()
    expect(
        page.get_by_text("dudley.gov.uk is now an email domain of Dudley Council.")
    ).to_be_visible()
    check_a11y(page)
    save_screenshot(page, "lead-organisation-domains")
    assert OrganisationDomain.objects.get(domain="dudley.gov.uk").organisation.name == (
        "Dudley Council"
    )

    page.goto(f"/manage/events/{event.pk}/")
    history = page.locator(f'[data-booking-history="{booking.pk}"]')
    history.locator("summary").click()
    expect(history).to_contain_text("Booked")
    expect(history).to_contain_text("(L&D lead)")
    check_a11y(page)
    save_screenshot(page, "lead-event-booking-history")
