from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from bookings import services
from bookings.models import Booking
from bookings.services import BookingError
from core.clock import LONDON
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def _event_on(local_start: datetime):
    return EventFactory(start=local_start, end=local_start + timedelta(hours=3), capacity=5)


def test_cancellation_needs_a_reason_from_the_list(event, make_person, reasons):
    person = make_person()
    booking = services.booking_create(event=event, person=person)
    with pytest.raises(BookingError, match=services.REASON_REQUIRED):
        services.booking_cancel(booking=booking, actor=person, reason=None)
    with pytest.raises(BookingError, match=services.DETAIL_REQUIRED):
        services.booking_cancel(booking=booking, actor=person, reason=reasons["other"], detail=" ")
    cancelled = services.booking_cancel(
        booking=booking, actor=person, reason=reasons["other"], detail="Court date"
    )
    assert cancelled.status == Booking.Status.CANCELLED
    assert cancelled.cancellation_detail == "Court date"


def test_notice_period_boundary_is_three_working_days(make_person, reasons):
    # Event on Thursday 10:00: three working days before is Monday 10:00.
    event = _event_on(datetime(2031, 3, 13, 10, 0, tzinfo=LONDON))
    assert services.cancellation_deadline(event) == datetime(2031, 3, 10, 10, 0, tzinfo=LONDON)
    booked_at = datetime(2031, 2, 1, 9, 0, tzinfo=LONDON)
    on_time = services.booking_create(event=event, person=make_person(), now=booked_at)
    late = services.booking_create(event=event, person=make_person(), now=booked_at)
    services.booking_cancel(
        booking=on_time,
        actor=on_time.person,
        reason=reasons["capacity"],
        now=datetime(2031, 3, 10, 10, 0, tzinfo=LONDON),
    )
    services.booking_cancel(
        booking=late,
        actor=late.person,
        reason=reasons["capacity"],
        now=datetime(2031, 3, 10, 10, 1, tzinfo=LONDON),
    )
    on_time.refresh_from_db()
    late.refresh_from_db()
    assert on_time.cancelled_late is False
    assert late.cancelled_late is True


def test_notice_period_skips_the_weekend_and_crosses_the_clock_change(make_person):
    # Tuesday 1 April 2031 09:30 BST; three working days before is Thursday 27 March 09:30 GMT.
    event = _event_on(datetime(2031, 4, 1, 9, 30, tzinfo=LONDON))
    deadline = services.cancellation_deadline(event)
    assert deadline == datetime(2031, 3, 27, 9, 30, tzinfo=LONDON)
    assert deadline.utcoffset() == timedelta(0)


def test_notice_period_is_configurable_per_event(make_person):
    event = _event_on(datetime(2031, 3, 13, 10, 0, tzinfo=LONDON))
    event.notice_working_days = 5
    assert services.cancellation_deadline(event) == datetime(2031, 3, 6, 10, 0, tzinfo=LONDON)


def test_leaving_the_waiting_list_needs_no_reason(event, make_person):
    for _ in range(2):
        services.booking_create(event=event, person=make_person())
    waiting = services.booking_create(event=event, person=make_person())
    services.booking_cancel(booking=waiting, actor=waiting.person, reason=None)
    waiting.refresh_from_db()
    assert waiting.status == Booking.Status.CANCELLED
    assert waiting.confirmed_at is None  # never held a place: not a cancelled place


@pytest.mark.parametrize("status", ["cancelled", "attended", "no_show", "substituted"])
def test_only_open_bookings_can_be_cancelled(event, make_person, reasons, status):
    booking = services.booking_create(event=event, person=make_person())
    Booking.objects.filter(pk=booking.pk).update(status=status)
    with pytest.raises(BookingError, match=services.CANNOT_CANCEL):
        services.booking_cancel(booking=booking, actor=booking.person, reason=reasons["capacity"])


def test_cannot_cancel_after_the_event_started(make_person, reasons):
    event = EventFactory(start=timezone.now() + timedelta(hours=1))
    booking = services.booking_create(event=event, person=make_person())
    with pytest.raises(BookingError, match=services.CANNOT_CANCEL):
        services.booking_cancel(
            booking=booking,
            actor=booking.person,
            reason=reasons["capacity"],
            now=event.start + timedelta(minutes=1),
        )
