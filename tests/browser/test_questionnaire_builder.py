"""The lead builds a questionnaire and previews it, on pages axe finds clean, by keyboard-usable
forms, without the Django admin."""

import os

import pytest

from tests.browser.conftest import CHROMIUM, SKIP_REASON

if not os.path.exists(CHROMIUM):
    pytest.skip(SKIP_REASON, allow_module_level=True)
for _module in ("playwright.sync_api", "pytest_playwright", "axe_playwright_python"):
    pytest.importorskip(
        _module, reason="browser tests need the dev dependencies (pip install -e '.[dev]')"
    )

from django.urls import reverse  # noqa: E402
from playwright.sync_api import expect  # noqa: E402

from evaluations.defaults import ensure_default_questionnaires  # noqa: E402
from evaluations.models import Questionnaire  # noqa: E402
from tests.browser.helpers import verified  # noqa: E402
from tests.browser.test_journeys import sign_in_by_code  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_lead_builds_and_previews_a_questionnaire(new_page, check_a11y, live_server, lead):
    ensure_default_questionnaires()
    verified(lead)
    page = new_page()
    sign_in_by_code(page, check_a11y, lead.email)
    page.goto(live_server.url + reverse("questionnaires:list"))
    check_a11y(page)
    page.get_by_role("link", name="Create a questionnaire").click()
    page.get_by_label("Name").fill("Think Family: after the course")
    page.get_by_role("group", name="When it is sent").get_by_label("Post-course").check()
    page.get_by_role("group", name="Who answers it").get_by_label("Delegate").check()
    page.get_by_role("button", name="Create and add questions").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Think Family: after the course")
    check_a11y(page)

    # A choice with one option is refused on its field, then put right.
    page.get_by_role("link", name="Add a question").click()
    page.get_by_label("Question", exact=True).fill("Which part helped most?")
    page.get_by_label("Single choice", exact=True).check()
    page.get_by_label("Single choice: the options").fill("The case study")
    page.get_by_role("button", name="Save question").click()
    expect(page.get_by_role("alert")).to_contain_text("at least two options")
    check_a11y(page)
    page.get_by_label("Single choice: the options").fill("The case study\nThe group work")
    page.get_by_role("button", name="Save question").click()

    page.get_by_role("link", name="Add a question").click()
    page.get_by_label("Question", exact=True).fill("How would you rate your knowledge now?")
    page.get_by_label("Rating 1–5").check()
    page.get_by_label("Counts towards learning gain").check()
    page.get_by_role("button", name="Save question").click()
    expect(page.get_by_text("Question saved.")).to_be_visible()
    page.get_by_role("button", name="Move up question 2").click()
    check_a11y(page)

    page.get_by_role("link", name="Preview as delegates see it").click()
    expect(page.get_by_text("Nothing here is saved")).to_be_visible()
    legends = page.locator("legend").all_inner_texts()
    assert legends[:2] == ["How would you rate your knowledge now?", "Which part helped most?"]
    check_a11y(page)
    page.get_by_role("link", name="Back to the questionnaire").click()

    page.get_by_role("button", name="Put it in use").click()
    expect(page.get_by_text("is now in use")).to_be_visible()
    check_a11y(page)
    built = Questionnaire.objects.get(name="Think Family: after the course")
    assert built.is_current and built.items.count() == 2
