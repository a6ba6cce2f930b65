"""A real `manage.py qcluster` sending to a real SMTP server (aiosmtpd) that goes away and comes
back: every owed email arrives exactly once, and the outage costs nothing. And a worker SIGKILLed
mid-batch loses nothing; the duplicates (at most the emails it held) are counted and reported.

Time is compressed by settings passed to the worker: the back-off runs from 0.25 s to a 2 s cap
(1,800 times faster than 60 s to an hour), so the 12 s outage here stands for six hours. The
test plays the one-minute schedule of the sweeper by queueing its task every second; the
worker runs it. Marked `worker`: part of `make test`, under a minute for both.
"""

from __future__ import annotations

import asyncio
import email
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django_q.conf import Conf
from django_q.tasks import async_task

from messaging import outbox
from messaging.models import OutboundEmail
from tests.factories import BookingFactory

aiosmtpd_controller = pytest.importorskip(
    "aiosmtpd.controller", reason="needs aiosmtpd (the dev extra)"
)

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
BASE_DIR = Path(settings.BASE_DIR)
EMAILS = 24
OUTAGE_SECONDS = 12
KILL_EMAILS = 30
State = OutboundEmail.State


class Inbox:
    """What the SMTP server accepted: one Message-ID per delivered copy."""

    def __init__(self):
        self.message_ids: list[str] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content)
        with self._lock:
            self.message_ids.append(message["Message-ID"])
        return "250 OK"


class SmtpServer:
    def __init__(self, inbox: Inbox, port: int):
        self.inbox, self.port, self.controller = inbox, port, None

    def start(self):
        self.controller = aiosmtpd_controller.Controller(
            self.inbox, hostname="127.0.0.1", port=self.port
        )
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or "postgres"
    auth = f"{user}:{db['PASSWORD']}" if db.get("PASSWORD") else user
    host = f"{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}"
    return f"postgres://{auth}@{host}/{db['NAME']}"


@pytest.fixture
def worker(tmp_path):
    """Start a qcluster on the test database; yields a function that starts it."""
    procs = []

    def start(smtp_port: int, **extra: str) -> subprocess.Popen:
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "EMAIL_TIMEOUT": "5",
            "EMAIL_RETRY_BASE_SECONDS": "0.25",
            "EMAIL_RETRY_MAX_SECONDS": "2",
            "Q_WORKERS": "2",
            "Q_SYNC": "false",
            **extra,
        }
        env.pop("REDIS_URL", None)
        log = (tmp_path / f"qcluster-{len(procs)}.log").open("w")
        proc = subprocess.Popen(
            [sys.executable, "manage.py", "qcluster"],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped with its workers
        )
        procs.append(proc)
        return proc

    yield start
    for proc in procs:  # the test has checked what it needs: no graceful stop to wait for
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)


def _states() -> dict[str, int]:
    counts: dict[str, int] = {}
    for state in OutboundEmail.objects.values_list("state", flat=True):
        counts[state] = counts.get(state, 0) + 1
    return counts


def _sweep_until(done, *, timeout: float) -> bool:
    """Queue the sweeper's task every second (its schedule, compressed) until `done()`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if done():
            return True
        async_task("messaging.tasks.requeue_stuck_emails")
        time.sleep(1)
    return done()


def test_an_smtp_outage_loses_nothing_and_sends_nothing_twice(worker, monkeypatch):
    monkeypatch.setattr(Conf, "SYNC", False)  # queue for the real worker, not inline
    inbox = Inbox()
    server = SmtpServer(inbox, _free_port())
    rows = [
        outbox.outbox_record(booking_id=BookingFactory().pk, purpose="confirmation")
        for _ in range(EMAILS)
    ]
    worker(server.port)  # the SMTP server is down
    for row in rows:
        outbox.outbox_enqueue(row)

    # The outage: every email is tried and fails, and is tried again after its back-off.
    started = time.monotonic()
    tried = lambda: not OutboundEmail.objects.filter(attempts=0).exists()  # noqa: E731
    assert _sweep_until(tried, timeout=30), _states()
    print(f"all tried once after {time.monotonic() - started:.1f} s")
    outage_ends = time.monotonic() + OUTAGE_SECONDS
    _sweep_until(lambda: time.monotonic() > outage_ends, timeout=OUTAGE_SECONDS + 1)
    tries = list(OutboundEmail.objects.values_list("attempts", flat=True))
    print(f"tries per email at the end of the outage: {sorted(tries)}")
    assert min(tries) >= 2, sorted(tries)  # each retried through the outage
    # None sent, none given up (a row may be mid-try at this instant).
    assert set(_states()) <= {State.FAILED, State.SENDING}, _states()
    assert inbox.message_ids == []

    server.start()
    try:
        back = time.monotonic()
        assert _sweep_until(lambda: _states() == {State.SENT: EMAILS}, timeout=30), _states()
        print(f"all sent {time.monotonic() - back:.1f} s after the server came back")
        time.sleep(2)  # anything late would arrive now
    finally:
        server.stop()
    expected = {outbox.message_id(row) for row in rows}
    assert sorted(inbox.message_ids) == sorted(expected)  # each exactly once


class SlowInbox(Inbox):
    """Takes a moment over each email, so a worker can be killed while it holds some."""

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.15)
        return await super().handle_DATA(server, session, envelope)


def test_a_worker_killed_mid_batch_loses_nothing_and_duplicates_are_counted(worker, monkeypatch):
    monkeypatch.setattr(Conf, "SYNC", False)
    inbox = SlowInbox()
    server = SmtpServer(inbox, _free_port())
    server.start()
    fast = {  # a dead worker's claim goes stale after 3 s, an unpicked email after 4 s
        "EMAIL_CLAIM_STALE_SECONDS": "3",
        "EMAIL_PENDING_RESEND_SECONDS": "4",
        "EMAIL_OVERTAKEN_SECONDS": "2",
        "EMAIL_TIMEOUT": "2",
    }
    try:
        rows = [
            outbox.outbox_record(booking_id=BookingFactory().pk, purpose="confirmation")
            for _ in range(KILL_EMAILS)
        ]
        victim = worker(server.port, **fast)
        for row in rows:
            outbox.outbox_enqueue(row)
        deadline = time.monotonic() + 40
        while _states().get(State.SENT, 0) < KILL_EMAILS // 4 and time.monotonic() < deadline:
            time.sleep(0.2)
        os.killpg(victim.pid, signal.SIGKILL)  # mid-batch: some sent, some held, some queued
        victim.wait(timeout=10)
        at_kill = _states()
        print(f"at the kill: {at_kill}")
        assert 0 < at_kill.get(State.SENT, 0) < KILL_EMAILS, at_kill
        worker(server.port, **fast)
        assert _sweep_until(lambda: _states() == {State.SENT: KILL_EMAILS}, timeout=40), _states()
        time.sleep(2)
    finally:
        server.stop()
    received = Counter(inbox.message_ids)
    expected = {outbox.message_id(row) for row in rows}
    assert set(received) == expected  # nothing lost
    duplicates = sum(n - 1 for n in received.values())
    print(f"{KILL_EMAILS} emails, {duplicates} delivered twice (same Message-ID)")
    # At least once to the relay: only an email the killed worker held can arrive twice.
    assert duplicates <= at_kill.get(State.SENDING, 0)
