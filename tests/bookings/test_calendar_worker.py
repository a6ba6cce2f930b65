"""The calendar invites as they arrive: sent by a real `qcluster` to a real SMTP server (aiosmtpd),
read back from the raw messages and parsed with icalendar.

A delegate moved to another date gets METHOD:CANCEL for the old UID and a REQUEST for the new;
two changes to the new date reach them at SEQUENCE 1 and 2; their line manager's copy has no
calendar. Marked `worker` (tests/messaging/test_outbox_worker.py has the worker and the server).
"""

from __future__ import annotations

import email
import threading
import time
from datetime import timedelta
from email import policy

import pytest
from django_q.conf import Conf
from icalendar import Calendar

from bookings import services
from messaging.models import OutboundEmail
from tests.factories import BookingFactory, EventFactory, UserFactory, VenueFactory
from tests.messaging import test_outbox_worker as outbox_worker
from tests.messaging.test_outbox_worker import SmtpServer, _free_port, _sweep_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
worker = outbox_worker.worker  # the fixture that starts a qcluster on the test database


class FullInbox:
    """Every message the SMTP server accepted, parsed."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.messages.append(message)
        return "250 OK"


def calendars(message) -> list[Calendar]:
    return [
        Calendar.from_ical(part.get_payload(decode=True))
        for part in message.walk()
        if part.get_content_type() == "text/calendar"
    ]


def _all_sent() -> bool:
    return not OutboundEmail.objects.exclude(state=OutboundEmail.State.SENT).exists()


def test_a_move_and_two_changes_arrive_as_calendars_read_them(worker, monkeypatch):
    monkeypatch.setattr(Conf, "SYNC", False)  # queue for the real worker, not inline
    inbox = FullInbox()
    server = SmtpServer(inbox, _free_port())
    server.start()
    lead = UserFactory(email="lee.lead@dudley.gov.uk")
    old_event = EventFactory()
    new_event = EventFactory(course=old_event.course, start=old_event.start + timedelta(days=7))
    booking = BookingFactory(event=old_event, line_manager_email="mo@dudley.gov.uk")
    try:
        worker(server.port)
        new = services.booking_move(booking=booking, to_event=new_event, actor=lead)
        assert _sweep_until(_all_sent, timeout=90)
        # Each change is sent before the next is made, as a lead's edits a day apart would be.
        for venue in ("Hall B", "Hall C"):
            new_event.venue = VenueFactory(name=venue, address="")
            new_event.save()
            assert services.event_details_change(event=new_event, changed={"venue"}) == 1
            assert _sweep_until(_all_sent, timeout=60)
        time.sleep(1)  # anything late would arrive now
    finally:
        server.stop()

    to_delegate = [m for m in inbox.messages if m["To"] == booking.person.email]
    to_manager = [m for m in inbox.messages if m["To"] == "mo@dudley.gov.uk"]
    assert len(to_manager) == 1 and calendars(to_manager[0]) == []
    assert "please cancel" not in to_manager[0].get_body(("plain",)).get_content().lower()

    seen = []
    for message in to_delegate:
        [calendar] = calendars(message)
        [entry] = calendar.events
        assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Europe/London"
        assert entry["ATTENDEE"] == f"mailto:{booking.person.email}"
        location = str(entry.get("LOCATION", ""))
        seen.append((str(calendar["METHOD"]), str(entry["UID"]), int(entry["SEQUENCE"]), location))
    old_venue, new_venue = old_event.location_text, new_event.location_text
    assert sorted(seen) == sorted(
        [
            ("CANCEL", booking.calendar_uid, 1, old_venue),  # the old date leaves the calendar
            ("REQUEST", new.calendar_uid, 0, "Council House, Priory Road"),
            ("REQUEST", new.calendar_uid, 1, "Hall B"),
            ("REQUEST", new.calendar_uid, 2, new_venue),
        ]
    )
