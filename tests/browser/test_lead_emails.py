"""The lead finds an email that was given up, on a page axe finds clean, and sends it again."""

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

from messaging.models import OutboundEmail  # noqa: E402
from tests.browser.helpers import last_email_to, verified  # noqa: E402
from tests.browser.test_journeys import sign_in_by_code  # noqa: E402
from tests.factories import BookingFactory, EventFactory  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_lead_sends_a_given_up_email_again(new_page, check_a11y, lead):
    verified(lead)
    event = EventFactory(start=timezone.now() + timedelta(days=12))
    booking = BookingFactory(event=event)
    row = OutboundEmail.objects.create(
        booking=booking,
        purpose="confirmation",
        state=OutboundEmail.State.GIVEN_UP,
        attempts=16,
        note="Given up after 16 tries; last: SMTPServerDisconnected",
    )
    page = new_page()
    sign_in_by_code(page, check_a11y, lead.email)
    nav = page.get_by_role("navigation", name="Main menu")
    nav.get_by_role("link", name="Emails not delivered").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Emails not delivered")
    check_a11y(page)
    page.get_by_role("link", name=re.compile(re.escape(event.course.title))).click()
    expect(page.get_by_role("heading", level=3)).to_contain_text(booking.person.email)
    check_a11y(page)
    page.get_by_role("button", name=re.compile("Send again")).click()
    expect(page.get_by_text("queued to be sent again")).to_be_visible()
    check_a11y(page)
    row.refresh_from_db()
    assert row.state == OutboundEmail.State.SENT
    assert last_email_to(booking.person.email, "Your place is booked")
