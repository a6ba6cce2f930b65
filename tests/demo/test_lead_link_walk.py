"""The demo lead's pages, walked by following links: none leads into the Django admin (it is for
superusers only) and none is broken (404) or fails (5xx).

The demo year is loaded once, inside a transaction rolled back at the end (as in
test_load_demo.py). From / and /manage/ every same-site <a href> is followed with GET,
breadth first. Links that differ only by their query string or their object ids are collapsed:
at most `PER_VIEW` addresses per URL name, so the walk stays quick and still reaches every kind
of page the lead can reach. Downloads (CSV, spreadsheets, PDF, calendars) are fetched, not parsed.
"""

from collections import Counter, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve

from courses import views as course_views
from people.models import User

START = ("/", "/manage/")
MAX_PAGES = 400
PER_VIEW = 3
# Signing out would end the walk; the admin is what the walk looks for, never a place to go.
SKIP_VIEWS = {"account_logout"}
HOST = "testserver"


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []
        self.actions: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.hrefs.append(values["href"])
        if tag == "form" and values.get("action"):
            self.actions.append(values["action"])


def _same_site_path(base: str, href: str) -> str | None:
    """The path and query of a link on this site, or None (another site, mailto:, an anchor)."""
    if href.startswith(("mailto:", "tel:", "javascript:", "#")):
        return None
    parts = urlsplit(urljoin(f"http://{HOST}{base}", href))
    if parts.scheme not in ("http", "https") or parts.netloc != HOST:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _view_name(path: str) -> str | None:
    try:
        return resolve(urlsplit(path).path).view_name
    except Resolver404:
        return None


@dataclass
class Walk:
    visited: list[str] = field(default_factory=list)
    admin_links: list[str] = field(default_factory=list)  # "page -> link"
    broken: list[str] = field(default_factory=list)  # "status page (linked from ...)"
    views: Counter = field(default_factory=Counter)


def walk(client: Client, *, start=START, max_pages: int = MAX_PAGES) -> Walk:
    """Follow every same-site link breadth first from `start`, as `client`."""
    result = Walk()
    queue = deque((path, "(start)") for path in start)
    seen = set(start)
    per_view: Counter = Counter()
    while queue and len(result.visited) < max_pages:
        path, referrer = queue.popleft()
        name = _view_name(path)
        result.visited.append(path)
        result.views[name] += 1
        try:
            response = client.get(path)
        except Exception as error:  # a traceback is a 500 for the walk's purpose
            result.broken.append(f"500 {path} (linked from {referrer}): {error!r}")
            continue
        status = response.status_code
        if status == 404 or status >= 500:
            result.broken.append(f"{status} {path} (linked from {referrer})")
            continue
        found: list[str] = []
        if status in (301, 302, 303, 307, 308):
            found.append(response["Location"])
        elif response.get("Content-Type", "").startswith("text/html"):
            parser = _Links()
            parser.feed(response.content.decode(errors="replace"))
            found.extend(parser.hrefs)
            result.admin_links.extend(
                f"{path} -> form {action}"
                for action in parser.actions
                if (_same_site_path(path, action) or "").startswith("/admin/")
            )
        for href in found:
            target = _same_site_path(path, href)
            if target is None:
                continue
            if target.startswith("/admin/"):
                result.admin_links.append(f"{path} -> {href}")
                continue
            if target in seen:
                continue
            seen.add(target)
            target_view = _view_name(target)
            if target_view in SKIP_VIEWS or target.startswith("/static/"):
                continue
            # Collapse addresses that differ only by query string or ids: a few per URL name.
            if target_view is not None:
                if per_view[target_view] >= PER_VIEW:
                    continue
                per_view[target_view] += 1
            queue.append((target, path))
    return result


@pytest.fixture
def lead_client(db, demo):
    lead = User.objects.get(email="lead@demo.learningloop.test")
    assert not lead.is_superuser  # the walk is about what the lead, not an admin, can reach
    client = Client()
    client.force_login(lead)
    return client


def test_the_demo_lead_s_pages_never_link_into_the_admin_and_none_is_broken(lead_client):
    result = walk(lead_client)

    assert result.admin_links == []
    assert result.broken == []
    # The walk really went round the lead's workspace, not just the front page.
    assert len(result.visited) >= 60, result.visited
    for name in (
        "courses:manage",
        "courses:manage_courses",
        "courses:manage_event_create",
        "courses:manage_venues",
        "courses:event",
        "event_manage:page",
        "bookings_manage:event_edit",
        "bookings:register",
        "questionnaires:list",
        "reports:index",
        "privacy:person_find",
        "people_manage:list",
        "people_manage:person",
    ):
        assert result.views[name] >= 1, (name, sorted(n for n in result.views if n))


def test_the_walk_finds_an_admin_link_and_a_broken_one(lead_client, monkeypatch):
    """The walk can fail: a link into the admin on the Manage page, and a dead link, are found."""
    sections = [
        *course_views.MANAGE_SECTIONS,
        ("admin:index", "Site administration", "The Django admin"),
    ]
    monkeypatch.setattr(course_views, "MANAGE_SECTIONS", sections)
    result = walk(lead_client, start=("/manage/", "/no-such-page/"), max_pages=3)
    assert result.admin_links == ["/manage/ -> /admin/"]
    assert result.broken == ["404 /no-such-page/ (linked from (start))"]
