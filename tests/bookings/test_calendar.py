"""Calendar invites (RFC 5545/5546), each checked by parsing it with icalendar.

VTIMEZONE and London times, ORGANIZER and ATTENDEE, SEQUENCE across changes, METHOD:CANCEL with
the old UID on a move and a hand-over, a plain line-manager copy, and the download matching the
email.
"""

import importlib
import importlib.util
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Timezone

from bookings import calendar as bookings_calendar
from bookings import emails, services, tasks
from bookings.models import Booking
from core.clock import LONDON
from courses.models import Event
from messaging.models import OutboundEmail
from tests.factories import BookingFactory, EventFactory, UserFactory, VenueFactory

pytestmark = pytest.mark.django_db
S = Booking.Status
NEXT_YEAR = timezone.now().year + 1


@pytest.fixture(autouse=True)
def _mailbox(settings):
    settings.LEAD_MAILBOX = "learning@partnership.example.org"
    settings.SITE_URL = "https://training.partnership.example.org"


def invites(message) -> list[Calendar]:
    """Every text/calendar part of a message, parsed."""
    found = []
    for attachment in message.attachments:
        name, content, mimetype = attachment
        if mimetype.startswith("text/calendar"):
            found.append(Calendar.from_ical(content))
    for content, mimetype in getattr(message, "alternatives", []):
        if mimetype.startswith("text/calendar"):
            found.append(Calendar.from_ical(content))
    return found


def invite(message) -> Calendar:
    [calendar] = invites(message)
    return calendar


def sent_to(mailoutbox, address, subject_start=""):
    return [m for m in mailoutbox if m.to == [address] and m.subject.startswith(subject_start)]


def email_for(booking, purpose, role="delegate"):
    booking = Booking.objects.select_related("event__course", "person").get(pk=booking.pk)
    return emails.build_message(booking, purpose, role)


def vevent(calendar: Calendar):
    [entry] = calendar.events
    return entry


# --- the time zone ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("local_start", "utc_start", "zone_name"),
    [
        # Summer time: 10:00 in London is 09:00 UTC.
        (datetime(NEXT_YEAR, 7, 15, 10, 0), datetime(NEXT_YEAR, 7, 15, 9, 0, tzinfo=UTC), "BST"),
        # Winter: 09:30 in London is 09:30 UTC.
        (datetime(NEXT_YEAR, 1, 14, 9, 30), datetime(NEXT_YEAR, 1, 14, 9, 30, tzinfo=UTC), "GMT"),
    ],
)
def test_an_invite_gives_london_times_with_a_london_vtimezone(local_start, utc_start, zone_name):
    event = EventFactory(
        start=local_start.replace(tzinfo=LONDON),
        end=(local_start + timedelta(hours=3)).replace(tzinfo=LONDON),
    )
    calendar = invite(email_for(BookingFactory(event=event), "confirmation"))

    [vtimezone] = calendar.walk("VTIMEZONE")
    assert vtimezone["TZID"] == "Europe/London"
    entry = vevent(calendar)
    for name, local in (("DTSTART", local_start), ("DTEND", local_start + timedelta(hours=3))):
        assert entry[name].params["TZID"] == "Europe/London"
        assert entry[name].dt.replace(tzinfo=None) == local  # the wall-clock time as written
    # Read with the calendar's own VTIMEZONE (not the reader's tz database), it is the right
    # instant, in the right observance.
    own_zone = Timezone.from_ical(vtimezone.to_ical()).to_tz(lookup_tzid=False)
    start_in_own_zone = entry["DTSTART"].dt.replace(tzinfo=own_zone)
    assert start_in_own_zone.astimezone(UTC) == utc_start
    assert start_in_own_zone.tzname() == zone_name
    stamp = local_start.strftime("%Y%m%dT%H%M%S")
    assert f"DTSTART;TZID=Europe/London:{stamp}" in calendar.to_ical().decode()


def _moments_to_check(first_year: int, years: int):
    """Noon of every day, and every half hour of each day the clocks change and its neighbours."""
    day = datetime(first_year, 1, 1, tzinfo=UTC)
    while day.year < first_year + years:
        next_day = day + timedelta(days=1)
        yield day + timedelta(hours=12)
        if day.astimezone(LONDON).utcoffset() != next_day.astimezone(LONDON).utcoffset():
            moment = day - timedelta(days=1)
            while moment < next_day + timedelta(days=1):
                yield moment
                moment += timedelta(minutes=30)
        day = next_day


@pytest.mark.parametrize("first_year", [2026, NEXT_YEAR])
def test_the_vtimezone_agrees_with_zoneinfo_for_years(first_year):
    vtimezone = Timezone.from_ical(bookings_calendar.london_vtimezone(first_year).to_ical())
    own_zone = vtimezone.to_tz(lookup_tzid=False)
    checked = list(_moments_to_check(first_year, 12))
    assert len(checked) > 12 * 365 + 12 * 2 * 3 * 48 - 10  # every change day was found
    wrong = [
        m for m in checked if m.astimezone(own_zone).utcoffset() != m.astimezone(LONDON).utcoffset()
    ]
    assert wrong == []
    # Outlook reads yearly rules, not lists of dates (RDATE).
    assert all("RRULE" in part and "RDATE" not in part for part in vtimezone.subcomponents)
    assert {part.name for part in vtimezone.subcomponents} == {"STANDARD", "DAYLIGHT"}


def test_summer_time_starts_at_one_in_the_morning_in_the_offset_before():
    """RFC 5545: an observance's DTSTART is local time in its TZOFFSETFROM (icalendar's own
    generator writes 02:00 here, an hour late)."""
    vtimezone = bookings_calendar.london_vtimezone(2027)
    [daylight] = vtimezone.walk("DAYLIGHT")
    [standard] = vtimezone.walk("STANDARD")
    assert daylight["DTSTART"].dt == datetime(2026, 3, 29, 1, 0)
    assert standard["DTSTART"].dt == datetime(2026, 10, 25, 2, 0)
    text = vtimezone.to_ical().decode()
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3" in text  # the last Sunday of March
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10" in text


# --- organiser, attendee, UID ----------------------------------------------------------------


def test_request_and_cancel_name_the_lead_mailbox_and_the_delegate(reasons):
    person = UserFactory(full_name="Siobhán O'Neill", email="siobhan@dudley.gov.uk")
    booking = BookingFactory(person=person)
    request = vevent(invite(email_for(booking, "confirmation")))
    services.booking_cancel(booking=booking, actor=person, reason=reasons["capacity"])
    cancel_calendar = invite(email_for(booking, "cancellation"))
    assert cancel_calendar["METHOD"] == "CANCEL"
    cancel = vevent(cancel_calendar)

    for entry in (request, cancel):
        assert entry["ORGANIZER"] == "mailto:learning@partnership.example.org"
        assert "Learning and Development" in entry["ORGANIZER"].params["CN"]
        assert entry["ATTENDEE"] == "mailto:siobhan@dudley.gov.uk"
        assert entry["ATTENDEE"].params["CN"] == "Siobhán O'Neill"
        assert entry["ATTENDEE"].params["ROLE"] == "REQ-PARTICIPANT"
        assert entry["ATTENDEE"].params["RSVP"] == "FALSE"
        assert entry["UID"] == booking.calendar_uid
    assert request["STATUS"] == "CONFIRMED" and cancel["STATUS"] == "CANCELLED"


def _settings_read_with(monkeypatch, **env):
    """config/settings.py run afresh (as a separate module) with these environment variables."""
    for name, value in env.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location(
        "settings_probe", Path(django_settings.BASE_DIR) / "config" / "settings.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_lead_mailbox_defaults_to_the_from_address(monkeypatch):
    probe = _settings_read_with(
        monkeypatch, DEFAULT_FROM_EMAIL="Dudley L&D <ld@dudley.gov.uk>", LEAD_MAILBOX=None
    )
    assert probe.LEAD_MAILBOX == "ld@dudley.gov.uk"
    probe = _settings_read_with(monkeypatch, LEAD_MAILBOX="training.team@dudley.gov.uk")
    assert probe.LEAD_MAILBOX == "training.team@dudley.gov.uk"


def test_each_booking_has_its_own_uid_on_the_sites_domain():
    first, second = BookingFactory(), BookingFactory()
    assert first.calendar_uid != second.calendar_uid
    for booking in (first, second):
        uid = vevent(invite(email_for(booking, "confirmation")))["UID"]
        assert uid == booking.calendar_uid
        assert uid.startswith("booking-")
        assert uid.endswith("@training.partnership.example.org")


def test_the_uid_is_kept_when_the_sites_domain_changes(settings):
    booking = BookingFactory()
    uid = booking.calendar_uid
    settings.SITE_URL = "https://elsewhere.example.net"
    assert vevent(invite(email_for(booking, "confirmation")))["UID"] == uid


def test_bookings_made_before_the_migration_keep_the_uid_their_invites_carried():
    from django.apps import apps

    [path] = (Path(django_settings.BASE_DIR) / "bookings" / "migrations").glob(
        "*_booking_calendar_uid.py"
    )
    migration = importlib.import_module(f"bookings.migrations.{path.stem}")
    bookings = [BookingFactory(), BookingFactory()]
    migration.keep_the_uids_already_sent(apps, None)
    for booking in bookings:
        booking.refresh_from_db()
        assert booking.calendar_uid == f"booking-{booking.pk}@learning-loop"
        assert vevent(invite(email_for(booking, "confirmation")))["UID"] == booking.calendar_uid
    assert BookingFactory().calendar_uid.endswith("@training.partnership.example.org")


# --- SEQUENCE: changes to the event ----------------------------------------------------------


def _outbox(purpose_start):
    return OutboundEmail.objects.filter(purpose__startswith=purpose_start)


def test_each_change_raises_the_sequence_and_sends_holders_an_update(
    mailoutbox, django_capture_on_commit_callbacks
):
    event = EventFactory(venue="Council House", joining_link="")
    booking = BookingFactory(event=event)
    first = vevent(invite(email_for(booking, "confirmation")))
    assert first["SEQUENCE"] == 0

    new_start = event.start + timedelta(days=1)
    event.start, event.end = new_start, new_start + timedelta(hours=3)
    event.save()
    with django_capture_on_commit_callbacks(execute=True):
        told = services.event_details_change(event=event, changed={"start", "end"})
    assert told == 1
    [update] = mailoutbox
    assert update.to == [booking.person.email]
    calendar = invite(update)
    assert calendar["METHOD"] == "REQUEST"
    second = vevent(calendar)
    assert (second["UID"], second["SEQUENCE"]) == (booking.calendar_uid, 1)
    assert second["DTSTART"].dt == new_start

    event.venue = VenueFactory(name="Dudley Library", address="St James's Road")
    event.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.event_details_change(event=event, changed={"venue"}) == 1
    assert len(mailoutbox) == 2  # a second change sends a second update
    third = vevent(invite(mailoutbox[1]))
    assert (third["UID"], third["SEQUENCE"]) == (booking.calendar_uid, 2)
    assert third["LOCATION"] == "Dudley Library, St James's Road"  # Event.location_text
    assert sorted(_outbox("event_updated").values_list("purpose", flat=True)) == [
        "event_updated-1",
        "event_updated-2",
    ]
    event.refresh_from_db()
    assert event.calendar_sequence == 2


def test_a_cancel_carries_a_sequence_above_every_request_sent(reasons):
    event = EventFactory()
    booking = BookingFactory(event=event)
    for _ in range(2):
        services.event_details_change(event=event, changed={"venue"})
    services.booking_cancel(booking=booking, actor=booking.person, reason=reasons["capacity"])
    cancel = vevent(invite(email_for(booking, "cancellation")))
    assert cancel["SEQUENCE"] == 3


def test_only_those_holding_a_place_are_owed_an_update():
    event = EventFactory(capacity=5)
    holders = [BookingFactory(event=event), BookingFactory(event=event)]
    for status in (S.WAITLISTED, S.OFFERED, S.CANCELLED, S.SUBSTITUTED, S.MOVED, S.EXPIRED):
        BookingFactory(event=event, status=status)
    assert services.event_details_change(event=event, changed={"joining_link"}) == 2
    assert sorted(_outbox("event_updated-1").values_list("booking_id", flat=True)) == sorted(
        b.pk for b in holders
    )


@pytest.mark.parametrize(
    "changed", [set(), {"capacity"}, {"joining_instructions", "trainers", "notice_working_days"}]
)
def test_a_change_the_calendar_does_not_show_sends_nothing(changed):
    event = EventFactory()
    BookingFactory(event=event)
    assert services.event_details_change(event=event, changed=changed) == 0
    event.refresh_from_db()
    assert event.calendar_sequence == 0
    assert not _outbox("event_updated").exists()


@pytest.mark.parametrize("status", [Event.Status.CANCELLED, Event.Status.DELIVERED])
def test_a_cancelled_or_delivered_event_sends_no_update(status):
    event = EventFactory(status=status)
    BookingFactory(event=event)
    assert services.event_details_change(event=event, changed={"start"}) == 0
    assert not _outbox("event_updated").exists()


def test_an_event_that_is_over_sends_no_update():
    past = timezone.now() - timedelta(days=2)
    event = EventFactory(start=past, end=past + timedelta(hours=3))
    BookingFactory(event=event)
    assert services.event_details_change(event=event, changed={"venue"}) == 0


def test_the_callers_event_keeps_the_new_sequence_when_saved_again():
    event = EventFactory()
    services.event_details_change(event=event, changed={"venue"})
    event.save()  # e.g. the page saves its form's event again
    event.refresh_from_db()
    assert event.calendar_sequence == 1


def test_an_update_for_a_place_given_up_before_it_went_is_skipped(reasons, mailoutbox):
    event = EventFactory()
    booking = BookingFactory(event=event)
    services.event_details_change(event=event, changed={"start"})
    services.booking_cancel(booking=booking, actor=booking.person, reason=reasons["capacity"])
    mailoutbox.clear()
    assert tasks.send_booking_email(booking.pk, "event_updated-1") is False
    assert mailoutbox == []
    row = OutboundEmail.objects.get(booking=booking, purpose="event_updated-1")
    assert row.state == OutboundEmail.State.SKIPPED


def test_each_holder_has_the_change_in_their_booking_history(lead):
    event = EventFactory()
    booking = BookingFactory(event=event)
    services.event_details_change(event=event, changed={"venue", "capacity"}, actor=lead)
    entry = booking.log.get(action="event_updated")
    assert (entry.actor, entry.note) == (lead, "changed: venue")


def test_the_event_admin_sends_a_new_time_to_everyone_booked(
    client, django_user_model, mailoutbox, django_capture_on_commit_callbacks
):
    from tests.bookings.test_event_capacity import _admin_change_data

    admin_client = client
    admin_client.force_login(
        django_user_model.objects.create_superuser("admin@example.org", "a-long-password")
    )

    start = (timezone.now() + timedelta(days=10)).replace(second=0, microsecond=0)
    event = EventFactory(capacity=3, start=start)
    booked = [BookingFactory(event=event), BookingFactory(event=event)]
    BookingFactory(event=event, status=S.WAITLISTED)
    url = reverse("admin:courses_event_change", args=[event.pk])
    later = timezone.localtime(event.start + timedelta(hours=1), LONDON)
    later_end = timezone.localtime(event.end + timedelta(hours=1), LONDON)
    data = _admin_change_data(event) | {
        "start_0": f"{later:%Y-%m-%d}",
        "start_1": f"{later:%H:%M}",
        "end_0": f"{later_end:%Y-%m-%d}",
        "end_1": f"{later_end:%H:%M}",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, data, follow=True)
    assert response.status_code == 200
    assert "to the 2 delegates with a place" in response.content.decode()
    assert sorted(m.to[0] for m in mailoutbox) == sorted(b.person.email for b in booked)
    for message in mailoutbox:
        entry = vevent(invite(message))
        assert entry["SEQUENCE"] == 1
        assert entry["DTSTART"].dt == later

    # Saving again with only the joining instructions changed sends nothing more.
    mailoutbox.clear()
    event.refresh_from_db()
    data = _admin_change_data(event) | {"joining_instructions": "Bring a pen."}
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(url, data)
    assert mailoutbox == []
    event.refresh_from_db()
    assert event.calendar_sequence == 1


# --- moves and hand-overs --------------------------------------------------------------------


def test_a_move_cancels_the_old_dates_entry_and_invites_to_the_new(
    lead, mailoutbox, django_capture_on_commit_callbacks
):
    old_event = EventFactory()
    new_event = EventFactory(course=old_event.course, start=old_event.start + timedelta(days=7))
    booking = BookingFactory(
        event=old_event, line_manager_email="mo@dudley.gov.uk", line_manager_name="Mo"
    )
    with django_capture_on_commit_callbacks(execute=True):
        new = services.booking_move(booking=booking, to_event=new_event, actor=lead)

    delegate = booking.person.email
    [moved_out] = sent_to(mailoutbox, delegate, "Your place has moved")
    cancel = invite(moved_out)
    assert cancel["METHOD"] == "CANCEL"
    assert vevent(cancel)["UID"] == booking.calendar_uid
    assert vevent(cancel)["DTSTART"].dt == old_event.start
    assert vevent(cancel)["SEQUENCE"] == 1

    [confirmation] = sent_to(mailoutbox, delegate, "Your place is booked")
    request = invite(confirmation)
    assert request["METHOD"] == "REQUEST"
    assert vevent(request)["UID"] == new.calendar_uid != booking.calendar_uid
    assert vevent(request)["DTSTART"].dt == new_event.start

    [manager_copy] = sent_to(mailoutbox, "mo@dudley.gov.uk")
    assert invites(manager_copy) == []


def test_a_hand_over_cancels_the_old_holders_entry_and_invites_the_colleague(
    mailoutbox, django_capture_on_commit_callbacks
):
    booking = BookingFactory()
    colleague = UserFactory(organisation=booking.person.organisation)
    with django_capture_on_commit_callbacks(execute=True):
        new = services.booking_substitute(
            booking=booking, colleague=colleague, actor=booking.person
        )

    [handed_over] = sent_to(mailoutbox, booking.person.email)
    cancel = invite(handed_over)
    assert cancel["METHOD"] == "CANCEL"
    assert vevent(cancel)["UID"] == booking.calendar_uid
    assert vevent(cancel)["ATTENDEE"] == f"mailto:{booking.person.email}"

    [welcome] = sent_to(mailoutbox, colleague.email)
    request = invite(welcome)
    assert request["METHOD"] == "REQUEST"
    assert vevent(request)["UID"] == new.calendar_uid != booking.calendar_uid
    assert vevent(request)["ATTENDEE"] == f"mailto:{colleague.email}"


def test_a_cancellation_leaves_the_joining_link_out():
    event = EventFactory(venue="", joining_link="https://meet.example.org/abc")
    booking = BookingFactory(event=event)
    assert "meet.example.org" in vevent(invite(email_for(booking, "confirmation")))["DESCRIPTION"]
    Booking.objects.filter(pk=booking.pk).update(status=S.SUBSTITUTED)
    cancel = vevent(invite(email_for(booking, "substituted_out")))
    assert "meet.example.org" not in cancel["DESCRIPTION"]


def test_a_cancelled_event_cancels_held_places_only(lead, mailoutbox):
    event = EventFactory(capacity=1)
    held = BookingFactory(event=event)
    waiting = BookingFactory(event=event, status=S.WAITLISTED)
    services.event_cancel(event=event, actor=lead, reason="Trainer unwell")
    cancel = invite(email_for(held, "event_cancelled"))
    assert cancel["METHOD"] == "CANCEL" and vevent(cancel)["SEQUENCE"] == 1
    assert invites(email_for(waiting, "event_cancelled")) == []  # never had an entry


def test_a_confirmation_due_after_the_place_was_given_up_is_not_sent(reasons):
    # Not even without its invite: "Your place is booked" must not follow the cancellation.
    # (tests/messaging/test_outbox_states.py has the outbox's side: the row is skipped.)
    booking = BookingFactory()
    services.booking_cancel(booking=booking, actor=booking.person, reason=reasons["capacity"])
    assert email_for(booking, "confirmation") is None


# --- the line manager's copy -----------------------------------------------------------------


@pytest.mark.parametrize("purpose", ["confirmation", "cancellation"])
def test_the_line_managers_copy_is_a_plain_notice(purpose, reasons):
    booking = BookingFactory(line_manager_email="mo@dudley.gov.uk")
    if purpose == "cancellation":
        services.booking_cancel(booking=booking, actor=booking.person, reason=reasons["capacity"])
    message = email_for(booking, purpose, "line_manager")
    assert message.to == ["mo@dudley.gov.uk"]
    assert message.attachments == []
    assert invites(message) == []
    texts = [message.body] + [content for content, _ in getattr(message, "alternatives", [])]
    for text in texts:
        assert "please cancel" not in text.lower()
        assert "calendar" not in text.lower()
    # The delegate's own copy still has its invite and the request to cancel if they cannot come.
    delegate_copy = email_for(booking, purpose)
    assert len(invites(delegate_copy)) == 1
    if purpose == "confirmation":
        assert "please cancel" in delegate_copy.body


# --- the booking page's download -------------------------------------------------------------


def _comparable(calendar: Calendar) -> bytes:
    for entry in calendar.events:
        entry.pop("DTSTAMP")
    return calendar.to_ical()


@pytest.mark.parametrize("given_up", [False, True])
def test_the_download_is_the_same_calendar_as_the_email(client, practitioner, reasons, given_up):
    event = EventFactory(joining_link="https://meet.example.org/abc")
    booking = BookingFactory(event=event, person=practitioner)
    services.event_details_change(event=event, changed={"venue"})
    purpose = "confirmation"
    if given_up:
        services.booking_cancel(booking=booking, actor=practitioner, reason=reasons["capacity"])
        purpose = "cancellation"
    client.force_login(practitioner)
    response = client.get(reverse("bookings:ics", args=[booking.pk]))
    downloaded = Calendar.from_ical(response.content)
    emailed = invite(email_for(booking, purpose))
    assert downloaded["METHOD"] == ("CANCEL" if given_up else "REQUEST")
    assert _comparable(downloaded) == _comparable(emailed)


# --- an event of several sessions ------------------------------------------------------------


def _two_sessions(second_hours=3):
    """Two half-days a week apart (the second `second_hours` long), 09:30 London time."""
    from courses.services import event_sessions_set

    first = datetime(NEXT_YEAR, 3, 3, 9, 30, tzinfo=LONDON)
    second = first + timedelta(weeks=1)
    event = EventFactory(start=first, end=first + timedelta(hours=3))
    event_sessions_set(
        event,
        [(first, first + timedelta(hours=3)), (second, second + timedelta(hours=second_hours))],
    )
    return event, first, second


def test_two_sessions_are_two_entries_in_the_calendar_not_one_week_long_block():
    event, first, second = _two_sessions()
    calendar = invite(email_for(BookingFactory(event=event), "confirmation"))

    entry = vevent(calendar)  # one component: the second session is an RDATE of the first
    assert entry["DTSTART"].dt == first and entry["DTEND"].dt == first + timedelta(hours=3)
    [rdate] = [entry["RDATE"]] if not isinstance(entry["RDATE"], list) else entry["RDATE"]
    assert [d.dt for d in rdate.dts] == [second]
    assert "Session 2: " in str(entry["DESCRIPTION"])


def test_a_session_of_another_length_gets_its_own_times_under_the_same_uid():
    event, first, second = _two_sessions(second_hours=6)
    booking = BookingFactory(event=event)
    calendar = invite(email_for(booking, "confirmation"))

    master, override = calendar.events
    assert master["UID"] == override["UID"] == bookings_calendar.booking_uid(booking)
    assert override["RECURRENCE-ID"].dt == second
    assert (override["DTSTART"].dt, override["DTEND"].dt) == (second, second + timedelta(hours=6))
    assert master["SEQUENCE"] == override["SEQUENCE"]


def test_the_email_lists_each_session_not_one_span():
    event, first, second = _two_sessions()
    message = email_for(BookingFactory(event=event), "confirmation")

    assert "When: 2 sessions" in message.body
    assert f"- Session 1: {first:%A} {first.day} {first:%B %Y}, 09:30 to 12:30" in message.body
    assert f"- Session 2: {second:%A} {second.day} {second:%B %Y}, 09:30 to 12:30" in message.body


def test_a_cancellation_cancels_every_session_under_the_one_uid():
    event, first, second = _two_sessions(second_hours=6)
    booking = BookingFactory(event=event)
    calendar = Calendar.from_ical(bookings_calendar.booking_ics(booking, method="CANCEL"))

    assert calendar["METHOD"] == "CANCEL"
    assert {str(e["STATUS"]) for e in calendar.events} == {"CANCELLED"}
    assert {str(e["UID"]) for e in calendar.events} == {bookings_calendar.booking_uid(booking)}
