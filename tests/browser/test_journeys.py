"""Each user's journey, once, in Debian's chromium: real pages, real emails, axe on every page.

The services have their own thorough tests; these prove that a person can do the job the way
they would: by reading the emails the app really sends and following their links.
"""

import os
import re
from datetime import datetime, time, timedelta

import pytest

from tests.browser.conftest import CHROMIUM, PHONE, SKIP_REASON

if not os.path.exists(CHROMIUM):
    pytest.skip(SKIP_REASON, allow_module_level=True)
for _module in ("playwright.sync_api", "pytest_playwright", "axe_playwright_python"):
    pytest.importorskip(
        _module, reason="browser tests need the dev dependencies (pip install -e '.[dev]')"
    )

from django.utils import timezone  # noqa: E402
from playwright.sync_api import expect  # noqa: E402

from bookings import services as booking_services  # noqa: E402
from bookings.models import Booking, BookingLog, CancellationReason  # noqa: E402
from evaluations import tasks as evaluation_tasks  # noqa: E402
from evaluations.defaults import ensure_default_questionnaires  # noqa: E402
from people.models import User  # noqa: E402
from reports.periods import current_reporting_year  # noqa: E402
from tests.browser.helpers import (  # noqa: E402
    code_in,
    last_email_to,
    link_in,
    save_screenshot,
    tab_to,
    verified,
)
from tests.factories import (  # noqa: E402
    BookingFactory,
    CourseFactory,
    EventFactory,
    OrganisationDomainFactory,
    OrganisationFactory,
    PriorityAreaFactory,
    UserFactory,
)

pytestmark = [
    pytest.mark.browser,
    # Live-server tests commit for real (the live server's thread has its own connection).
    pytest.mark.django_db(transaction=True),
]

S = Booking.Status


# --- shared steps ------------------------------------------------------------------------------


def sign_in_by_code(page, check_a11y, email: str, *, start: str = "/accounts/login/") -> None:
    """Sign in the way people here do: ask for a code, read the email, type the code."""
    if start:
        page.goto(start)
    check_a11y(page)
    page.get_by_label("Work email address").first.fill(email)
    page.get_by_role("button", name="Email me a sign-in code").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("code")
    check_a11y(page)
    page.get_by_label("Code").fill(code_in(last_email_to(email, "code")))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("button", name=re.compile("Sign out"))).to_be_visible()


def catalogue_courses():
    neglect = PriorityAreaFactory(name="Neglect")
    exploitation = PriorityAreaFactory(name="Exploitation")
    neglect_course = CourseFactory(
        title="Neglect: recognising and responding",
        slug="neglect-recognising-and-responding",
        priority_area=neglect,
    )
    other = CourseFactory(
        title="Child exploitation: spotting the signs",
        slug="child-exploitation",
        priority_area=exploitation,
    )
    return neglect_course, other


def dudley():
    organisation = OrganisationFactory(name="Dudley Council")
    OrganisationDomainFactory(organisation=organisation, domain="dudley.gov.uk")
    return organisation


# --- journey 1 ---------------------------------------------------------------------------------


def test_new_practitioner_signs_up_by_code_finds_a_neglect_course_books_it_and_gets_the_ics(
    new_page, check_a11y
):
    organisation = dudley()
    neglect_course, other = catalogue_courses()
    event = EventFactory(course=neglect_course, capacity=10)
    EventFactory(course=other)
    email = "nia.newcomer@dudley.gov.uk"

    page = new_page()
    page.goto("/")
    check_a11y(page)
    page.get_by_role("navigation", name="Main menu").get_by_role(
        "link", name="Create an account"
    ).click()
    check_a11y(page)

    # A bad submit: the error summary is announced and links to the field.
    page.get_by_role("button", name="Create account").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("alert")).to_contain_text("There is a problem")
    check_a11y(page)
    first_error = summary.get_by_role("link").first
    target = first_error.get_attribute("href")
    first_error.click()
    assert page.evaluate("() => location.hash") == target
    field = page.locator(target)
    expect(field).to_be_in_viewport()
    assert page.evaluate("(id) => document.getElementById(id).labels.length", target.lstrip("#")), (
        f"{target} has no label"
    )
    assert "govuk-input--error" in (field.get_attribute("class") or "")
    assert target.lstrip("#") + "-error" in (field.get_attribute("aria-describedby") or "")

    page.get_by_label("Full name").fill("Nia Newcomer")
    page.get_by_label("Work email address").fill(email)
    page.get_by_label("Job title").fill("Family support worker")
    # The organisation is left on "Match it from my work email address".
    expect(page.get_by_label("Organisation", exact=True)).to_have_value("")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your email address")
    # Offered the organisation that the email domain belongs to.
    expect(page.get_by_text("We matched your email address to Dudley Council")).to_be_visible()
    check_a11y(page)
    page.get_by_label("Code").fill(code_in(last_email_to(email, "")))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("You have confirmed nia.newcomer@dudley.gov.uk")).to_be_visible()
    check_a11y(page)
    assert User.objects.get(email=email).organisation == organisation

    # Find the Neglect course by filtering the catalogue.
    page.get_by_label("Priority area").select_option(label="Neglect")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("heading", name=re.compile("your filters"))).to_contain_text(
        "1 upcoming event"
    )
    expect(page.get_by_role("link", name=re.compile("Child exploitation"))).to_have_count(0)
    check_a11y(page)
    page.get_by_role("link", name=re.compile(r"^Neglect: recognising and responding")).click()
    check_a11y(page)

    page.get_by_label("Your line manager's name (optional)").fill("Mo Manager")
    page.get_by_label("Your line manager's email address (optional)").fill("mo@dudley.gov.uk")
    page.get_by_role("button", name="Book a place").click()
    expect(page.get_by_text("Your place is booked")).to_be_visible()
    check_a11y(page)
    assert last_email_to(email, "Your place is booked")
    assert Booking.objects.get(event=event, person__email=email).status == S.CONFIRMED

    page.get_by_role("link", name="My training").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My training")
    expect(
        page.get_by_role("link", name="Neglect: recognising and responding", exact=True)
    ).to_be_visible()
    check_a11y(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("Add to calendar")).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".ics")
    ics = open(download.path(), encoding="utf-8").read()
    assert "BEGIN:VCALENDAR" in ics and "Neglect: recognising and responding" in ics
    save_screenshot(page, "journey1-my-training")


# --- journey 2 ---------------------------------------------------------------------------------


def test_full_event_waiting_list_offer_follows_a_cancellation(new_page, check_a11y):
    organisation = dudley()
    course, _ = catalogue_courses()
    event = EventFactory(course=course, capacity=1)
    CancellationReason.objects.create(label="Work pressures", use="both", order=1)
    first = verified(UserFactory(email="fran.first@dudley.gov.uk", organisation=organisation))
    second = verified(UserFactory(email="sid.second@dudley.gov.uk", organisation=organisation))
    booking_services.booking_create(event=event, person=first)

    sid = new_page()
    sign_in_by_code(sid, check_a11y, second.email)
    sid.goto(f"/events/{event.pk}/")
    check_a11y(sid)
    expect(sid.get_by_role("heading", name="Join the waiting list")).to_be_visible()
    sid.get_by_role("button", name="Join the waiting list").click()
    expect(sid.get_by_text("you are on the waiting list (number 1)")).to_be_visible()
    check_a11y(sid)
    assert last_email_to(second.email, "You are on the waiting list")

    fran = new_page()
    sign_in_by_code(fran, check_a11y, first.email)
    fran.get_by_role("link", name="My training").click()
    check_a11y(fran)
    fran.get_by_role("link", name=course.title, exact=True).click()
    check_a11y(fran)
    fran.get_by_role("link", name="Cancel", exact=True).click()
    check_a11y(fran)
    fran.get_by_label("Work pressures").check()
    fran.get_by_label("Tell us more").fill("Court hearing moved to that day")
    fran.get_by_role("button", name="Cancel booking").click()
    expect(fran.get_by_text("Your booking is cancelled.")).to_be_visible()
    check_a11y(fran)
    cancelled = Booking.objects.get(event=event, person=first)
    assert cancelled.status == S.CANCELLED
    assert str(cancelled.cancellation_reason) == "Work pressures"

    offer = last_email_to(second.email, "A place is free for you")
    sid.goto(link_in(offer, "/offer/"))
    check_a11y(sid)
    sid.get_by_role("button", name="Take the place").click()
    expect(sid.get_by_text("The place is yours")).to_be_visible()
    check_a11y(sid)
    expect(sid.locator("#booked").locator("xpath=following-sibling::ul[1]")).to_contain_text(
        course.title
    )
    assert Booking.objects.get(event=event, person=second).status == S.CONFIRMED
    save_screenshot(sid, "journey2-offer-taken")


# --- journey 3 ---------------------------------------------------------------------------------


def test_trainer_takes_the_register_on_a_phone_and_the_lead_corrects_a_mark(
    new_page, check_a11y, trainer, lead
):
    verified(trainer)
    verified(lead)
    organisation = dudley()
    course, _ = catalogue_courses()
    event = EventFactory(
        course=course, start=timezone.now().replace(microsecond=0) - timedelta(hours=1)
    )
    event.trainers.add(trainer)
    CancellationReason.objects.create(label="Illness", use="both", order=1)
    ann = BookingFactory(
        event=event, person=UserFactory(full_name="Ann Attender", organisation=organisation)
    )
    ben = BookingFactory(
        event=event, person=UserFactory(full_name="Ben Absent", organisation=organisation)
    )

    phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=3)
    sign_in_by_code(phone, check_a11y, trainer.email)
    phone.get_by_role("link", name="Registers").click()
    check_a11y(phone)
    phone.get_by_role("link", name=re.compile(re.escape(course.title) + " register")).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text(course.title)
    check_a11y(phone)
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]

    phone.get_by_role("radio", name="Attended (Ann Attender)", exact=True).check()
    phone.get_by_role("radio", name="Did not attend (Ben Absent)", exact=True).check()
    phone.get_by_label("If they did not attend, the reason for Ben Absent").select_option(
        label="Illness"
    )
    phone.get_by_role("button", name="Save the register").click()
    expect(phone.get_by_text("Register saved: 2 changes.")).to_be_visible()
    check_a11y(phone)

    walk_in = phone.locator("form", has=phone.get_by_role("button", name="Add to the register"))
    walk_in.get_by_label("Email address").fill("wally.walkin@dudley.gov.uk")
    walk_in.get_by_label("Full name").fill("Wally Walkin")
    walk_in.get_by_label("Organisation").select_option(label="Dudley Council")
    walk_in.get_by_label("Attended", exact=True).check()
    phone.get_by_role("button", name="Add to the register").click()
    expect(phone.get_by_text("is added to the register")).to_be_visible()
    check_a11y(phone)
    # The change history table fits the phone too.
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    assert Booking.objects.get(event=event, person__email="wally.walkin@dudley.gov.uk").status == (
        S.ATTENDED
    )
    ann.refresh_from_db()
    ben.refresh_from_db()
    assert (ann.status, ben.status, ben.non_attendance_reason.label) == (
        S.ATTENDED,
        S.NO_SHOW,
        "Illness",
    )

    # Ben came after all (he signed the paper register): the L&D lead corrects the mark.
    desk = new_page()
    sign_in_by_code(desk, check_a11y, lead.email)
    desk.get_by_role("link", name="Registers").click()
    check_a11y(desk)
    desk.get_by_role("link", name=re.compile(re.escape(course.title) + " register")).click()
    check_a11y(desk)
    desk.get_by_role("radio", name="Partially attended (Ben Absent)", exact=True).check()
    desk.get_by_role("button", name="Save the register").click()
    expect(desk.get_by_text("Register saved: 1 change.")).to_be_visible()
    check_a11y(desk)
    history = desk.locator("table", has=desk.get_by_text("Who changed what"))
    row = history.locator("tbody tr").first
    expect(row).to_contain_text("Ben Absent")
    expect(row).to_contain_text(str(lead))
    ben.refresh_from_db()
    assert ben.status == S.PARTIAL
    log = BookingLog.objects.filter(booking=ben).latest("at")
    assert (log.actor, log.from_status, log.to_status) == (lead, S.NO_SHOW, S.PARTIAL)
    save_screenshot(desk, "journey3-register-corrected")
    save_screenshot(phone, "journey3-register-phone")


# --- journey 4 ---------------------------------------------------------------------------------


def test_attended_delegate_answers_the_emailed_evaluation_without_signing_in(new_page, check_a11y):
    organisation = dudley()
    course, _ = catalogue_courses()
    ensure_default_questionnaires()
    start = timezone.now().replace(microsecond=0) - timedelta(days=1)
    event = EventFactory(course=course, start=start, status="delivered")
    delegate = verified(
        UserFactory(
            email="dee.delegate@dudley.gov.uk", full_name="Dee Delegate", organisation=organisation
        )
    )
    booking = BookingFactory(event=event, person=delegate, status=S.ATTENDED)

    # The scheduled task finds the attended booking and emails the post-course questionnaire.
    assert evaluation_tasks.invite_due() >= 1
    invitation_email = last_email_to(delegate.email, "How was")
    link = link_in(invitation_email, "/evaluations/r/")

    # Signed in on their work computer, the certificate is not ready yet.
    desk = new_page()
    sign_in_by_code(desk, check_a11y, delegate.email)
    desk.get_by_role("link", name="My training").click()
    check_a11y(desk)
    expect(desk.get_by_role("link", name=re.compile("^Certificate"))).to_have_count(0)
    desk.goto(f"/bookings/{booking.pk}/certificate/")
    expect(desk.get_by_role("heading", level=1)).to_have_text("Your certificate is nearly ready")
    check_a11y(desk)

    # The email's link opens the questionnaire without signing in (e.g. on a phone).
    page = new_page()
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("After the course")
    expect(page.locator(".govuk-caption-l")).to_contain_text(course.title)
    check_a11y(page)
    for fieldset in page.locator("fieldset").all():
        if fieldset.locator("input[type=radio]").count():
            fieldset.locator("input[type=radio]").nth(3).check()
    for textarea in page.locator("textarea").all():
        textarea.fill("Ask about neglect earlier, and use the graded care profile.")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    check_a11y(page)

    # The certificate is now there.
    desk.get_by_role("link", name="Back to My training").click()
    check_a11y(desk)
    desk.get_by_role("link", name=re.compile("^Certificate")).click()
    expect(desk.get_by_text("Dee Delegate").first).to_be_visible()
    check_a11y(desk)
    assert desk.url.endswith(f"/bookings/{booking.pk}/certificate/")

    # The same link again says it is already answered; a tampered one gets a friendly page.
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Already answered")
    check_a11y(page)
    tampered = link.rstrip("/")[:-3] + ("xyz" if not link.rstrip("/").endswith("xyz") else "abc")
    response = page.goto(tampered + "/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("This link is not working")
    check_a11y(page)
    save_screenshot(page, "journey4-link-not-working")
    save_screenshot(desk, "journey4-certificate")


# --- journey 5 ---------------------------------------------------------------------------------


def test_lead_filters_the_uptake_report_and_downloads_csv_xlsx_and_the_annual_docx(
    new_page, check_a11y, lead
):
    import csv
    import io

    import docx
    import openpyxl

    verified(lead)
    organisation = dudley()
    neglect_course, exploitation_course = catalogue_courses()
    # Both events ran earlier in the current reporting year (1 April to 31 March).
    year_start = timezone.make_aware(datetime.combine(current_reporting_year()[0], time(0, 1)))
    ran = max(timezone.now().replace(microsecond=0) - timedelta(hours=4), year_start)
    neglect = EventFactory(course=neglect_course, start=ran, capacity=10, status="delivered")
    exploitation = EventFactory(course=exploitation_course, start=ran, status="delivered")
    for status in (S.ATTENDED, S.ATTENDED, S.ATTENDED, S.NO_SHOW, S.CANCELLED):
        BookingFactory(event=neglect, person=UserFactory(organisation=organisation), status=status)
    for _ in range(2):
        BookingFactory(event=exploitation, person=UserFactory(organisation=organisation))
        Booking.objects.filter(event=exploitation).update(status=S.ATTENDED)

    page = new_page()
    sign_in_by_code(page, check_a11y, lead.email)
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Reports").click()
    check_a11y(page)
    page.get_by_role("link", name="Training uptake and impact").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Training uptake")
    check_a11y(page)

    page.get_by_text("Filters", exact=True).click()
    page.get_by_role("combobox", name="Priority area").select_option(label="Neglect")
    page.get_by_role("button", name="Show the report").click()
    expect(page.get_by_text("Priority area: Neglect")).to_be_visible()
    check_a11y(page)
    charts = page.locator("figure.app-chart img")
    assert charts.count() >= 1
    for chart in charts.all():
        expect(chart).to_be_visible()
        assert chart.get_attribute("alt"), "a chart without a text alternative"
        assert chart.evaluate("img => img.complete && img.naturalWidth > 0"), "chart not drawn"
    by_priority = page.locator(
        "section", has=page.get_by_role("heading", name=re.compile("^Uptake by priority area"))
    )
    expect(by_priority.locator("tbody")).to_contain_text("Neglect")
    expect(by_priority.locator("tbody")).not_to_contain_text("Exploitation")

    with page.expect_download() as csv_download:
        by_priority.get_by_role("link", name=re.compile("Download this table as CSV")).click()
    with open(csv_download.value.path(), encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    neglect_row = next(r for r in rows if r["Priority area"] == "Neglect")
    assert (neglect_row["Attended"], neglect_row["Did not attend"]) == ("3", "1")
    assert all(r["Priority area"] != "Exploitation" for r in rows)

    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name=re.compile("spreadsheet \\(XLSX\\)")).click()
    with open(xlsx_download.value.path(), "rb") as f:
        workbook = openpyxl.load_workbook(io.BytesIO(f.read()), read_only=True)
    sheet = next(ws for ws in workbook.worksheets if ws.title.startswith("Uptake by priority"))
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = next(r for r in values if r and r[0] == "Priority area")
    row = next(r for r in values if r and r[0] == "Neglect")
    assert int(row[header.index("Attended")]) == 3

    page.get_by_role("link", name="Reports", exact=True).first.click()
    check_a11y(page)
    page.get_by_role("link", name=re.compile("^Annual report")).click()
    check_a11y(page)
    with page.expect_download() as docx_download:
        page.get_by_role("link", name=re.compile("Word document")).click()
    assert docx_download.value.suggested_filename.endswith(".docx")
    document = docx.Document(docx_download.value.path())
    text = "\n".join(p.text for p in document.paragraphs)
    assert "training" in text.lower() and len(document.paragraphs) > 3
    save_screenshot(page, "journey5-annual-report")


# --- keyboard only -----------------------------------------------------------------------------


def test_keyboard_only_sign_in_search_filter_and_book(new_page, check_a11y, practitioner):
    """Journey 1's search, filter and booking with Tab, Enter, Space and typing: no mouse."""
    verified(practitioner)
    # The line manager's address must be a partner's (issue 12.4): Dudley Council's domain.
    OrganisationDomainFactory(organisation=practitioner.organisation, domain="dudley.gov.uk")
    neglect_course, other = catalogue_courses()
    event = EventFactory(course=neglect_course)
    EventFactory(course=other)
    EventFactory(course=CourseFactory(title="Neglect in adults", priority_area=other.priority_area))

    page = new_page()
    page.goto("/accounts/login/")
    check_a11y(page)
    # The skip link is the first stop and takes the focus past the navigation.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent") == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("() => location.hash") == "#main-content"
    tab_to(page, page.get_by_label("Work email address").first)
    page.keyboard.type(practitioner.email)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your sign-in code")
    check_a11y(page)
    tab_to(page, page.get_by_label("Code"))
    page.keyboard.type(code_in(last_email_to(practitioner.email, "code")))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Find training")
    check_a11y(page)

    tab_to(page, page.get_by_label("Search"))
    page.keyboard.type("neglect")
    tab_to(page, page.get_by_label("Priority area"))
    page.keyboard.type("Neg")  # a focused select picks the option typed
    expect(page.get_by_label("Priority area")).to_have_value(str(neglect_course.priority_area_id))
    tab_to(page, page.get_by_role("button", name="Apply filters"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=re.compile("your filters"))).to_contain_text(
        "1 upcoming event"
    )
    check_a11y(page)

    tab_to(page, page.get_by_role("link", name=re.compile(r"^Neglect: recognising and responding")))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(neglect_course.title)
    check_a11y(page)
    tab_to(page, page.get_by_label("Your line manager's name (optional)"))
    page.keyboard.type("Mo Manager")
    page.keyboard.press("Tab")
    page.keyboard.type("mo@dudley.gov.uk")
    tab_to(page, page.get_by_role("button", name="Book a place"))
    page.keyboard.press("Space")
    expect(page.get_by_text("Your place is booked")).to_be_visible()
    check_a11y(page)
    booking = Booking.objects.get(event=event, person=practitioner)
    assert (booking.status, booking.line_manager_email) == (S.CONFIRMED, "mo@dudley.gov.uk")

    tab_to(page, page.get_by_role("link", name="View your booking"))
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/bookings/{booking.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(neglect_course.title)
    check_a11y(page)
    save_screenshot(page, "keyboard-booking")
