"""Cancelling an event withdraws its open offers: none can be taken, none is emailed late."""

import pytest
from django.urls import reverse

from bookings import services, tasks
from bookings.models import Booking
from bookings.services import BookingError
from messaging.models import OutboundEmail

pytestmark = pytest.mark.django_db
S = Booking.Status


@pytest.fixture
def offered(event, make_person, reasons):
    """A full event of 2 and one person waiting, who is offered the place a cancellation frees."""
    booked = [services.booking_create(event=event, person=make_person()) for _ in range(2)]
    waiting = services.booking_create(event=event, person=make_person())
    services.booking_cancel(booking=booked[0], actor=booked[0].person, reason=reasons["capacity"])
    waiting.refresh_from_db()
    assert waiting.status == S.OFFERED
    return waiting


def test_cancelling_the_event_withdraws_its_open_offers(offered, lead):
    services.event_cancel(event=offered.event, actor=lead, reason="Trainer unwell")

    offered.refresh_from_db()
    assert offered.status == S.EXPIRED
    assert offered.log.filter(action="offer_withdrawn", actor=lead).exists()
    assert offered.event.bookings.filter(status__in=Booking.HOLDS_PLACE).count() == 1


def test_an_offer_cannot_be_accepted_after_the_event_is_cancelled(offered, lead):
    token = services.offer_link_token(offered)
    services.event_cancel(event=offered.event, actor=lead, reason="Trainer unwell")

    with pytest.raises(BookingError, match=services.EVENT_CANCELLED):
        services.booking_accept_offer(booking=offered)
    with pytest.raises(services.OfferEventCancelled):
        services.booking_from_offer_token(token, offered.person)
    offered.refresh_from_db()
    assert offered.status == S.EXPIRED


def test_the_offer_link_says_the_event_is_cancelled(client, offered, lead):
    url = reverse("bookings:offer", args=[services.offer_link_token(offered)])
    services.event_cancel(event=offered.event, actor=lead, reason="Trainer unwell")
    client.force_login(offered.person)

    page = client.get(url)
    taken = client.post(url)

    assert page.status_code == 410
    assert services.EVENT_CANCELLED in page.content.decode()
    assert taken.status_code == 410
    offered.refresh_from_db()
    assert offered.status == S.EXPIRED


def test_the_offer_email_not_yet_sent_is_not_sent_the_cancellation_is(offered, lead, mailoutbox):
    services.event_cancel(event=offered.event, actor=lead, reason="Trainer unwell")
    mailoutbox.clear()

    tasks.send_booking_email(offered.pk, "waitlist_offer")
    tasks.send_booking_email(offered.pk, "event_cancelled")

    assert [m.subject for m in mailoutbox] == [f"Event cancelled: {offered.event.course.title}"]
    assert OutboundEmail.objects.get(booking=offered, purpose="event_cancelled").state == "sent"
