"""iCalendar invites: one stable UID per booking, METHOD:CANCEL when it is called off.

icalendar is imported when an invite is built, not with the URLconf (start-up time)."""

from django.conf import settings
from django.utils import timezone

from core.clock import LONDON


def booking_uid(booking) -> str:
    return f"booking-{booking.pk}@learning-loop"


def booking_ics(booking, *, method: str = "REQUEST") -> bytes:
    from icalendar import Calendar
    from icalendar import Event as IcsEvent

    event = booking.event
    cal = Calendar()
    cal.add("prodid", "-//Learning Loop//Training bookings//EN")
    cal.add("version", "2.0")
    cal.add("method", method)
    ics_event = IcsEvent()
    ics_event.add("uid", booking_uid(booking))
    ics_event.add("summary", event.course.title)
    ics_event.add("dtstart", timezone.localtime(event.start, LONDON))
    ics_event.add("dtend", timezone.localtime(event.end, LONDON))
    ics_event.add("dtstamp", timezone.now())
    # Later versions of the same invite must carry a higher sequence to replace the old one.
    ics_event.add("sequence", 1 if method == "CANCEL" else 0)
    ics_event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    location = event.venue or ("Online" if event.joining_link else "")
    if location:
        ics_event.add("location", location)
    description = event.course.summary
    if event.joining_link:
        description += f"\n\nJoin online: {event.joining_link}"
    ics_event.add("description", description)
    ics_event.add("url", f"{settings.SITE_URL}/events/{event.pk}/")
    cal.add_component(ics_event)
    return cal.to_ical()
