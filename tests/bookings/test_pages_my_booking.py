"""A practitioner's own booking: detail, cancel, hand-over, calendar file and certificate."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from icalendar import Calendar

from bookings import services
from bookings.models import Booking, CancellationReason
from tests.factories import BookingFactory, EventFactory, UserFactory

pytestmark = pytest.mark.django_db
S = Booking.Status
# The offer page is reached by a signed link, not the booking id: tests/security/test_links.py.
OWN_BOOKING_PAGES = ["detail", "cancel", "ics", "substitute"]


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def booking(practitioner, event):
    return BookingFactory(event=event, person=practitioner)


@pytest.fixture
def attended(practitioner):
    past = EventFactory(start=timezone.now() - timedelta(days=10), status="delivered")
    return BookingFactory(event=past, person=practitioner, status=S.ATTENDED)


@pytest.mark.parametrize("name", OWN_BOOKING_PAGES)
def test_own_booking_pages_open_for_the_owner(client, practitioner, booking, name):
    client.force_login(practitioner)
    assert client.get(reverse(f"bookings:{name}", args=[booking.pk])).status_code == 200


@pytest.mark.parametrize("name", OWN_BOOKING_PAGES)
def test_someone_elses_booking_is_404(client, booking, make_person, name):
    client.force_login(make_person(organisation=booking.organisation))
    assert client.get(reverse(f"bookings:{name}", args=[booking.pk])).status_code == 404


@pytest.mark.parametrize("name", OWN_BOOKING_PAGES)
def test_a_missing_booking_is_the_same_404(client, practitioner, booking, name):
    client.force_login(practitioner)
    assert client.get(reverse(f"bookings:{name}", args=[booking.pk + 999])).status_code == 404


def test_someone_elses_booking_cannot_be_cancelled_by_post(client, booking, make_person, reasons):
    client.force_login(make_person(organisation=booking.organisation))
    url = reverse("bookings:cancel", args=[booking.pk])
    assert client.post(url, {"reason": reasons["capacity"].pk}).status_code == 404
    booking.refresh_from_db()
    assert booking.status == S.CONFIRMED


def test_certificate_only_for_own_attended_booking(
    settings, client, practitioner, attended, make_person
):
    settings.EVAL_CERTIFICATE_NEEDS_POST = False  # the gate is tested in tests/evaluations
    url = reverse("bookings:certificate", args=[attended.pk])
    client.force_login(make_person())
    assert client.get(url).status_code == 404
    client.force_login(practitioner)
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert escape(practitioner.full_name) in page
    assert attended.event.course.title in page
    assert "Dudley Safeguarding People Partnership" in page
    assert "3 hours" in page
    # Print styles from a file: an inline <style> is blocked by the Content-Security-Policy.
    assert "css/certificate.css" in page
    assert "<style" not in page


@pytest.mark.parametrize("status", [S.PARTIAL, S.NO_SHOW, S.CONFIRMED])
def test_no_certificate_unless_fully_attended(client, practitioner, attended, status):
    Booking.objects.filter(pk=attended.pk).update(status=status)
    client.force_login(practitioner)
    url = reverse("bookings:certificate", args=[attended.pk])
    assert client.get(url).status_code == 404


def test_ics_download_is_a_calendar_attachment(client, practitioner, booking):
    client.force_login(practitioner)
    response = client.get(reverse("bookings:ics", args=[booking.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    assert response["Content-Disposition"].startswith("attachment;")
    calendar = Calendar.from_ical(response.content)
    assert calendar.events[0]["UID"] == booking.calendar_uid


def test_detail_shows_joining_details_only_for_a_booked_place(client, practitioner, make_person):
    event = EventFactory(capacity=1, joining_link="https://meet.example.org/abc")
    mine = BookingFactory(event=event, person=practitioner)
    waiting = BookingFactory(event=event, status=S.WAITLISTED)
    client.force_login(practitioner)
    assert (
        "https://meet.example.org/abc"
        in client.get(reverse("bookings:detail", args=[mine.pk])).content.decode()
    )
    client.force_login(waiting.person)
    page = client.get(reverse("bookings:detail", args=[waiting.pk])).content.decode()
    assert "https://meet.example.org/abc" not in page
    assert "You are number 1 in the queue" in page


def test_cancel_page_lists_active_reasons_as_radios(client, practitioner, booking, reasons):
    CancellationReason.objects.create(label="Retired reason", is_active=False)
    client.force_login(practitioner)
    page = client.get(reverse("bookings:cancel", args=[booking.pk])).content.decode()
    assert 'type="radio"' in page
    assert "Work capacity" in page
    assert "Retired reason" not in page


def test_cancel_within_notice_period_warns_of_a_late_cancellation(client, practitioner, reasons):
    soon = EventFactory(start=timezone.now() + timedelta(hours=20))
    booking = BookingFactory(event=soon, person=practitioner)
    client.force_login(practitioner)
    url = reverse("bookings:cancel", args=[booking.pk])
    page = client.get(url).content.decode()
    assert "You are cancelling within the notice period" in page
    assert "so this will be recorded as a late cancellation" in page
    assert "not a late cancellation" not in page

    response = client.post(url, {"reason": reasons["capacity"].pk}, follow=True)
    booking.refresh_from_db()
    assert booking.status == S.CANCELLED
    assert booking.cancelled_late is True
    assert booking.cancellation_reason == reasons["capacity"]
    assert "It was within the notice period, so it is recorded as a late cancellation" in (
        response.content.decode()
    )


def test_cancel_in_good_time_is_not_late(client, practitioner, booking, reasons):
    client.force_login(practitioner)
    url = reverse("bookings:cancel", args=[booking.pk])
    page = client.get(url).content.decode()
    assert "recorded as a late cancellation" not in page
    assert "within the notice period" not in page  # it is before it
    assert "You are cancelling before the notice period, which begins" in page
    assert "so this is not a late cancellation" in page
    response = client.post(url, {"reason": reasons["capacity"].pk}, follow=True)
    booking.refresh_from_db()
    assert (booking.status, booking.cancelled_late) == (S.CANCELLED, False)
    assert "Your booking is cancelled." in response.content.decode()
    assert "late cancellation" not in response.content.decode()


def test_leaving_the_waiting_list_says_so(client, practitioner, make_person, reasons):
    full = EventFactory(capacity=1, start=timezone.now() + timedelta(days=20))
    BookingFactory(event=full, person=make_person())
    waiting = services.booking_create(event=full, person=practitioner)
    assert waiting.status == S.WAITLISTED
    client.force_login(practitioner)
    url = reverse("bookings:cancel", args=[waiting.pk])

    page = client.get(url).content.decode()
    response = client.post(url, {}, follow=True)

    assert "Why are you leaving the waiting list?" in page
    assert "Leave the waiting list" in page
    for wrong in ("Why are you cancelling?", "Cancel your", "Cancel booking", "late cancellation"):
        assert wrong not in page
    done = response.content.decode()
    assert "You have left the waiting list." in done
    assert "Your booking is cancelled" not in done
    waiting.refresh_from_db()
    assert waiting.status == S.CANCELLED


def test_cancel_errors_name_the_field(client, practitioner, booking, reasons):
    client.force_login(practitioner)
    url = reverse("bookings:cancel", args=[booking.pk])
    no_reason = client.post(url, {})
    assert list(no_reason.context["form"].errors) == ["reason"]
    assert services.REASON_REQUIRED in no_reason.content.decode()
    other_without_detail = client.post(url, {"reason": reasons["other"].pk})
    assert list(other_without_detail.context["form"].errors) == ["detail"]
    assert 'href="#id_detail"' in other_without_detail.content.decode()
    booking.refresh_from_db()
    assert booking.status == S.CONFIRMED


def test_hand_over_to_a_colleague_of_the_same_organisation(
    client, practitioner, booking, make_person
):
    colleague = make_person(organisation=practitioner.organisation, email="col@dudley.gov.uk")
    client.force_login(practitioner)
    url = reverse("bookings:substitute", args=[booking.pk])
    client.post(url, {"colleague": "COL@dudley.gov.uk"})
    booking.refresh_from_db()
    assert booking.status == S.SUBSTITUTED
    assert Booking.objects.get(event=booking.event, person=colleague).status == S.CONFIRMED


def test_hand_over_needs_an_existing_colleague_of_the_same_organisation(
    client, practitioner, booking
):
    UserFactory(email="elsewhere@police.uk")  # another organisation
    client.force_login(practitioner)
    url = reverse("bookings:substitute", args=[booking.pk])
    unknown = client.post(url, {"colleague": "nobody@dudley.gov.uk"})
    assert list(unknown.context["form"].errors) == ["colleague"]
    other_org = client.post(url, {"colleague": "elsewhere@police.uk"})
    assert other_org.context["form"].errors["colleague"] == [services.SUBSTITUTE_SAME_ORG]
    assert 'href="#id_colleague"' in other_org.content.decode()
    booking.refresh_from_db()
    assert booking.status == S.CONFIRMED


def test_taking_an_offered_place(client, practitioner, event):
    booking = BookingFactory(
        event=event,
        person=practitioner,
        status=S.OFFERED,
        offer_expires_at=timezone.now() + timedelta(hours=5),
        offer_key="offer-key-taking",
    )
    client.force_login(practitioner)
    client.post(reverse("bookings:offer", args=[services.offer_link_token(booking)]))
    booking.refresh_from_db()
    assert booking.status == S.CONFIRMED
