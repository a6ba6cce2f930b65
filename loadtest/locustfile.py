"""The booking rush, through the real pages: sign in (allauth form + CSRF), catalogue, event
page, book. Each simulated practitioner arrives at its turn (spread evenly over the plan's
arrival_seconds), does this once for each event in its plan, then stops; when the last one stops
the run ends.

Run by loadtest/run.py (locust headless). Environment:
  LOADTEST_PLAN    JSON written by loadtest.seed.seed_booking_rush (users, events, password)
  LOADTEST_RESULT  where to write every request's name, status and time (JSON)

Each practitioner connects from its own loopback address (127.1.x.y), as real people come from
different addresses: allauth's sign-in rate limit (30 a minute per address) then applies per
person, as it would in production, instead of to the whole test.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import time

import gevent
from locust import HttpUser, between, events, task
from locust.clients import LocustHttpAdapter
from locust.exception import StopUser

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PLAN = json.loads(open(os.environ["LOADTEST_PLAN"], encoding="utf-8").read())
RESULT_PATH = os.environ.get("LOADTEST_RESULT", "loadtest-result.json")
MAX_BUSY_RETRIES = 3

_next_user = itertools.count()
_records: list[dict] = []
_done = {"users": 0, "started": None, "finished": None}
# Practitioner i arrives ARRIVAL_SECONDS * i / N after the first: a steady stream across the
# window rather than whenever locust happens to start a user (it starts replacements for users
# that stop, which made arrivals bunch up). Every user is started within seconds and waits for
# its turn.
ARRIVAL_SECONDS = float(PLAN.get("arrival_seconds", 0))
_first_start: list[float] = []


def source_ip(index: int) -> str:
    """A distinct loopback address per simulated practitioner (127.1.0.1, 127.1.0.2, ...)."""
    return f"127.1.{index // 250}.{index % 250 + 1}"


class SourceAddressAdapter(LocustHttpAdapter):
    def __init__(self, ip: str):
        self.ip = ip
        super().__init__(pool_manager=None)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.ip, 0)
        super().init_poolmanager(*args, **kwargs)


@events.request.add_listener
def _record(request_type, name, response_time, response_length, response, exception, **kw):
    status = getattr(response, "status_code", 0) if response is not None else 0
    _records.append({"name": name, "status": status, "ms": response_time, "ok": exception is None})
    now = time.time()
    if _done["started"] is None:
        _done["started"] = now
    _done["finished"] = now


@events.quitting.add_listener
def _write(environment, **kw):
    with open(RESULT_PATH, "w", encoding="utf-8") as handle:
        json.dump(
            {
                "records": _records,
                "users_done": _done["users"],
                "first_request_at": _done["started"],
                "last_request_at": _done["finished"],
            },
            handle,
        )


def _token(response) -> str:
    match = CSRF.search(response.text or "")
    return match.group(1) if match else ""


class Practitioner(HttpUser):
    wait_time = between(0.2, 1.0)

    def on_start(self):
        self.index = next(_next_user)
        # Locust tops the user count up again when users stop; each planned practitioner runs
        # once, and a replacement beyond the plan does nothing.
        self.surplus = self.index >= len(PLAN["users"])
        self.plan = PLAN["users"][self.index % len(PLAN["users"])]
        self.client.mount("http://", SourceAddressAdapter(source_ip(self.index)))

    def _expect(self, response, *codes: int) -> bool:
        if response.status_code not in codes:
            response.failure(f"status {response.status_code}, expected {codes}")
            return False
        response.success()
        return True

    def sign_in(self) -> bool:
        with self.client.get("/accounts/login/", name="sign-in page", catch_response=True) as r:
            if not self._expect(r, 200):
                return False
            token = _token(r)
        with self.client.post(
            "/accounts/login/",
            data={
                "csrfmiddlewaretoken": token,
                "login": self.plan["email"],
                "password": PLAN["password"],
            },
            headers={"Referer": self.host + "/accounts/login/"},
            allow_redirects=False,
            name="sign in",
            catch_response=True,
        ) as r:
            return self._expect(r, 302)

    def book(self, event_id: int) -> None:
        page = f"/events/{event_id}/"
        with self.client.get(page, name="event page", catch_response=True) as r:
            if not self._expect(r, 200):
                return
            token = _token(r)
        self.wait()
        for _attempt in range(MAX_BUSY_RETRIES + 1):
            with self.client.post(
                f"/bookings/events/{event_id}/book/",
                data={
                    "csrfmiddlewaretoken": token,
                    "line_manager_name": "",
                    "line_manager_email": "",
                    "access_needs": "",
                },
                headers={"Referer": self.host + page},
                allow_redirects=False,
                name="book",
                catch_response=True,
            ) as r:
                if r.status_code == 503:  # "busy, try again": do as the page says
                    r.failure("busy (503)")
                    gevent.sleep(float(r.headers.get("Retry-After", "1")))
                    continue
                if not self._expect(r, 302):
                    return
                break
        with self.client.get(page, name="event page", catch_response=True) as r:
            self._expect(r, 200)

    def wait_for_turn(self) -> None:
        if not _first_start:
            _first_start.append(time.monotonic())
        due = _first_start[0] + ARRIVAL_SECONDS * self.index / len(PLAN["users"])
        gevent.sleep(max(0.0, due - time.monotonic()))

    @task
    def rush(self):
        if self.surplus:
            raise StopUser()
        self.wait_for_turn()
        if self.sign_in():
            with self.client.get("/", name="catalogue", catch_response=True) as r:
                self._expect(r, 200)
            for event_id in self.plan["events"]:
                self.wait()
                self.book(event_id)
        _done["users"] += 1
        if _done["users"] >= len(PLAN["users"]):
            gevent.spawn_later(0.5, self.environment.runner.quit)
        raise StopUser()
