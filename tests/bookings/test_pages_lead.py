"""The L&D lead's pages: book on someone's behalf, move a booking, cancel an event; the admin."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings import services
from bookings.models import Booking, BookingLog, CancellationReason, Enrolment
from courses.models import Course, Event
from messaging.models import OutboundEmail
from tests.factories import BookingFactory, EventFactory, UserFactory

pytestmark = pytest.mark.django_db
S = Booking.Status


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.mark.parametrize("name", ["book_for", "event_cancel"])
def test_lead_pages_are_refused_to_others(client, event, practitioner, trainer, lead, name):
    url = reverse(f"bookings:{name}", args=[event.pk])
    client.force_login(lead)
    assert client.get(url).status_code == 200
    for user in (practitioner, trainer):
        client.force_login(user)
        assert client.get(url).status_code == 403


def test_lead_books_someone_on_their_behalf(client, event, lead, practitioner):
    client.force_login(lead)
    url = reverse("bookings:book_for", args=[event.pk])
    response = client.post(url, {"email": practitioner.email})
    assert response.status_code == 302
    booking = Booking.objects.get(event=event, person=practitioner)
    assert (booking.status, booking.booked_by) == (S.CONFIRMED, lead)


def test_book_for_errors_are_on_the_email_field(client, event, lead, practitioner):
    client.force_login(lead)
    url = reverse("bookings:book_for", args=[event.pk])
    unknown = client.post(url, {"email": "nobody@example.org"})
    assert list(unknown.context["form"].errors) == ["email"]
    assert 'href="#id_email"' in unknown.content.decode()
    BookingFactory(event=event, person=practitioner)
    twice = client.post(url, {"email": practitioner.email})
    assert twice.context["form"].errors["email"] == [
        services.PERSON_ALREADY_BOOKED.format(person=practitioner)
    ]
    assert Booking.objects.filter(event=event, person=practitioner).count() == 1


def test_lead_moves_a_booking_to_another_date_of_the_same_course(client, lead, event):
    booking = BookingFactory(event=event)
    later = EventFactory(course=event.course, start=event.start + timedelta(days=7))
    other_course = EventFactory()
    client.force_login(lead)
    url = reverse("bookings:move", args=[booking.pk])
    page = client.get(url).content.decode()
    assert f'value="{later.pk}"' in page
    assert f'value="{other_course.pk}"' not in page

    wrong = client.post(url, {"to_event": other_course.pk})
    assert list(wrong.context["form"].errors) == ["to_event"]
    client.post(url, {"to_event": later.pk})
    booking.refresh_from_db()
    assert booking.status == S.MOVED
    assert Booking.objects.get(event=later, person=booking.person).status == S.CONFIRMED


def test_move_is_for_the_lead_only(client, practitioner, event):
    booking = BookingFactory(event=event, person=practitioner)
    client.force_login(practitioner)
    assert client.get(reverse("bookings:move", args=[booking.pk])).status_code == 403


def test_lead_cancels_an_event_with_a_reason(client, lead, event):
    booking = BookingFactory(event=event)
    client.force_login(lead)
    url = reverse("bookings:event_cancel", args=[event.pk])
    no_reason = client.post(url, {"reason": "  "})
    assert list(no_reason.context["form"].errors) == ["reason"]
    event.refresh_from_db()
    assert event.status == Event.Status.SCHEDULED

    client.post(url, {"reason": "Trainer unwell"})
    event.refresh_from_db()
    assert (event.status, event.cancellation_reason) == (Event.Status.CANCELLED, "Trainer unwell")
    booking.refresh_from_db()
    assert booking.status == S.CONFIRMED  # kept for the record


def test_busy_event_cancel_gives_503(client, lead, event, monkeypatch):
    def busy(**kwargs):
        raise services.BookingBusy(services.BUSY)

    monkeypatch.setattr(services, "event_cancel", busy)
    client.force_login(lead)
    response = client.post(reverse("bookings:event_cancel", args=[event.pk]), {"reason": "x"})
    assert response.status_code == 503


@pytest.fixture
def admin_client_for_superuser(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_admin_pages_open(admin_client_for_superuser, event):
    booking = BookingFactory(event=event)
    reason = CancellationReason.objects.create(label="Sickness")
    BookingLog.objects.create(booking=booking, at=timezone.now(), action="book", to_status="x")
    OutboundEmail.objects.create(booking=booking, purpose="confirmation")
    course = event.course
    course.delivery_mode = Course.DeliveryMode.ELEARNING
    course.save()
    Enrolment.objects.create(course=course, person=booking.person, enrolled_at=timezone.now())
    client = admin_client_for_superuser
    for url in (
        reverse("admin:bookings_booking_changelist") + "?q=" + booking.person.email,
        reverse("admin:bookings_booking_changelist") + "?status__exact=confirmed",
        reverse("admin:bookings_booking_change", args=[booking.pk]),
        reverse("admin:bookings_cancellationreason_changelist"),
        reverse("admin:bookings_cancellationreason_change", args=[reason.pk]),
        reverse("admin:bookings_enrolment_changelist"),
        reverse("admin:messaging_outboundemail_changelist"),
        reverse("admin:bookings_bookinglog_changelist"),
    ):
        assert client.get(url).status_code == 200, url


def test_admin_log_and_emails_are_read_only(admin_client_for_superuser, event):
    booking = BookingFactory(event=event)
    log = BookingLog.objects.create(booking=booking, at=timezone.now(), action="book")
    client = admin_client_for_superuser
    assert client.get(reverse("admin:bookings_bookinglog_add")).status_code == 403
    assert client.get(reverse("admin:bookings_bookinglog_delete", args=[log.pk])).status_code == 403
    assert client.get(reverse("admin:messaging_outboundemail_add")).status_code == 403
    # The booking's own page shows the log inline without a way to delete entries.
    page = client.get(reverse("admin:bookings_booking_change", args=[booking.pk])).content.decode()
    assert "log-0-DELETE" not in page
    assert "book" in page
