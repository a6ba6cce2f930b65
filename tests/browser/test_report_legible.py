"""The uptake report at 320 CSS px (issue 17): chart text at least 12 px as shown, numbers never
split over two lines, wide tables scroll inside a focusable, labelled region with a visible cue.
A screenshot is kept in test-artifacts/report-320.png."""

import os

import pytest

from tests.browser.conftest import CHROMIUM, SKIP_REASON

if not os.path.exists(CHROMIUM):
    pytest.skip(SKIP_REASON, allow_module_level=True)
for _module in ("playwright.sync_api", "pytest_playwright", "axe_playwright_python"):
    pytest.importorskip(
        _module, reason="browser tests need the dev dependencies (pip install -e '.[dev]')"
    )

from django.conf import settings as django_settings  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from reports.charts import FONT_SIZE  # noqa: E402
from reports.warm import warm_imports  # noqa: E402
from tests.browser.helpers import save_screenshot  # noqa: E402
from tests.reports.dataset import build  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PERIOD = "?start=2022-04-01&end=2023-03-31"


def _signed_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    # As a web worker is before its first request (post_worker_init), with the charts drawn: the
    # page then loads within the browser's timeout on a busy machine.
    warm_imports()
    assert client.get(reverse("reports:uptake") + PERIOD).status_code == 200
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def test_the_report_reads_at_320_px(new_page, check_a11y, live_server, lead):
    build()
    page = new_page(viewport={"width": 320, "height": 800})
    _signed_in(page, live_server, lead)
    page.goto(reverse("reports:uptake") + PERIOD)
    check_a11y(page)
    save_screenshot(page, "report-320")

    # Chart text as shown: FONT_SIZE pt drawn (4/3 px a point) times the image's scale.
    scales = page.eval_on_selector_all(
        ".app-chart img", "imgs => imgs.map(i => i.clientWidth / i.naturalWidth)"
    )
    assert len(scales) >= 5
    for scale in scales:
        assert FONT_SIZE * 4 / 3 * scale >= 12, f"chart text {FONT_SIZE * 4 / 3 * scale:.1f} px"

    # No number on two lines.
    split = page.eval_on_selector_all(
        ".govuk-table__cell--numeric",
        """cells => cells.filter(c => {
            if (!c.textContent.trim()) return false;
            const r = document.createRange(); r.selectNodeContents(c);
            const tops = new Set([...r.getClientRects()].map(x => Math.round(x.top)));
            return tops.size > 1;
        }).map(c => c.textContent.trim())""",
    )
    assert split == []

    # Wide tables scroll inside a focusable, labelled region, with a visible cue.
    regions = page.locator(".app-table-scroll--wide")
    assert regions.count() >= 3
    wide = regions.first
    assert wide.get_attribute("tabindex") == "0"
    assert wide.get_attribute("role") == "region"
    assert "scrolls sideways" in wide.get_attribute("aria-label")
    assert wide.evaluate("e => e.scrollWidth > e.clientWidth")
    cue = page.locator(".app-scroll-cue").first
    assert cue.is_visible()
    wide.focus()
    page.keyboard.press("ArrowRight")
    # Keyboard scrolling is smooth (animated): on a busy machine it lands a moment later.
    page.wait_for_function("e => e.scrollLeft > 0", arg=wide.element_handle(), timeout=5000)


def test_the_desktop_page_shows_charts_at_full_size(new_page, live_server, lead):
    build()
    page = new_page()
    _signed_in(page, live_server, lead)
    page.goto(reverse("reports:uptake") + PERIOD)
    scales = page.eval_on_selector_all(
        ".app-chart img", "imgs => imgs.map(i => i.clientWidth / i.naturalWidth)"
    )
    assert scales and min(scales) >= 0.98  # drawn size: 16 px text
