"""Calendar invites (iCalendar, RFC 5545, sent by email as iTIP/iMIP, RFC 5546/6047).

One calendar entry per booking, known by the booking's stored UID (`Booking.calendar_uid`):
- METHOD:REQUEST at the event's `calendar_sequence` puts it in the delegate's calendar, and puts
  it there again, changed, when the time, venue or joining link changes (the sequence goes up,
  `services.event_details_change`);
- METHOD:CANCEL at the sequence + 1 (above every REQUEST sent) takes it out: the booking was
  cancelled, moved to another date, handed to a colleague, or the event was cancelled.

The booking page's download and the emails' attachments come from `booking_ics`, so they agree.
Every calendar carries a VTIMEZONE for Europe/London and gives its times in it. Only the
delegate's copy carries one: a line manager's copy is a plain notice.

icalendar is imported when an invite is built, not with the URLconf (start-up time).
"""

from __future__ import annotations

import functools
from calendar import monthrange
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from core.clock import LONDON, TIME_ZONE_NAME

if TYPE_CHECKING:
    from icalendar import Timezone, vCalAddress

    from bookings.models import Booking

REQUEST = "REQUEST"
CANCEL = "CANCEL"

# Statuses whose holder has the entry in their calendar (an offer or a waiting-list place has none).
HAS_ENTRY = ("confirmed", "attended", "partial", "no_show")
# Statuses of a place given up after its invite was sent.
GIVEN_UP = ("cancelled", "substituted", "moved")

# The emails (by purpose, without a "-<n>" suffix) that carry a calendar, and which method.
REQUEST_PURPOSES = ("confirmation", "event_updated")
CANCEL_PURPOSES = ("cancellation", "event_cancelled", "substituted_out", "moved_out")

DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def booking_uid(booking: Booking) -> str:
    return booking.calendar_uid


def current_method(booking: Booking) -> str:
    """REQUEST while the booking holds its entry and the event goes ahead; CANCEL otherwise."""
    if booking.status in HAS_ENTRY and booking.event.status != "cancelled":
        return REQUEST
    return CANCEL


def email_invite(
    booking: Booking, purpose: str, recipient_role: str
) -> tuple[str, bytes, str] | None:
    """The calendar attachment (name, content, MIME type) for this email, or None.

    None for a line manager (a plain notice), for emails that are not about the calendar entry,
    for a REQUEST whose booking no longer holds its place (sent late), and for a CANCEL to
    someone who never had the entry (on a waiting list when the event was cancelled).
    """
    if recipient_role != "delegate":
        return None
    kind = purpose.split("-", 1)[0]
    if kind in REQUEST_PURPOSES:
        if current_method(booking) != REQUEST:
            return None
        method = REQUEST
    elif kind in CANCEL_PURPOSES:
        if booking.status not in (*HAS_ENTRY, *GIVEN_UP):
            return None
        method = CANCEL
    else:
        return None
    return ("invite.ics", booking_ics(booking, method=method), f"text/calendar; method={method}")


def booking_ics(
    booking: Booking, *, method: str | None = None, now: datetime | None = None
) -> bytes:
    """The booking's calendar: `method` REQUEST or CANCEL (by default what the booking is now)."""
    method = method or current_method(booking)
    event = booking.event
    start = timezone.localtime(event.start, LONDON)
    end = timezone.localtime(event.end, LONDON)

    from icalendar import Calendar
    from icalendar import Event as IcsEvent

    cal = Calendar()
    cal.add("prodid", "-//Learning Loop//Training bookings//EN")
    cal.add("version", "2.0")
    cal.add("method", method)
    cal.add_component(london_vtimezone(start.year))

    # An event of several sessions is one entry per session, not one block from the first
    # start to the last end: the first session with an RDATE for each later one (one UID, so a
    # CANCEL or an update covers them all), and an override (RECURRENCE-ID) for a session whose
    # length differs from the first's.
    sessions = [
        (timezone.localtime(s.start, LONDON), timezone.localtime(s.end, LONDON))
        for s in event.sessions.all()
    ]
    if len(sessions) < 2:
        sessions = [(start, end)]
    first_start, first_end = sessions[0]
    # A CANCEL must carry a sequence above every REQUEST sent, or calendars ignore it.
    sequence = event.calendar_sequence + (1 if method == CANCEL else 0)
    stamp = now or timezone.now()
    description = event.course.summary
    if len(sessions) > 1:
        description += "\n\n" + "\n".join(
            f"Session {n}: {s:%A} {s.day} {s:%B %Y}, {s:%H:%M} to {e:%H:%M}"
            for n, (s, e) in enumerate(sessions, 1)
        )
    # The joining link is for those holding a place: not in a cancellation.
    if event.joining_link and method == REQUEST:
        description += f"\n\nJoin online: {event.joining_link}"

    def component(dtstart: datetime, dtend: datetime, recurrence_id: datetime | None = None):
        entry = IcsEvent()
        entry.add("uid", booking_uid(booking))
        entry.add("dtstamp", stamp)
        if recurrence_id is not None:
            entry.add("recurrence-id", recurrence_id)
        entry.add("dtstart", dtstart)
        entry.add("dtend", dtend)
        entry.add("sequence", sequence)
        entry.add("status", "CANCELLED" if method == CANCEL else "CONFIRMED")
        entry.add("summary", event.course.title)
        entry.add("location", event.location_text)
        entry.add("description", description)
        entry.add("url", settings.SITE_URL + reverse("courses:event", args=[event.pk]))
        entry.add("organizer", organizer())
        entry.add("attendee", attendee(booking, method))
        return entry

    master = component(first_start, first_end)
    if len(sessions) > 1:
        master.add("rdate", [s for s, _ in sessions[1:]])
    cal.add_component(master)
    length = first_end - first_start
    for session_start, session_end in sessions[1:]:
        if session_end - session_start != length:
            cal.add_component(component(session_start, session_end, recurrence_id=session_start))
    return cal.to_ical()


def organizer() -> vCalAddress:
    """The L&D mailbox (settings.LEAD_MAILBOX)."""
    from icalendar import vCalAddress

    address = vCalAddress(f"mailto:{parseaddr(settings.LEAD_MAILBOX)[1] or settings.LEAD_MAILBOX}")
    address.params["cn"] = f"{settings.PARTNERSHIP_NAME} Learning and Development"
    return address


def attendee(booking: Booking, method: str) -> vCalAddress:
    """The delegate: a required participant who booked, so no reply is asked for."""
    person = booking.person
    from icalendar import vCalAddress

    address = vCalAddress(f"mailto:{parseaddr(person.email)[1] or person.email}")
    name = person.get_full_name()
    if name:
        address.params["cn"] = name
    address.params["cutype"] = "INDIVIDUAL"
    address.params["role"] = "REQ-PARTICIPANT"
    if method == REQUEST:
        address.params["partstat"] = "ACCEPTED"
    address.params["rsvp"] = "FALSE"
    return address


# --- Europe/London ---------------------------------------------------------------------------


@functools.lru_cache(maxsize=32)
def _clock_changes(year: int) -> tuple[tuple[datetime, timedelta, timedelta, str], ...]:
    """London's clock changes in `year` from zoneinfo: (UTC instant, offset before, offset
    after, name after). London's clocks change on the hour (01:00 UTC)."""
    moment = datetime(year, 1, 1, tzinfo=UTC)
    offset = moment.astimezone(LONDON).utcoffset()
    changes = []
    while moment.year == year:
        moment += timedelta(hours=1)
        local = moment.astimezone(LONDON)
        if local.utcoffset() != offset:
            changes.append((moment, offset, local.utcoffset(), local.tzname()))
            offset = local.utcoffset()
    return tuple(changes)


def _yearly_rule(onset: datetime) -> dict:
    """The RRULE that repeats `onset` (a local date) each year: e.g. the last Sunday of March."""
    last_day = monthrange(onset.year, onset.month)[1]
    nth = -1 if onset.day + 7 > last_day else (onset.day - 1) // 7 + 1
    return {"freq": "yearly", "bymonth": onset.month, "byday": f"{nth}{DAYS[onset.weekday()]}"}


def london_vtimezone(first_year: int) -> Timezone:
    """A VTIMEZONE for Europe/London, from zoneinfo, that covers `first_year` onwards.

    One DAYLIGHT and one STANDARD observance, each a yearly rule (as Outlook and Google write
    them), starting at the clock changes of the year before. Not icalendar's
    `Timezone.from_tzinfo`: it lists each change as an RDATE, which Outlook ignores, and starts
    summer time at 02:00 in the offset before the change (RFC 5545 wants 01:00, the local time
    the clocks change at). tests/bookings/test_calendar.py checks it against zoneinfo.
    """
    from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

    timezone_ = Timezone()
    timezone_.add("tzid", TIME_ZONE_NAME)
    changes = _clock_changes(first_year - 1)
    for instant, before, after, name in changes:
        # An observance starts at the local time of the clock change in the offset before it.
        onset = (instant + before).replace(tzinfo=None)
        part = TimezoneDaylight() if after > before else TimezoneStandard()
        part.add("tzname", name)
        part.add("tzoffsetfrom", before)
        part.add("tzoffsetto", after)
        part.add("dtstart", onset)
        part.add("rrule", _yearly_rule(onset))
        timezone_.add_component(part)
    if not changes:  # no summer time that year: one observance
        offset = datetime(first_year, 1, 1, tzinfo=LONDON)
        part = TimezoneStandard()
        part.add("tzname", offset.tzname())
        part.add("tzoffsetfrom", offset.utcoffset())
        part.add("tzoffsetto", offset.utcoffset())
        part.add("dtstart", datetime(first_year - 1, 1, 1))
        timezone_.add_component(part)
    return timezone_
