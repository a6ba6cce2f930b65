"""Browser-test harness: Debian's chromium driven by Playwright against Django's live server.

Every page a journey visits goes through `check_a11y(page)`: axe-core at WCAG 2.2 AA, then a
reflow check at 320 CSS px and at 200% zoom (a 1280 px window zoomed 200% lays out 640 CSS px).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from core.clock import TIME_ZONE_NAME

CHROMIUM = "/usr/bin/chromium"
HAVE_CHROMIUM = os.path.exists(CHROMIUM)
SKIP_REASON = "browser tests need Debian's chromium at /usr/bin/chromium (apt-get install chromium)"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
# Widths at which no page may scroll sideways (WCAG 1.4.10 reflow): 320 CSS px, and a 1280 px
# window at 200% zoom.
REFLOW_WIDTHS = (320, 640)

# Every page checked, for the summary written to test-artifacts/a11y-pages.txt.
CHECKED: list[tuple[str, str, int]] = []


def _axe_source() -> str:
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="module")
def _async_unsafe_allowed():
    """Playwright's sync API leaves an event loop running in the test thread, and Django then
    refuses the ORM calls the tests make between browser steps. Allow them, for the browser
    tests only: set while this module runs, removed after it (other tests, and subprocesses such
    as `manage.py check --deploy`, must not inherit it)."""
    was = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    yield
    if was is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture(scope="module")
def browser(_async_unsafe_allowed, browser_type_launch_args):
    """pytest-playwright's browser, but for this module only: its event loop stops with it, so
    the tests that run after the browser tests get Django's usual async-safety checks back."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**browser_type_launch_args)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def axe_source():
    return _axe_source()


def _format_violations(url: str, violations: list[dict]) -> str:
    lines = [f"axe found {len(violations)} WCAG 2.2 AA violation(s) on {url}:"]
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} – {v['helpUrl']}")
        for node in v["nodes"][:5]:
            lines.append(f"    at {' '.join(node['target'])}: {node['html'][:160]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary[:300]}")
        if len(v["nodes"]) > 5:
            lines.append(f"    … and {len(v['nodes']) - 5} more")
    return "\n".join(lines)


def _reflow_problems(page) -> list[str]:
    """Sideways scrolling at each reflow width (document.documentElement.scrollWidth > width)."""
    size = page.viewport_size
    problems = []
    try:
        for width in REFLOW_WIDTHS:
            page.set_viewport_size({"width": width, "height": 800})
            found = page.evaluate(
                """(width) => {
                    const root = document.documentElement;
                    if (root.scrollWidth <= width) return null;
                    // The innermost elements that stick out, to say where to look.
                    const limit = root.clientWidth + 1;
                    const wide = [...document.querySelectorAll('body *')].filter(
                        e => e.getBoundingClientRect().right > limit
                          && ![...e.children].some(c => c.getBoundingClientRect().right > limit));
                    const texts = [];
                    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
                    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
                        const range = document.createRange();
                        range.selectNodeContents(n);
                        if (range.getBoundingClientRect().right > limit)
                            texts.push(n.parentElement.outerHTML.slice(0, 120));
                    }
                    return {scrollWidth: root.scrollWidth, wide: wide.concat(texts).slice(0, 5)
                        .map(e => typeof e === 'string' ? e : e.outerHTML.slice(0, 120))};
                }""",
                width,
            )
            if found:
                problems.append(
                    f"at {width} CSS px wide the page is {found['scrollWidth']} px wide "
                    f"(scrolls sideways); sticking out: {found['wide']}"
                )
    finally:
        page.set_viewport_size(size)
    return problems


@pytest.fixture
def check_a11y(axe_source):
    """Call after every navigation: axe at WCAG 2.2 AA and no sideways scroll at 320 px / 200%."""

    def check(page, *, reflow: bool = True) -> None:
        page.wait_for_load_state("load")
        # An unstyled page fails every check below for the wrong reason: say so first.
        unstyled = page.evaluate(
            """() => [...document.querySelectorAll('link[rel=stylesheet]')]
                .filter(l => { try { return !l.sheet || l.sheet.cssRules.length === 0; }
                               catch (e) { return true; } })
                .map(l => l.href)"""
        )
        assert not unstyled, f"stylesheet(s) did not load on {page.url}: {unstyled}"
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            # evaluate(), not add_script_tag(): the site's CSP forbids inline scripts.
            page.evaluate(axe_source)
        results = page.evaluate(
            """(tags) => axe.run(document, {
                runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']
            })""",
            WCAG_TAGS,
        )
        violations = results["violations"]
        problems = []
        if violations:
            problems.append(_format_violations(page.url, violations))
        if reflow:
            problems += [f"{page.url}: {p}" for p in _reflow_problems(page)]
        title = page.title()
        CHECKED.append((page.url, title, len(violations)))
        assert not problems, "\n".join(problems)

    return check


@pytest.fixture
def new_page(browser, live_server):
    """Open a page in a fresh browser context (its own cookies: one person each)."""
    contexts = []

    def make(*, viewport=None, **kwargs):
        context = browser.new_context(
            base_url=live_server.url,
            viewport=viewport or DESKTOP,
            locale="en-GB",
            timezone_id=TIME_ZONE_NAME,
            accept_downloads=True,
            **kwargs,
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def _restore_roles() -> None:
    """Put back the role groups the migrations made: a transactional test's flush empties them."""
    from django.contrib.auth.models import Group, Permission

    from people import roles

    for name in roles.ALL_ROLES:
        Group.objects.get_or_create(name=name)
    lead = Group.objects.get(name=roles.LEAD)
    if not lead.permissions.exists():
        lead.permissions.add(
            *Permission.objects.filter(
                content_type__app_label__in=("people", "courses", "bookings", "evaluations")
            )
        )


@pytest.fixture(autouse=True)
def _live_site(live_server, settings):
    """Every browser test: links in emails point at the live server; fresh rate limits."""
    from django.core.cache import cache

    settings.SITE_URL = live_server.url
    _restore_roles()
    # allauth keeps its rate limits in the (database) cache, which flushes do not empty.
    cache.clear()


def pytest_sessionfinish(session, exitstatus):
    if CHECKED:
        ARTIFACTS.mkdir(exist_ok=True)
        lines = [f"{n} violations  {title}  {url}" for url, title, n in CHECKED]
        (ARTIFACTS / "a11y-pages.txt").write_text("\n".join(lines) + "\n")
