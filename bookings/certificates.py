"""Who earns a certificate, said the same way everywhere (issue 13.3).

Partial attendance is evaluated (post-course and stage 2 are due) but earns no certificate of
attendance: only a full attendance does. Every page and email that mentions a certificate asks
`certificate_for(booking)` instead of assuming that an evaluated booking has one.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.formats import date_format

from bookings.models import Booking, SessionAttendance
from core.clock import LONDON

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


# --- What a certificate states (the HTML page, the PDF and the verify page) -----------------

REFERENCE_SALT = "bookings.certificates.reference"
REFERENCE_PREFIX = "LL"


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


def hours_text(duration: timedelta) -> str:
    """'6 hours 30 minutes', '1 hour', '45 minutes'."""
    minutes = int(duration.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    text = f"{hours} hour{'s' if hours != 1 else ''}" if hours else ""
    if minutes:
        text = f"{text} {minutes} minutes".strip()
    return text


def _reference_code(booking_id: int) -> str:
    return salted_hmac(REFERENCE_SALT, str(booking_id)).hexdigest()[:12].upper()


def certificate_reference(booking: Booking) -> str:
    """'LL-1234-9F2C0A7B1E3D': the booking and a code only this site can make (HMAC of the
    SECRET_KEY), so a reference cannot be guessed from another or made up. Changing SECRET_KEY
    changes every reference (printed certificates would no longer verify)."""
    return f"{REFERENCE_PREFIX}-{booking.pk}-{_reference_code(booking.pk)}"


def booking_id_from_reference(reference: str) -> int | None:
    """The booking id a genuine reference names; None for anything else."""
    parts = reference.strip().upper().split("-")
    if len(parts) != 3 or parts[0] != REFERENCE_PREFIX or not parts[1].isdigit():
        return None
    booking_id = int(parts[1])
    if not constant_time_compare(parts[2], _reference_code(booking_id)):
        return None
    return booking_id


def certificate_verify_url(booking: Booking) -> str:
    path = reverse("certificates:verify", args=[certificate_reference(booking)])
    return f"{settings.SITE_URL}{path}"


@dataclass(frozen=True)
class CertificateText:
    """Everything a certificate states, once, for the page and the PDF."""

    partnership: str
    person: str
    organisation: str
    course: str
    date: str  # "Wednesday 15 June 2022"
    times: str  # "09:30 to 16:00"
    hours: str  # "6 hours 30 minutes"
    delivery: str
    level: str
    reference: str
    verify_url: str


def certificate_text(booking: Booking) -> CertificateText:
    event = booking.event
    start = timezone.localtime(event.start, LONDON)
    end = timezone.localtime(event.end, LONDON)
    return CertificateText(
        partnership=settings.PARTNERSHIP_NAME,
        person=booking.person.get_full_name(),
        organisation=str(booking.organisation or ""),
        course=event.course.title,
        date=date_format(start, "l j F Y"),
        times=f"{start:%H:%M} to {end:%H:%M}",
        hours=hours_text(certificate_hours(booking)),
        delivery=event.course.get_delivery_mode_display(),
        level=event.course.get_competency_level_display(),
        reference=certificate_reference(booking),
        verify_url=certificate_verify_url(booking),
    )
