"""The HTML certificate prints as a certificate (issue 17): its styles load under the site's
Content-Security-Policy (no inline <style>), and chromium's print to PDF holds the certificate
alone, on one page: no site menu, header or footer, no link addresses after links."""

import os
import shutil
import subprocess
from datetime import datetime

import pytest

from tests.browser.conftest import ARTIFACTS, CHROMIUM, SKIP_REASON

if not os.path.exists(CHROMIUM):
    pytest.skip(SKIP_REASON, allow_module_level=True)
for _module in ("playwright.sync_api", "pytest_playwright", "axe_playwright_python"):
    pytest.importorskip(
        _module, reason="browser tests need the dev dependencies (pip install -e '.[dev]')"
    )

from django.conf import settings as django_settings  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from bookings.certificates import certificate_reference  # noqa: E402
from bookings.models import Booking  # noqa: E402
from core.clock import LONDON  # noqa: E402
from tests.factories import BookingFactory, EventFactory, UserFactory  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _signed_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def test_the_certificate_prints_alone_with_its_styles(
    new_page, check_a11y, live_server, settings, tmp_path
):
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    settings.EVAL_CERTIFICATE_NEEDS_POST = False
    event = EventFactory(
        start=datetime(2025, 6, 11, 9, 30, tzinfo=LONDON),
        end=datetime(2025, 6, 11, 16, 0, tzinfo=LONDON),
        status="delivered",
        course__title="Domestic abuse: risk assessment with DASH",
    )
    person = UserFactory(full_name="Amir Haddad")
    booking = BookingFactory(event=event, person=person, status=Booking.Status.ATTENDED)
    page = new_page()
    refused = []
    page.on(
        "console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None
    )
    _signed_in(page, live_server, person)
    page.goto(reverse("bookings:certificate", args=[booking.pk]))
    check_a11y(page)
    assert refused == []
    # The certificate's own stylesheet applied (it draws the double border).
    border = page.eval_on_selector(".app-certificate", "e => getComputedStyle(e).borderTopStyle")
    assert border == "double"

    page.emulate_media(media="print")
    for hidden in (".app-header", ".app-nav", ".app-footer", ".app-no-print"):
        assert page.locator(hidden).first.is_hidden(), hidden
    pdf = tmp_path / "certificate.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(pdf, ARTIFACTS / "certificate-print.pdf")
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    for expected in [
        "Certificate of attendance",
        "Amir Haddad",
        "Domestic abuse: risk assessment with DASH",
        "Wednesday 11 June 2025",
        certificate_reference(booking),
    ]:
        assert expected in flat, expected
    for menu in [
        "Find training",
        "My training",
        "My profile",
        "Sign out",
        "Privacy notice",
        "Skip to main content",
        "Learning Loop",
        "Download the certificate",
    ]:
        assert menu not in flat, menu
    # No "(http://...)" printed after a link.
    assert "(http" not in flat and "(/" not in flat
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = next(
        line.split(":")[1].strip() for line in info.splitlines() if line.startswith("Pages")
    )
    assert pages == "1", info
