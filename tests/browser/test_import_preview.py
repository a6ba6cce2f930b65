"""The lead uploads past records whose email column no alias knows, sees on the preview which
column becomes which field, maps that column to email, imports, and reads the summary; every
page axe-clean."""

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

from bookings.models import Booking  # noqa: E402
from imports.models import ImportMapping  # noqa: E402
from tests.browser.helpers import verified  # noqa: E402
from tests.browser.test_journeys import sign_in_by_code  # noqa: E402
from tests.imports.test_import import GOOD  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_lead_changes_a_column_on_the_preview_and_imports(new_page, check_a11y, lead, catalogue):
    verified(lead)
    bookings = (GOOD / "bookings.csv").read_text().replace(",email,", ",Delegate email,", 1)
    files = [
        {"name": p.name, "mimeType": "text/csv", "buffer": p.read_bytes()}
        for p in sorted(GOOD.iterdir())
        if p.name != "bookings.csv"
    ]
    files.append({"name": "bookings.csv", "mimeType": "text/csv", "buffer": bookings.encode()})
    page = new_page()
    sign_in_by_code(page, check_a11y, lead.email)
    page.goto("/reports/import/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Import past records")
    check_a11y(page)

    page.get_by_label("CSV or Excel files, or a .zip of them").set_input_files(files)
    page.get_by_role("button", name="Upload and check the columns").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check the columns")
    expect(page.get_by_text("missing column email")).to_be_visible()
    select = page.get_by_label(re.compile("field for column ‘Delegate email’ of bookings.csv"))
    expect(select).to_have_value("")  # ignored: no alias knows it
    check_a11y(page)

    select.select_option("email")
    page.get_by_label("Save this mapping as (optional)").fill("Delegate list")
    page.get_by_role("button", name="Import").click()

    expect(page.get_by_role("heading", name="Records imported")).to_be_visible()
    expect(page.get_by_text("bookings.csv: 7 rows: 7 imported")).to_be_visible()
    check_a11y(page)
    assert Booking.objects.count() == 7
    assert ImportMapping.objects.get().columns["bookings.csv"]["Delegate email"] == "email"
