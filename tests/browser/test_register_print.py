"""Issue 15: the trainer takes the register with "Mark all attended", then prints it: chromium's
print to PDF gives one A4 page with the 20 names, their needs, and no link addresses. And an
event of two sessions: the lead sets its sessions, the register has a column for each."""

import os
import re
import shutil
import subprocess
from datetime import timedelta

import pytest

from tests.browser.conftest import ARTIFACTS, CHROMIUM, SKIP_REASON

if not os.path.exists(CHROMIUM):
    pytest.skip(SKIP_REASON, allow_module_level=True)
for _module in ("playwright.sync_api", "pytest_playwright", "axe_playwright_python"):
    pytest.importorskip(
        _module, reason="browser tests need the dev dependencies (pip install -e '.[dev]')"
    )
if not (shutil.which("pdfinfo") and shutil.which("pdftotext")):
    pytest.skip("needs poppler-utils (pdfinfo, pdftotext)", allow_module_level=True)

from django.utils import timezone  # noqa: E402
from playwright.sync_api import expect  # noqa: E402

from bookings.models import Booking, SessionAttendance  # noqa: E402
from tests.browser.helpers import save_screenshot, verified  # noqa: E402
from tests.browser.test_journeys import dudley, sign_in_by_code  # noqa: E402
from tests.factories import BookingFactory, CourseFactory, EventFactory, UserFactory  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
S = Booking.Status

# Twenty delegates, with the kind of needs people write (some long, most short).
NAMES = [
    "Amira Khan", "Ben Okafor", "Chloe Davies", "Daniel Wright", "Eleanor Price",
    "Farhan Iqbal", "Grace O'Neill", "Harry Singh", "Isla Roberts", "Jamal Edwards",
    "Katie Morgan", "Liam Hughes", "Maya Patel", "Noah Jenkins", "Olivia Turner",
    "Priya Sharma", "Quentin Hall", "Rosie Clarke", "Samuel Green", "Tara Williams",
]  # fmt: skip
DIETS = ["Vegetarian", "Halal", "Gluten free", "Vegan", "Nut allergy"]
ACCESS = [
    "British Sign Language interpreter, please",
    "Step-free access and a seat near the door",
    "Hearing loop",
    "Large print handouts",
]


def _pdf_text(path) -> tuple[str, str]:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return info.stdout, text.stdout


def test_trainer_marks_all_then_prints_twenty_names_on_one_a4_page(new_page, check_a11y, trainer):
    verified(trainer)
    organisation = dudley()
    course = CourseFactory(title="Safeguarding adults: recognising neglect")
    event = EventFactory(
        course=course,
        start=timezone.now().replace(microsecond=0) - timedelta(hours=1),
        venue="Council House, Priory Road, Dudley DY1 1HF",
        capacity=24,
    )
    event.trainers.add(trainer)
    bookings = [
        BookingFactory(
            event=event,
            person=UserFactory(full_name=name, organisation=organisation),
            dietary_needs=DIETS[i % len(DIETS)],
            access_needs=ACCESS[i % len(ACCESS)] if i % 3 == 0 else "",
        )
        for i, name in enumerate(NAMES)
    ]

    page = new_page()
    page.set_default_timeout(45_000)  # a busy machine (CI shares its cores)
    sign_in_by_code(page, check_a11y, trainer.email)
    page.goto(f"/bookings/registers/{event.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(course.title)
    # The needs reach the trainer on the screen.
    expect(page.get_by_text("British Sign Language interpreter, please").first).to_be_visible()
    check_a11y(page)

    page.get_by_role("button", name="Mark all attended").click()
    expect(page.get_by_text("Register saved: 20 changes.")).to_be_visible()
    check_a11y(page)
    assert set(Booking.objects.filter(event=event).values_list("status", flat=True)) == {S.ATTENDED}
    # Then the exception: Ben left at lunchtime.
    page.get_by_role("radio", name="Partially attended (Ben Okafor)", exact=True).check()
    page.get_by_role("button", name="Save the register").click()
    expect(page.get_by_text("Register saved: 1 change.")).to_be_visible()
    assert Booking.objects.get(pk=bookings[1].pk).status == S.PARTIAL

    page.get_by_role("link", name="Print the register (with a signature column)").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(course.title)
    check_a11y(page)
    ARTIFACTS.mkdir(exist_ok=True)
    pdf = ARTIFACTS / "register-print.pdf"
    page.pdf(path=str(pdf), format="A4")
    info, text = _pdf_text(pdf)
    assert re.search(r"^Pages:\s+1$", info, re.M), info
    size = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts \(A4\)", info, re.M)
    assert size and abs(float(size[1]) - 595) < 2 and abs(float(size[2]) - 842) < 2, info
    flat = " ".join(text.split())
    for name in NAMES:
        assert name in flat, f"{name} is not on the printed register"
    # No site menu, no link addresses.
    assert "http" not in text and "/bookings/" not in text and "localhost" not in text
    assert "My training" not in flat and "Sign out" not in flat and "Privacy notice" not in flat
    # The summary for the caterers and the interpreters.
    assert (
        "Food for 20: 0 with no dietary needs; 4 Gluten free; 4 Halal; 4 Nut allergy; 4 Vegan; "
        "4 Vegetarian." in flat
    )
    assert "British Sign Language interpreter, please: Amira Khan" in flat
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "60",
            "-singlefile",
            str(pdf),
            str(ARTIFACTS / "register-print"),
        ],
        check=True,
    )


def test_lead_sets_two_sessions_and_the_register_has_a_column_for_each(
    new_page, check_a11y, trainer, lead
):
    verified(lead)
    organisation = dudley()
    # Today's date (London), so both sessions' columns are open whatever the time of day.
    first = timezone.localtime(timezone.now()).replace(hour=0, minute=5, second=0, microsecond=0)
    event = EventFactory(
        course=CourseFactory(title="Working together: two half-days"),
        start=first,
        end=first + timedelta(hours=1),
    )
    event.trainers.add(trainer)
    delegates = [
        BookingFactory(event=event, person=UserFactory(full_name=name, organisation=organisation))
        for name in ("Ann Attender", "Pat Partial")
    ]

    page = new_page()
    page.set_default_timeout(45_000)  # a busy machine (CI shares its cores)
    sign_in_by_code(page, check_a11y, lead.email)
    page.goto(f"/manage/events/{event.pk}/sessions/")
    check_a11y(page)
    # Session 1 was filled in from the event; a second one ends before it starts: refused.
    page.get_by_role("button", name="Add another session").click()
    check_a11y(page)
    page.get_by_label("Date (Date of session 2)").fill(first.strftime("%Y-%m-%d"))
    page.get_by_label("Starts (Start time of session 2)").fill("23:58")
    page.get_by_label("Ends (End time of session 2)").fill("23:00")
    page.get_by_role("button", name="Save the sessions").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    check_a11y(page)
    page.get_by_label("Starts (Start time of session 2)").fill("01:10")
    page.get_by_label("Ends (End time of session 2)").fill("01:40")
    page.get_by_role("button", name="Save the sessions").click()
    expect(page.get_by_text("Sessions saved: 2 sessions.")).to_be_visible()
    check_a11y(page)
    event.refresh_from_db()
    assert event.sessions.count() == 2

    page.get_by_role("link", name="The event's register").click()
    expect(page.get_by_role("columnheader", name=re.compile("Session 2"))).to_be_visible()
    check_a11y(page)
    page.get_by_role("button", name="Mark all attended").click()
    expect(page.get_by_text("Register saved: 2 changes.")).to_be_visible()
    page.get_by_label("Pat Partial at session 2").select_option(label="Absent")
    page.get_by_role("button", name="Save the register").click()
    expect(page.get_by_text("Register saved: 1 change.")).to_be_visible()
    check_a11y(page)
    statuses = [Booking.objects.get(pk=b.pk).status for b in delegates]
    assert statuses == [S.ATTENDED, S.PARTIAL]
    assert SessionAttendance.objects.filter(present=False).count() == 1
    save_screenshot(page, "register-two-sessions")
