"""The lead gives a practitioner the trainer role on their own people page, not the admin, and
the trainer is then offered when an event's trainers are searched. axe on every page."""

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

from people import roles  # noqa: E402
from people.models import User  # noqa: E402
from people.selectors import trainer_search  # noqa: E402
from tests.browser.helpers import save_screenshot, verified  # noqa: E402
from tests.browser.test_journeys import sign_in_by_code  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_lead_gives_someone_the_trainer_role_on_the_people_page(
    new_page, check_a11y, lead, practitioner
):
    verified(lead)
    practitioner.full_name = "Priya Shah"
    practitioner.save()
    page = new_page()
    page.set_default_timeout(45_000)
    sign_in_by_code(page, check_a11y, lead.email)

    page.goto("/manage/")
    page.get_by_role("link", name="People and roles").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("People and roles")
    check_a11y(page)
    page.get_by_label("Find a person").fill("priya")
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_role("heading", name=re.compile("People matching"))).to_be_visible()
    check_a11y(page)
    page.get_by_role("link", name="Priya Shah").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Priya Shah")
    check_a11y(page)
    page.get_by_label(re.compile("^Organisation manager")).check()
    page.get_by_label("Organisation", exact=True).select_option(label="No organisation")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("choose their organisation")
    check_a11y(page)
    page.get_by_label(re.compile("^Organisation manager")).uncheck()
    page.get_by_label(re.compile("^Trainer")).check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Priya Shah is saved")).to_be_visible()
    check_a11y(page)
    save_screenshot(page, "lead-people-roles")
    assert User.objects.get(pk=practitioner.pk).has_role(roles.TRAINER)
    assert [t.pk for t in trainer_search("priya")] == [practitioner.pk]
