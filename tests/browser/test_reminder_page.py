"""A person turns reminder emails off from the link in a reminder (no sign-in), on pages axe
finds clean, and a broken link gets a clear page."""

import os

import pytest

from tests.browser.conftest import CHROMIUM, SKIP_REASON

if not os.path.exists(CHROMIUM):
    pytest.skip(SKIP_REASON, allow_module_level=True)
for _module in ("playwright.sync_api", "pytest_playwright", "axe_playwright_python"):
    pytest.importorskip(
        _module, reason="browser tests need the dev dependencies (pip install -e '.[dev]')"
    )

from playwright.sync_api import expect  # noqa: E402

from bookings import tasks as booking_tasks  # noqa: E402
from people.models import User  # noqa: E402
from tests.browser.helpers import last_email_to, link_in  # noqa: E402
from tests.factories import BookingFactory  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_person_turns_reminders_off_from_the_email(new_page, check_a11y):
    booking = BookingFactory()
    booking_tasks.send_booking_email(booking.pk, "reminder")
    link = link_in(last_email_to(booking.person.email, "Reminder"), "/people/reminders/")

    page = new_page()
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Reminder emails")
    check_a11y(page)
    page.get_by_label("No, stop reminder emails").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("you will get no more reminders")).to_be_visible()
    check_a11y(page)
    assert User.objects.get(pk=booking.person.pk).reminder_emails is False

    page.goto(link.replace("/people/reminders/", "/people/reminders/9"))
    expect(page.get_by_role("heading", level=1)).to_have_text("This link is not working")
    check_a11y(page)
