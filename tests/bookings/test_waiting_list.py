import re
from datetime import timedelta

import pytest
from django.utils import timezone

from bookings import services
from bookings.models import Booking
from bookings.services import BookingError
from courses.models import Event
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db
S = Booking.Status


@pytest.fixture
def full_event_with_queue(event, make_person):
    booked = [services.booking_create(event=event, person=make_person()) for _ in range(2)]
    waiting = [services.booking_create(event=event, person=make_person()) for _ in range(2)]
    return event, booked, waiting


def test_freed_place_is_offered_to_the_first_in_line_by_email(
    full_event_with_queue, reasons, mailoutbox, django_capture_on_commit_callbacks
):
    event, booked, waiting = full_event_with_queue
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(
            booking=booked[0], actor=booked[0].person, reason=reasons["capacity"]
        )
    first, second = (Booking.objects.get(pk=b.pk) for b in waiting)
    assert first.status == S.OFFERED and second.status == S.WAITLISTED
    assert first.offer_expires_at <= timezone.now() + timedelta(hours=24, seconds=5)
    offer_mails = [m for m in mailoutbox if m.to == [first.person.email]]
    assert len(offer_mails) == 1
    assert "/bookings/offer/" in offer_mails[0].body
    link = re.search(r"https?://\S+/bookings/offer/(\S+)/", offer_mails[0].body).group(1)
    assert services.booking_from_offer_token(link, first.person) == first
    assert link.split(":")[0] == first.offer_key and len(first.offer_key) >= 40  # random, not pk


def test_offer_never_lasts_past_the_event_start(make_person, reasons):
    event = EventFactory(capacity=1, start=timezone.now() + timedelta(hours=5))
    booked = services.booking_create(event=event, person=make_person())
    waiting = services.booking_create(event=event, person=make_person())
    services.booking_cancel(booking=booked, actor=booked.person, reason=reasons["capacity"])
    waiting.refresh_from_db()
    assert waiting.offer_expires_at == event.start


def test_accepting_an_offer_confirms_the_place(full_event_with_queue, reasons):
    event, booked, waiting = full_event_with_queue
    services.booking_cancel(booking=booked[0], actor=booked[0].person, reason=reasons["capacity"])
    accepted = services.booking_accept_offer(booking=Booking.objects.get(pk=waiting[0].pk))
    assert accepted.status == S.CONFIRMED and accepted.confirmed_at is not None
    assert event.bookings.filter(status__in=Booking.HOLDS_PLACE).count() == 2


def test_unanswered_offer_lapses_and_passes_to_the_next(full_event_with_queue, reasons):
    event, booked, waiting = full_event_with_queue
    services.booking_cancel(booking=booked[0], actor=booked[0].person, reason=reasons["capacity"])
    first = Booking.objects.get(pk=waiting[0].pk)
    assert services.offers_expire(now=first.offer_expires_at - timedelta(seconds=1)) == 0
    assert services.offers_expire(now=first.offer_expires_at) == 1
    first.refresh_from_db()
    second = Booking.objects.get(pk=waiting[1].pk)
    assert first.status == S.EXPIRED
    assert second.status == S.OFFERED
    with pytest.raises(BookingError, match=services.OFFER_NOT_OPEN):
        services.booking_accept_offer(booking=first)


def test_offer_cannot_be_accepted_after_it_expired(full_event_with_queue, reasons):
    event, booked, waiting = full_event_with_queue
    services.booking_cancel(booking=booked[0], actor=booked[0].person, reason=reasons["capacity"])
    first = Booking.objects.get(pk=waiting[0].pk)
    with pytest.raises(BookingError, match=services.OFFER_NOT_OPEN):
        services.booking_accept_offer(booking=first, now=first.offer_expires_at)


def test_substitution_hands_the_place_to_a_colleague_and_tells_both(
    event, make_person, mailoutbox, django_capture_on_commit_callbacks
):
    delegate = make_person()
    colleague = make_person(organisation=delegate.organisation)
    booking = services.booking_create(event=event, person=delegate)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        new = services.booking_substitute(booking=booking, colleague=colleague, actor=delegate)
    booking.refresh_from_db()
    assert booking.status == S.SUBSTITUTED and not booking.cancelled_at
    assert new.person == colleague and new.status == S.CONFIRMED and new.substitute_for == booking
    assert sorted(m.to[0] for m in mailoutbox) == sorted([delegate.email, colleague.email])


def test_substitution_only_within_the_same_organisation(event, make_person):
    booking = services.booking_create(event=event, person=make_person())
    with pytest.raises(BookingError, match=services.SUBSTITUTE_SAME_ORG):
        services.booking_substitute(booking=booking, colleague=make_person(), actor=booking.person)
    with pytest.raises(BookingError, match=services.SUBSTITUTE_SELF):
        services.booking_substitute(booking=booking, colleague=booking.person, actor=booking.person)


def test_lead_moves_a_booking_to_another_date_of_the_same_course(event, make_person, lead):
    later = EventFactory(course=event.course, start=event.start + timedelta(days=30))
    other_course = EventFactory()
    booking = services.booking_create(event=event, person=make_person())
    with pytest.raises(BookingError, match=services.MOVE_SAME_COURSE):
        services.booking_move(booking=booking, to_event=other_course, actor=lead)
    moved = services.booking_move(booking=booking, to_event=later, actor=lead)
    booking.refresh_from_db()
    assert booking.status == S.MOVED and moved.event == later and moved.status == S.CONFIRMED


def test_moving_out_frees_the_place_for_the_waiting_list(full_event_with_queue, lead):
    event, booked, waiting = full_event_with_queue
    later = EventFactory(course=event.course, start=event.start + timedelta(days=30))
    services.booking_move(booking=booked[0], to_event=later, actor=lead)
    assert Booking.objects.get(pk=waiting[0].pk).status == S.OFFERED


def test_organiser_cancels_the_event_everyone_is_told_and_bookings_are_kept(
    full_event_with_queue, lead, mailoutbox, django_capture_on_commit_callbacks
):
    event, booked, waiting = full_event_with_queue
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.event_cancel(event=event, actor=lead, reason="Trainer unwell")
    event.refresh_from_db()
    assert event.status == Event.Status.CANCELLED and event.cancellation_reason == "Trainer unwell"
    assert len(mailoutbox) == 4
    assert all("cancelled" in m.subject.lower() for m in mailoutbox)
    assert event.bookings.count() == 4
    with pytest.raises(BookingError, match=services.EVENT_ALREADY_CANCELLED):
        services.event_cancel(event=event, actor=lead, reason="again")
