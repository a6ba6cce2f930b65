"""The lead reorders the waiting list while a place comes free: the event row lock makes the two
happen one after the other, so the offer and the lead's order never disagree."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from bookings import services
from bookings.models import Booking, CancellationReason
from tests.factories import EventFactory, UserFactory

S = Booking.Status

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row-lock race tests need PostgreSQL (make test-postgres runs them)",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def patient_lock(settings):
    settings.BOOKING_LOCK_TIMEOUT_MS = 60_000


def _setup():
    reason = CancellationReason.objects.create(label="Work capacity")
    event = EventFactory(capacity=2, start=timezone.now() + timedelta(days=10))
    booked = [services.booking_create(event=event, person=UserFactory()) for _ in range(2)]
    waiting = [services.booking_create(event=event, person=UserFactory()) for _ in range(3)]
    return reason, event, booked, waiting


def _slow_queue_read_in(monkeypatch, thread_name: str, seconds: float = 0.6):
    """The reorder reads the queue, then dawdles (as a busy server would) before writing."""
    real = services._waiting

    def slow(event):
        queue = list(real(event))
        if threading.current_thread().name == thread_name:
            time.sleep(seconds)
        return queue

    monkeypatch.setattr(services, "_waiting", slow)


def _reorder_while_a_place_frees(lead, reason, booked, second):
    """The lead moves the second in line to the top while a delegate cancels."""
    results = {}

    def reorder():
        try:
            services.waitlist_move(booking=second, up=True, position=2, actor=lead)
            results["reorder"] = "moved"
        except services.BookingError as error:
            results["reorder"] = error.message
        finally:
            connections.close_all()

    def cancel():
        try:
            time.sleep(0.2)  # the reorder has read the queue by now
            services.booking_cancel(booking=booked[0], actor=booked[0].person, reason=reason)
            results["cancel"] = "cancelled"
        except Exception as exc:  # noqa: BLE001 - any error fails the test
            results["cancel"] = repr(exc)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=reorder, name="reorder"),
        threading.Thread(target=cancel, name="cancel"),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_a_reorder_and_a_freed_place_at_once_agree(monkeypatch):
    lead = UserFactory()
    reason, event, booked, waiting = _setup()
    first, second, _third = waiting
    _slow_queue_read_in(monkeypatch, "reorder")
    results = _reorder_while_a_place_frees(lead, reason, booked, second)
    assert results["cancel"] == "cancelled"
    statuses = dict(Booking.objects.filter(event=event).values_list("pk", "status"))
    # The lock made the cancellation wait for the reorder: the place went to the new first.
    assert results["reorder"] == "moved"
    assert statuses[second.pk] == S.OFFERED
    assert statuses[first.pk] == S.WAITLISTED


def test_without_the_lock_the_offer_ignores_the_order_the_lead_was_told_was_kept(monkeypatch):
    """Proves the test above can fail: with the lock off, the reorder reports success while the
    place has gone to the person it moved down."""
    monkeypatch.setattr(services, "LOCKING_ENABLED", False)
    lead = UserFactory()
    reason, event, booked, waiting = _setup()
    first, second, _third = waiting
    _slow_queue_read_in(monkeypatch, "reorder")
    results = _reorder_while_a_place_frees(lead, reason, booked, second)
    statuses = dict(Booking.objects.filter(event=event).values_list("pk", "status"))
    assert results["reorder"] == "moved"
    assert statuses[first.pk] == S.OFFERED and statuses[second.pk] == S.WAITLISTED
