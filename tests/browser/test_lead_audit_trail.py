"""The lead answers "who changed this survey, and when?" from the audit trail, without the admin:
filters it, meets an error for dates the wrong way round, pages through, and downloads the CSV.
axe and the reflow check on every page, errors included."""

import os
import re
from datetime import timedelta

import pytest

from tests.browser.conftest import CHROMIUM, DESKTOP, SKIP_REASON

if not os.path.exists(CHROMIUM):
    pytest.skip(SKIP_REASON, allow_module_level=True)
for _module in ("playwright.sync_api", "pytest_playwright", "axe_playwright_python"):
    pytest.importorskip(
        _module, reason="browser tests need the dev dependencies (pip install -e '.[dev]')"
    )

from django.utils import timezone  # noqa: E402
from playwright.sync_api import expect  # noqa: E402

from competency import needs_services  # noqa: E402
from courses.models import PriorityArea  # noqa: E402
from privacy.audit import record  # noqa: E402
from tests.browser.helpers import save_screenshot, verified  # noqa: E402
from tests.browser.test_journeys import sign_in_by_code  # noqa: E402
from tests.factories import UserFactory  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_lead_finds_who_changed_a_survey_and_downloads_the_trail(new_page, check_a11y, lead):
    verified(lead)
    lead.full_name = "Lee Lead"
    lead.save()
    today = timezone.localdate()
    neglect = PriorityArea.objects.create(name="Neglect")
    survey = needs_services.needs_survey_create(
        actor=lead,
        title="Needs 2027",
        intro="",
        opens_on=today,
        closes_on=today + timedelta(days=30),
        topics={neglect: ["Recognising neglect"]},
    )
    needs_services.needs_survey_update(
        survey=survey,
        actor=lead,
        title="Needs 2027",
        intro="Please answer by the end of the month: " + "it takes ten minutes. " * 5,
        closes_on=today + timedelta(days=30),
    )
    colleague = UserFactory(full_name="Colin Colleague")
    for n in range(60):  # more than a page, by someone else
        record(
            action="questionnaire_item.change",
            object_type="evaluations.item",
            object_id=n,
            object_repr=f"Question {n}",
            actor=colleague,
            before={"text": f"Old wording {n}"},
            after={"text": f"New wording {n}"},
        )

    page = new_page()
    sign_in_by_code(page, check_a11y, lead.email)
    page.goto("/manage/")
    page.get_by_role("link", name="Audit trail").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit trail")
    expect(page.locator("#audit-entries tbody tr")).to_have_count(50)
    expect(page.get_by_role("navigation", name="Pages of the audit trail")).to_be_visible()
    check_a11y(page)
    save_screenshot(page, "audit-trail-desktop")

    page.get_by_label("Kind of record").select_option(label="Training needs survey")
    page.get_by_role("button", name="Apply filters").click()
    rows = page.locator("#audit-entries tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Lee Lead")
    expect(rows.first).to_contain_text("Training needs survey changed")
    expect(rows.first).to_contain_text("…")  # the long introduction, cut
    check_a11y(page)
    page.set_viewport_size({"width": 320, "height": 800})
    save_screenshot(page, "audit-trail-320")
    page.set_viewport_size(DESKTOP)

    page.get_by_label("From").fill((today + timedelta(days=1)).isoformat())
    page.get_by_label("To").fill(today.isoformat())
    page.get_by_role("button", name="Apply filters").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The to date must be the same as or after the from date")
    expect(page).to_have_title(re.compile("^Error: Audit trail"))
    check_a11y(page)
    save_screenshot(page, "audit-trail-error")
    summary.get_by_role("link").click()
    expect(page.get_by_label("To")).to_be_focused()

    page.get_by_label("From").fill(today.isoformat())
    page.get_by_role("button", name="Apply filters").click()
    expect(rows).to_have_count(2)
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Download these entries as CSV")).click()
    text = open(download.value.path(), encoding="utf-8-sig").read()
    assert "Training needs survey created" in text and "Question 1" not in text
    assert "it takes ten minutes. it takes ten minutes." in text  # whole in the download
