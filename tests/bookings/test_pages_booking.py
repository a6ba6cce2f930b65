"""Booking from the event page: the panel, the form, waiting list, double submit, busy."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings import services
from bookings.models import Booking
from courses.models import Course
from tests.factories import BookingFactory, EventFactory, OrganisationDomainFactory

pytestmark = pytest.mark.django_db
S = Booking.Status


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def book_url(event):
    return reverse("bookings:book", args=[event.pk])


def event_url(event):
    return reverse("courses:event", args=[event.pk])


def test_anonymous_visitor_is_asked_to_sign_in_on_the_event_page(client, event):
    page = client.get(event_url(event)).content.decode()
    assert "Sign in to book a place" in page
    assert book_url(event) not in page


def test_signed_in_person_sees_the_booking_form_posting_to_book(client, practitioner, event):
    client.force_login(practitioner)
    page = client.get(event_url(event)).content.decode()
    assert f'action="{book_url(event)}"' in page
    assert 'name="line_manager_email"' in page
    assert 'name="dietary_needs"' in page  # face to face
    assert "Join the waiting list" not in page


def test_dietary_needs_are_asked_only_for_face_to_face_events(client, practitioner):
    online = EventFactory(course__delivery_mode=Course.DeliveryMode.LIVE_ONLINE)
    client.force_login(practitioner)
    page = client.get(event_url(online)).content.decode()
    assert 'name="access_needs"' in page
    assert 'name="dietary_needs"' not in page


def test_booking_from_the_event_page_confirms_a_place(client, practitioner, event):
    OrganisationDomainFactory(organisation=practitioner.organisation, domain="dudley.gov.uk")
    client.force_login(practitioner)
    response = client.post(
        book_url(event),
        {"line_manager_name": "Mo Manager", "line_manager_email": "mo@dudley.gov.uk"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == event_url(event)
    booking = Booking.objects.get(event=event, person=practitioner)
    assert booking.status == S.CONFIRMED
    assert booking.line_manager_email == "mo@dudley.gov.uk"
    page = response.content.decode()
    assert "Your place is booked" in page
    # The panel now shows the booking and its actions instead of the form.
    assert reverse("bookings:cancel", args=[booking.pk]) in page
    assert reverse("bookings:substitute", args=[booking.pk]) in page
    assert reverse("bookings:ics", args=[booking.pk]) in page
    assert f'action="{book_url(event)}"' not in page


def test_a_full_event_offers_the_waiting_list_and_shows_the_position(client, practitioner, event):
    BookingFactory.create_batch(2, event=event)  # capacity 2
    client.force_login(practitioner)
    assert "Join the waiting list" in client.get(event_url(event)).content.decode()

    response = client.post(book_url(event), {}, follow=True)
    booking = Booking.objects.get(event=event, person=practitioner)
    assert booking.status == S.WAITLISTED
    page = response.content.decode()
    assert "on the waiting list (number 1)" in page
    assert "You are number 1 in the queue" in page


def test_double_submit_books_once_and_says_so(client, practitioner, event):
    client.force_login(practitioner)
    client.post(book_url(event), {})
    response = client.post(book_url(event), {}, follow=True)
    assert Booking.objects.filter(event=event, person=practitioner).count() == 1
    assert services.ALREADY_BOOKED in response.content.decode()


def test_form_errors_name_the_field(client, practitioner, event):
    client.force_login(practitioner)
    response = client.post(book_url(event), {"line_manager_email": "not-an-email"})
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["line_manager_email"]
    page = response.content.decode()
    assert 'href="#id_line_manager_email"' in page
    assert 'id="id_line_manager_email-error"' in page
    assert not Booking.objects.exists()


def test_a_refusal_from_the_service_is_shown_on_the_event_page(client, practitioner):
    started = EventFactory(start=timezone.now() - timedelta(minutes=5))
    client.force_login(practitioner)
    response = client.post(book_url(started), {}, follow=True)
    assert services.EVENT_STARTED in response.content.decode()
    assert not Booking.objects.exists()


def test_busy_lock_gives_a_503_try_again_page(client, practitioner, event, monkeypatch):
    def busy(**kwargs):
        raise services.BookingBusy(services.BUSY)

    monkeypatch.setattr(services, "booking_create", busy)
    client.force_login(practitioner)
    response = client.post(book_url(event), {})
    assert response.status_code == 503
    assert services.BUSY in response.content.decode()
    assert response["Retry-After"]


def test_book_needs_sign_in(client, event):
    response = client.post(book_url(event), {})
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
    assert not Booking.objects.exists()
