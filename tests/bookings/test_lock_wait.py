"""A booking waits at most BOOKING_LOCK_TIMEOUT_MS for the lock, then the busy page (503)."""

import sqlite3
import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.urls import reverse
from django.utils import timezone

from bookings import services
from bookings.models import Booking
from courses.models import Event
from tests.factories import BookingFactory, EventFactory, UserFactory

S = Booking.Status

sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's database-wide write lock"
)
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row-lock tests need PostgreSQL (make test-postgres runs them)",
)


@pytest.fixture
def _plain_static_storage(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@sqlite_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("_plain_static_storage")
def test_sqlite_write_lock_held_elsewhere_gives_the_busy_page_within_the_timeout(client, settings):
    settings.BOOKING_LOCK_TIMEOUT_MS = 300
    event = EventFactory(capacity=5, start=timezone.now() + timedelta(days=10))
    person = UserFactory()
    client.force_login(person)
    # Another process (the worker, an import) holds SQLite's write lock.
    other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        response = client.post(reverse("bookings:book", args=[event.pk]), {})
        waited = time.monotonic() - started
    finally:
        other.execute("ROLLBACK")
        other.close()

    assert response.status_code == 503
    assert services.BUSY in response.content.decode()
    assert response["Retry-After"] == "5"
    assert waited < 5  # not the connection's 20 s busy timeout
    assert not Booking.objects.filter(event=event).exists()
    # The connection's own busy timeout is back for everything else (the worker's 20 s).
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] == 20000
    # Once the lock is free the same request books.
    again = client.post(reverse("bookings:book", args=[event.pk]), {})
    assert again.status_code == 302
    assert Booking.objects.get(event=event).status == S.CONFIRMED


def _hold_event_lock(event_id, locked, release):
    try:
        with transaction.atomic():
            list(Event.objects.select_for_update().filter(pk=event_id))
            locked.set()
            release.wait(timeout=30)
    finally:
        connections.close_all()


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_capacity_change_waits_for_the_event_lock_then_says_busy(settings):
    settings.BOOKING_LOCK_TIMEOUT_MS = 300
    event = EventFactory(capacity=1, start=timezone.now() + timedelta(days=10))
    BookingFactory(event=event)
    waiting = BookingFactory(event=event, status=S.WAITLISTED)
    locked, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_event_lock, args=(event.pk, locked, release))
    holder.start()
    try:
        assert locked.wait(timeout=30)
        with pytest.raises(services.BookingBusy):
            services.event_capacity_change(event=event, capacity=2)
    finally:
        release.set()
        holder.join(timeout=30)
    event.refresh_from_db()
    assert event.capacity == 1
    services.event_capacity_change(event=event, capacity=2)
    waiting.refresh_from_db()
    assert waiting.status == S.OFFERED


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_newcomers_racing_a_capacity_raise_never_pass_those_already_waiting(settings):
    settings.BOOKING_LOCK_TIMEOUT_MS = 60_000
    event = EventFactory(capacity=1, start=timezone.now() + timedelta(days=10))
    BookingFactory(event=event)
    waiting = [
        BookingFactory(
            event=event, status=S.WAITLISTED, created_at=timezone.now() - timedelta(hours=i + 1)
        )
        for i in range(3)
    ]
    newcomers = [UserFactory() for _ in range(8)]
    barrier = threading.Barrier(len(newcomers) + 1)
    outcomes, errors = [], []

    def run(action):
        try:
            barrier.wait(timeout=30)
            outcomes.append(action())
        except Exception as exc:  # noqa: BLE001 - any error fails the test
            errors.append(repr(exc))
        finally:
            connections.close_all()

    actions = [lambda: services.event_capacity_change(event=event, capacity=5)] + [
        (lambda p=p: services.booking_create(event=event, person=p).status) for p in newcomers
    ]
    threads = [threading.Thread(target=run, args=(a,)) for a in actions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert errors == []
    assert [Booking.objects.get(pk=b.pk).status for b in waiting] == [S.OFFERED] * 3
    assert event.bookings.filter(status__in=Booking.HOLDS_PLACE).count() == 5
    newcomer_statuses = sorted(o for o in outcomes if isinstance(o, str))
    # Only the one place left after the three offers can go to a newcomer, and only one.
    assert newcomer_statuses.count(S.CONFIRMED) <= 1
    assert newcomer_statuses.count(S.CONFIRMED) + newcomer_statuses.count(S.WAITLISTED) == 8
