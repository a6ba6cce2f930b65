"""A backup taken while people are booking restores into a fresh database with every invariant
intact: no event holds more places than it has, nobody holds two places on one event, every
booking has its log entry (one committed state, not half a transaction), and no row points at a
missing row. On SQLite (the online backup API) and on PostgreSQL (pg_dump -Fc / pg_restore)."""

import sqlite3
import threading
import time
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from bookings import services as booking_services
from bookings.models import Booking
from courses.models import PLACE_HOLDING_STATUSES
from privacy import backup
from tests.factories import EventFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
ACTIVE = ("waitlisted", *PLACE_HOLDING_STATUSES)


@pytest.fixture(autouse=True)
def needs_tools():
    if connection.vendor == "postgresql" and backup.pg_tools_missing():
        pytest.skip(f"PostgreSQL client tools missing: {backup.pg_tools_missing()}")


def _in(values) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def invariant_violations(cursor) -> list[str]:
    """Raw SQL on any DB-API cursor, so it checks the restored copy, not Django's database."""
    problems = []
    cursor.execute(
        "SELECT e.id, e.capacity, COUNT(b.id) FROM courses_event e "
        "JOIN bookings_booking b ON b.event_id = e.id "
        f"WHERE b.status IN {_in(PLACE_HOLDING_STATUSES)} "
        "GROUP BY e.id, e.capacity HAVING COUNT(b.id) > e.capacity"
    )
    problems += [f"event {r[0]} overbooked: {r[2]} of {r[1]}" for r in cursor.fetchall()]
    cursor.execute(
        "SELECT event_id, person_id FROM bookings_booking "
        f"WHERE status IN {_in(ACTIVE)} GROUP BY event_id, person_id HAVING COUNT(*) > 1"
    )
    problems += [f"person {r[1]} twice on event {r[0]}" for r in cursor.fetchall()]
    cursor.execute(
        "SELECT b.id FROM bookings_booking b WHERE NOT EXISTS "
        "(SELECT 1 FROM bookings_bookinglog l WHERE l.booking_id = b.id)"
    )
    problems += [f"booking {r[0]} has no log entry" for r in cursor.fetchall()]
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if not field.is_relation or field.related_model is None:
                continue
            target = field.related_model._meta
            target_column = field.target_field.column
            cursor.execute(
                f'SELECT COUNT(*) FROM "{model._meta.db_table}" c '
                f'LEFT JOIN "{target.db_table}" p ON c."{field.column}" = p."{target_column}" '
                f'WHERE c."{field.column}" IS NOT NULL AND p."{target_column}" IS NULL'
            )
            orphans = cursor.fetchone()[0]
            if orphans:
                problems.append(f"{orphans} orphan rows in {model._meta.db_table}.{field.column}")
    return problems


def _book_concurrently(events, people, started: threading.Event):
    errors = []

    def worker(chunk):
        try:
            for person in chunk:
                for event in events:
                    started.set()
                    try:
                        booking_services.booking_create(event=event, person=person)
                    except booking_services.BookingError:
                        pass
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    chunks = [people[i::6] for i in range(6)]
    threads = [threading.Thread(target=worker, args=(c,)) for c in chunks]
    for t in threads:
        t.start()
    return threads, errors


def _setup():
    org = OrganisationFactory(name="Dudley Council")
    start = timezone.now() + timedelta(days=30)
    events = [EventFactory(capacity=5, start=start + timedelta(days=i)) for i in range(3)]
    people = [UserFactory(organisation=org) for _ in range(24)]
    return events, people


def _backup_while_booking(tmp_path):
    events, people = _setup()
    started = threading.Event()
    threads, errors = _book_concurrently(events, people, started)
    started.wait(10)
    while Booking.objects.count() < 5:
        time.sleep(0.01)
    suffix = backup.default_suffix(connection.settings_dict)
    path = backup.backup_database(connection.settings_dict, tmp_path / f"during{suffix}")
    busy = any(t.is_alive() for t in threads)
    for t in threads:
        t.join()
    assert errors == []
    return path, busy, Booking.objects.count()


@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="the SQLite backup API test")
def test_sqlite_backup_taken_while_booking_restores_with_invariants(tmp_path):
    path, busy, final_count = _backup_while_booking(tmp_path)
    assert busy, "the backup should be taken while bookings are still being made"
    fresh = tmp_path / "fresh.sqlite3"
    backup.restore_database({"ENGINE": backup.SQLITE, "NAME": str(fresh)}, path)
    with sqlite3.connect(fresh) as restored:
        cursor = restored.cursor()
        assert invariant_violations(cursor) == []
        restored_count = cursor.execute("SELECT COUNT(*) FROM bookings_booking").fetchone()[0]
    assert 5 <= restored_count <= final_count


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the pg_dump/pg_restore test")
def test_postgres_backup_taken_while_booking_restores_with_invariants(tmp_path):
    import psycopg

    path, busy, final_count = _backup_while_booking(tmp_path)
    assert busy, "the backup should be taken while bookings are still being made"
    fresh = dict(connection.settings_dict, NAME=connection.settings_dict["NAME"] + "_restored")
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{fresh["NAME"]}"')
        cursor.execute(f'CREATE DATABASE "{fresh["NAME"]}"')
    try:
        backup.restore_database(fresh, path)
        params = {k.lower(): fresh[k] for k in ("HOST", "PORT", "USER", "PASSWORD") if fresh[k]}
        with psycopg.connect(dbname=fresh["NAME"], **params) as restored:
            cursor = restored.cursor()
            assert invariant_violations(cursor) == []
            cursor.execute("SELECT COUNT(*) FROM bookings_booking")
            restored_count = cursor.fetchone()[0]
        assert 5 <= restored_count <= final_count
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{fresh["NAME"]}"')


def test_the_commands_round_trip_the_database(tmp_path):
    events, people = _setup()
    booking_services.booking_create(event=events[0], person=people[0])
    path = tmp_path / ("b" + backup.default_suffix(connection.settings_dict))
    call_command("backup", output=str(path))
    booking_services.booking_create(event=events[0], person=people[1])
    assert Booking.objects.count() == 2

    call_command("restore", str(path), interactive=False)

    assert list(Booking.objects.values_list("person_id", flat=True)) == [people[0].pk]
    with connection.cursor() as cursor:
        assert invariant_violations(cursor) == []


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    from django.core.management.base import CommandError

    bogus = tmp_path / "not-a-backup"
    bogus.write_text("hello")
    with pytest.raises(CommandError):
        call_command("restore", str(bogus), interactive=False)
    with pytest.raises(CommandError):
        call_command("restore", str(tmp_path / "missing"), interactive=False)
