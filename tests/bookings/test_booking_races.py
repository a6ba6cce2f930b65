"""No place is sold twice: real concurrent bookers, each thread on its own connection."""

import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from bookings import services
from bookings.models import Booking
from tests.factories import BookingFactory, EventFactory, UserFactory

S = Booking.Status


def _race(event, people, action):
    """Run action(event, person) for every person at once; return outcomes and errors."""
    barrier = threading.Barrier(len(people))
    outcomes, errors = [], []

    def run(person):
        try:
            barrier.wait(timeout=30)
            outcomes.append(action(event, person))
        except services.BookingError as error:
            outcomes.append(error.message)
        except Exception as exc:  # noqa: BLE001 - any other error is a failure of the test
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return outcomes, errors


def _book(event, person):
    return services.booking_create(event=event, person=person).status


def _setup_last_places(capacity, free, bookers):
    event = EventFactory(capacity=capacity, start=timezone.now() + timedelta(days=10))
    for _ in range(capacity - free):
        BookingFactory(event=event)
    return event, [UserFactory() for _ in range(bookers)]


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row-lock race tests need PostgreSQL (make test-postgres runs them)",
)


@pytest.fixture(autouse=True)
def patient_lock(settings):
    """These tests are about correctness, not latency: on a busy shared machine 50 waiters can
    queue longer than the production 3 s lock timeout, which would (rightly) answer "busy"."""
    settings.BOOKING_LOCK_TIMEOUT_MS = 60_000


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_bookers_get_exactly_the_last_five_places():
    event, people = _setup_last_places(capacity=25, free=5, bookers=50)
    outcomes, errors = _race(event, people, _book)
    assert errors == []
    assert Counter(outcomes) == {S.CONFIRMED: 5, S.WAITLISTED: 45}
    assert event.bookings.filter(status__in=Booking.HOLDS_PLACE).count() == 25
    assert event.bookings.values("person").distinct().count() == event.bookings.count()


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_without_the_lock_the_same_race_overbooks(monkeypatch):
    """Proves the race test can fail: switch the lock off and places are sold twice."""
    monkeypatch.setattr(services, "LOCKING_ENABLED", False)
    event, people = _setup_last_places(capacity=25, free=5, bookers=50)
    real_count = services._places_taken

    def slow_count(e):
        # Widen the gap between counting and inserting, as a busy server would.
        taken = real_count(e)
        threading.Event().wait(0.05)
        return taken

    monkeypatch.setattr(services, "_places_taken", slow_count)
    outcomes, errors = _race(event, people, _book)
    assert errors == []
    assert event.bookings.filter(status__in=Booking.HOLDS_PLACE).count() > 25


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_double_submitted_booking_books_once():
    event = EventFactory(capacity=10)
    person = UserFactory()
    outcomes, errors = _race(event, [person] * 6, _book)
    assert errors == []
    assert outcomes.count(S.CONFIRMED) == 1
    assert outcomes.count(services.ALREADY_BOOKED) == 5
    assert event.bookings.count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_freed_place_goes_to_the_first_in_line_while_newcomers_race_in():
    from bookings.models import CancellationReason

    reason = CancellationReason.objects.create(label="Work capacity")
    event = EventFactory(capacity=3, start=timezone.now() + timedelta(days=10))
    holders = [services.booking_create(event=event, person=UserFactory()) for _ in range(3)]
    first_in_line = services.booking_create(event=event, person=UserFactory())
    newcomers = [UserFactory() for _ in range(20)]

    def act(ev, person):
        if person is None:
            return services.booking_cancel(
                booking=holders[0], actor=holders[0].person, reason=reason
            ).status
        return _book(ev, person)

    outcomes, errors = _race(event, [None, *newcomers], act)
    assert errors == []
    first_in_line.refresh_from_db()
    assert first_in_line.status == S.OFFERED
    assert all(b.status == S.WAITLISTED for b in event.bookings.filter(person__in=newcomers))
    assert event.bookings.filter(status__in=Booking.HOLDS_PLACE).count() == 3


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite variant of the race")
@pytest.mark.django_db(transaction=True)
def test_sqlite_twenty_threads_for_five_places_without_database_is_locked():
    event, people = _setup_last_places(capacity=10, free=5, bookers=20)
    outcomes, errors = _race(event, people, _book)
    assert errors == []  # no "database is locked"
    assert Counter(outcomes) == {S.CONFIRMED: 5, S.WAITLISTED: 15}
    assert event.bookings.filter(status__in=Booking.HOLDS_PLACE).count() == 10


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_booking_that_cannot_get_the_lock_in_time_is_told_busy_not_left_waiting(settings):
    settings.BOOKING_LOCK_TIMEOUT_MS = 200
    event = EventFactory(capacity=5, start=timezone.now() + timedelta(days=10))
    person = UserFactory()
    locked, release = threading.Event(), threading.Event()

    def hold_the_event_row():
        from django.db import transaction

        from courses.models import Event

        try:
            with transaction.atomic():
                Event.objects.select_for_update().get(pk=event.pk)
                locked.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_the_event_row)
    holder.start()
    try:
        assert locked.wait(timeout=30)
        started = time.monotonic()
        with pytest.raises(services.BookingBusy, match=services.BUSY):
            services.booking_create(event=event, person=person)
        assert time.monotonic() - started < 10
    finally:
        release.set()
        holder.join(timeout=30)
    assert not Booking.objects.filter(event=event, person=person).exists()
