"""Who earns a certificate, said the same way everywhere (issue 13.3).

Partial attendance is evaluated (post-course and stage 2 are due) but earns no certificate of
attendance: only a full attendance does. Every page and email that mentions a certificate asks
`certificate_for(booking)` instead of assuming that an evaluated booking has one.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings

from bookings.models import Booking, SessionAttendance

PARTIAL_NO_CERTIFICATE = (
    "You attended part of the course. Your evaluation still counts, but a certificate of "
    "attendance is only given for attending the whole course."
)


@dataclass(frozen=True)
class Certificate:
    earned: bool
    waits_for_post: bool  # the certificate follows the post-course evaluation
    note: str  # why there is none, when there is none


def certificate_for(booking: Booking) -> Certificate:
    """Whether this booking earns a certificate, and what to say when it does not."""
    if booking.status == Booking.Status.ATTENDED:
        return Certificate(True, settings.EVAL_CERTIFICATE_NEEDS_POST, "")
    if booking.status == Booking.Status.PARTIAL:
        return Certificate(False, False, PARTIAL_NO_CERTIFICATE)
    return Certificate(False, False, "")


def certificate_hours(booking: Booking) -> timedelta:
    """The time the certificate counts: the sessions the delegate was present at, on an event of
    several sessions (the whole event's length when none is marked); else the event's length."""
    event = booking.event
    if event.sessions_total is None:
        return event.duration
    marks = list(SessionAttendance.objects.filter(booking=booking).select_related("session"))
    if not marks:
        return event.duration
    return sum((m.session.duration for m in marks if m.present), timedelta())
