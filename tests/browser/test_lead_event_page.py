"""The lead runs one event from its own page: reorders the waiting list and makes an offer;
messages the delegates and sees the record. axe on every page, and the keyboard for a reorder."""

import os
import re
from datetime import timedelta

import pytest

from tests.browser.conftest import CHROMIUM, SKIP_REASON

if not os.path.exists(CHROMIUM):
    pytest.skip(SKIP_REASON, allow_module_level=True)
for _module in ("playwright.sync_api", "pytest_playwright", "axe_playwright_python"):
    pytest.importorskip(
        _module, reason="browser tests need the dev dependencies (pip install -e '.[dev]')"
    )

from django.utils import timezone  # noqa: E402
from playwright.sync_api import expect  # noqa: E402

from bookings import services  # noqa: E402
from bookings.models import Booking, EventMessage  # noqa: E402
from messaging.models import OutboundEmail  # noqa: E402
from tests.browser.helpers import (  # noqa: E402
    last_email_to,
    link_in,
    save_screenshot,
    tab_to,
    verified,
)
from tests.browser.test_journeys import catalogue_courses, dudley, sign_in_by_code  # noqa: E402
from tests.factories import EventFactory, OrganisationFactory, UserFactory  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
S = Booking.Status


def _full_event_with_a_waiting_list():
    """Two places, both booked (one delegate with access needs); three waiting, in order."""
    organisation = dudley()
    sandwell = OrganisationFactory(name="Sandwell Council")
    course, _ = catalogue_courses()
    start = timezone.now().replace(microsecond=0) + timedelta(days=20)
    event = EventFactory(course=course, start=start, capacity=2)
    later = EventFactory(course=course, start=start + timedelta(days=14), capacity=10)
    booked = []
    for name, needs in (("Ann Booked", "A hearing loop, please"), ("Bob Booked", "")):
        person = UserFactory(full_name=name, organisation=organisation)
        details = services.BookingDetails(access_needs=needs, dietary_needs="Vegetarian")
        booked.append(services.booking_create(event=event, person=person, details=details))
    waiting = [
        services.booking_create(
            event=event, person=UserFactory(full_name=name, organisation=sandwell)
        )
        for name in ("Wendy First", "Walt Second", "Willa Third")
    ]
    return event, later, booked, waiting


def _open_the_event_page(page, check_a11y, event):
    page.goto(f"/events/{event.pk}/")
    page.get_by_role("link", name=re.compile("Manage this event")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(event.course.title)
    check_a11y(page)


def _waiting_names(page) -> list[str]:
    table = page.get_by_role("table", name="Waiting, in order")
    return [
        table.locator("tbody tr").nth(i).locator("td").nth(1).inner_text()
        for i in range(table.locator("tbody tr").count())
    ]


def test_lead_reorders_the_waiting_list_of_a_full_event_and_makes_an_offer(
    new_page, check_a11y, lead
):
    verified(lead)
    event, later, booked, waiting = _full_event_with_a_waiting_list()
    willa = waiting[2].person
    verified(willa)
    page = new_page()
    sign_in_by_code(page, check_a11y, lead.email)
    _open_the_event_page(page, check_a11y, event)
    delegates = page.get_by_role("table", name=re.compile("2 delegates"))
    expect(delegates).to_contain_text("A hearing loop, please")
    expect(delegates).to_contain_text("Vegetarian")
    assert _waiting_names(page) == ["Wendy First", "Walt Second", "Willa Third"]

    # The event is full: an offer is refused, with the reason.
    page.get_by_role("button", name="Offer now to Willa Third").click()
    expect(
        page.get_by_text("No place is free: all 2 places are booked or offered.")
    ).to_be_visible()
    check_a11y(page)

    # Willa to the top: once by keyboard alone, once by mouse.
    move_up = page.get_by_role("button", name="Move up Willa Third")
    page.get_by_role("heading", name="Waiting list").click()
    tab_to(page, move_up)
    page.keyboard.press("Enter")
    expect(page.get_by_text("Willa Third is now number 2 on the waiting list.")).to_be_visible()
    check_a11y(page)
    page.get_by_role("button", name="Move up Willa Third").click()
    expect(page.get_by_text("Willa Third is now number 1 on the waiting list.")).to_be_visible()
    assert _waiting_names(page) == ["Willa Third", "Wendy First", "Walt Second"]
    check_a11y(page)
    save_screenshot(page, "lead-event-page")

    # A place comes free: Bob moves to the later date, and his place is offered to the new
    # first in line.
    page.get_by_role("checkbox", name="Move Bob Booked").check()
    page.get_by_label("Move them to").select_option(value=str(later.pk))
    page.get_by_role("button", name="Move the chosen delegates").click()
    expect(page.get_by_text("1 delegate moved to")).to_be_visible()
    offered = page.get_by_role("table", name="Offered a place")
    expect(offered).to_contain_text("Willa Third")
    assert _waiting_names(page) == ["Wendy First", "Walt Second"]
    check_a11y(page)
    assert Booking.objects.get(pk=waiting[2].pk).status == S.OFFERED
    assert Booking.objects.get(event=later, person=booked[1].person).status == S.CONFIRMED

    # Willa takes the place from the emailed link.
    willa_page = new_page()
    sign_in_by_code(willa_page, check_a11y, willa.email)
    willa_page.goto(link_in(last_email_to(willa.email, "A place is free"), "/bookings/offer/"))
    check_a11y(willa_page)
    willa_page.get_by_role("button", name=re.compile("Take|Accept|Book")).first.click()
    expect(willa_page.get_by_text("The place is yours.")).to_be_visible()
    assert Booking.objects.get(pk=waiting[2].pk).status == S.CONFIRMED

    # Wendy is taken off the waiting list (after a question), and is emailed.
    page.reload()
    page.get_by_role("link", name="Remove Wendy First from the waiting list").click()
    check_a11y(page)
    page.get_by_role("button", name="Take them off the waiting list").click()
    expect(page.get_by_text("Wendy First is taken off the waiting list.")).to_be_visible()
    assert _waiting_names(page) == ["Walt Second"]
    check_a11y(page)
    assert last_email_to(waiting[0].person.email, "no longer on the waiting list")


def test_lead_messages_the_delegates_and_sees_the_record(new_page, check_a11y, lead):
    verified(lead)
    event, _later, booked, _waiting = _full_event_with_a_waiting_list()
    page = new_page()
    sign_in_by_code(page, check_a11y, lead.email)
    _open_the_event_page(page, check_a11y, event)
    expect(page.get_by_text("No messages sent yet.")).to_be_visible()
    page.get_by_role("link", name="Message everyone booked").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Send a message")
    expect(page.get_by_role("radio", name="Everyone booked (2 people)")).to_be_checked()
    check_a11y(page)

    # Nothing typed: the error summary says what is missing and links to the fields.
    page.get_by_role("button", name="Send the message").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter a subject")
    expect(summary).to_contain_text("Enter the message")
    check_a11y(page)
    summary.get_by_role("link", name="Enter a subject").click()
    expect(page.get_by_label("Subject")).to_be_focused()

    page.get_by_label("Subject").fill("Parking at the Council House")
    page.get_by_label("Message").fill("Please park behind the building.\nThe front is closed.")
    page.get_by_role("button", name="Send the message").click()
    expect(page.get_by_text("Your message is being sent to 2 people.")).to_be_visible()
    check_a11y(page)
    record = page.get_by_role("table", name="Messages sent, newest first")
    expect(record).to_contain_text("Parking at the Council House")
    expect(record).to_contain_text("Everyone booked (2)")
    expect(record).to_contain_text("2 sent, 0 waiting, 0 failed")
    record.get_by_text("Parking at the Council House").click()
    expect(record.get_by_text("The front is closed.")).to_be_visible()

    message = EventMessage.objects.get(event=event)
    assert message.sent_by == lead
    rows = OutboundEmail.objects.filter(purpose=f"event-message-{message.pk}")
    assert sorted(rows.values_list("booking_id", flat=True)) == sorted(b.pk for b in booked)
    for booking in booked:
        email = last_email_to(booking.person.email, "Parking at the Council House")
        assert "Please park behind the building." in email.body
        assert event.course.title in email.body
