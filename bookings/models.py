"""A place's life: booked, waiting, offered, cancelled, substituted, attended or not.

Models hold data and constraints only; every change goes through bookings.services.
"""

import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from courses.models import PLACE_HOLDING_STATUSES


class CancellationReason(models.Model):
    """The list of cancellation / non-attendance reasons the L&D lead keeps."""

    class Use(models.TextChoices):
        CANCELLATION = "cancellation", "Cancellation"
        NON_ATTENDANCE = "non_attendance", "Non-attendance"
        BOTH = "both", "Both"

    label = models.CharField(max_length=100, unique=True)
    use = models.CharField(max_length=20, choices=Use.choices, default=Use.BOTH)
    needs_detail = models.BooleanField(default=False, help_text="e.g. 'Other': ask for text.")
    is_active = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "label"]

    def __str__(self):
        return self.label


def new_calendar_uid() -> str:
    """A new booking's calendar UID: a random UUID (RFC 7986) on the site's own domain (RFC 5545's
    suggested form), stored so that a later change of domain does not orphan the entry."""
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"booking-{uuid.uuid4()}@{domain}"


class Booking(models.Model):
    class Status(models.TextChoices):
        WAITLISTED = "waitlisted", "On the waiting list"
        OFFERED = "offered", "Offered a place"
        CONFIRMED = "confirmed", "Booked"
        CANCELLED = "cancelled", "Cancelled"
        SUBSTITUTED = "substituted", "Handed to a colleague"
        MOVED = "moved", "Moved to another date"
        EXPIRED = "expired", "Offer lapsed"
        ATTENDED = "attended", "Attended"
        PARTIAL = "partial", "Partially attended"
        NO_SHOW = "no_show", "Did not attend"

    # Statuses that hold one of the event's places.
    HOLDS_PLACE = PLACE_HOLDING_STATUSES
    # Statuses under which a person is "on" the event (one at a time per person and event).
    ACTIVE = ("waitlisted", *HOLDS_PLACE)
    ATTENDED_STATUSES = (Status.ATTENDED, Status.PARTIAL)
    USED = (Status.ATTENDED, Status.PARTIAL, Status.NO_SHOW)

    event = models.ForeignKey("courses.Event", on_delete=models.PROTECT, related_name="bookings")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bookings"
    )
    organisation = models.ForeignKey(
        "people.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bookings",
        help_text="The delegate's organisation when they booked.",
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.CONFIRMED)
    created_at = models.DateTimeField(help_text="When the place was booked or the wait began.")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    # The opaque random id behind the emailed offer link (signed and time-limited in the link);
    # set when a place is offered, cleared once the offer is taken, cancelled or lapses.
    offer_key = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_late = models.BooleanField(default=False)
    cancellation_reason = models.ForeignKey(
        CancellationReason, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancellation_detail = models.CharField(max_length=300, blank=True)
    non_attendance_reason = models.ForeignKey(
        CancellationReason, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    attendance_marked_at = models.DateTimeField(null=True, blank=True)
    is_walk_in = models.BooleanField(default=False)
    substitute_for = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="substituted_by"
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Set when someone booked on the delegate's behalf.",
    )
    line_manager_name = models.CharField(max_length=200, blank=True)
    line_manager_email = models.EmailField(blank=True)
    access_needs = models.TextField(blank=True)
    dietary_needs = models.CharField(max_length=300, blank=True)
    external_ref = models.CharField(max_length=100, null=True, blank=True, unique=True)
    # The UID of this place's calendar entry, kept for the booking's life so that every update
    # and cancellation reaches the entry the first invite made. Bookings from before this field
    # keep the UID their invites carried ("booking-<id>@learning-loop", bookings/0009).
    calendar_uid = models.CharField(max_length=255, default=new_calendar_uid, editable=False)
    # The waiting list's order once the lead has changed it (bookings.services.waitlist_move
    # numbers the whole queue 1, 2, 3 ...; later joiners come after). Empty: in order of joining.
    waitlist_rank = models.PositiveIntegerField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["event", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "person"],
                condition=Q(status__in=["waitlisted", *PLACE_HOLDING_STATUSES]),
                name="booking_one_active_per_person_event",
            ),
        ]
        indexes = [
            models.Index(fields=["event", "status"]),
            models.Index(fields=["person", "status"]),
        ]

    def __str__(self):
        return f"{self.person} – {self.event} ({self.get_status_display()})"

    @property
    def holds_place(self) -> bool:
        return self.status in self.HOLDS_PLACE


# The waiting list's order, everywhere it is read: the lead's order, then the order of joining.
WAITLIST_ORDER = (F("waitlist_rank").asc(nulls_last=True), "created_at", "id")


class BookingLog(models.Model):
    """Every status or attendance change: who, when, from, to. Never edited."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="log")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()
    action = models.CharField(max_length=40)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["booking", "at", "id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.from_status}->{self.to_status}"


class EventMessage(models.Model):
    """A message the L&D lead sent to an event's delegates or its waiting list (the record).

    Each recipient's copy is one outbox row, purpose `event-message-<id>` (bookings.emails).
    """

    class Audience(models.TextChoices):
        BOOKED = "booked", "Everyone booked"
        WAITING = "waiting", "Everyone on the waiting list"

    event = models.ForeignKey("courses.Event", on_delete=models.PROTECT, related_name="messages")
    audience = models.CharField(max_length=10, choices=Audience.choices)
    subject = models.CharField(max_length=150)
    body = models.TextField()
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.subject} ({self.get_audience_display()}, {self.created_at:%Y-%m-%d})"

    @property
    def purpose(self) -> str:
        return f"{EVENT_MESSAGE_PURPOSE}{self.pk}"


# The outbox purpose of an event message's copies: this prefix and the message's id.
EVENT_MESSAGE_PURPOSE = "event-message-"


class Enrolment(models.Model):
    """An e-learning module taken by a person: enrolments and completions instead of places."""

    course = models.ForeignKey(
        "courses.Course", on_delete=models.PROTECT, related_name="enrolments"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="enrolments"
    )
    organisation = models.ForeignKey(
        "people.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    enrolled_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-enrolled_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "person", "enrolled_at"], name="enrolment_unique"
            )
        ]
        indexes = [models.Index(fields=["completed_at"])]

    def __str__(self):
        return f"{self.person} – {self.course}"


class SessionAttendance(models.Model):
    """Whether a delegate was present at one session of an event of several sessions.

    The booking's status follows from its marks (bookings.services.register_save): present at
    every session is attended, at some is partial, at none is no_show. An event of one session
    has no sessions, and its register marks the booking itself.
    """

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="sessions")
    session = models.ForeignKey(
        "courses.EventSession", on_delete=models.CASCADE, related_name="attendance"
    )
    present = models.BooleanField()
    marked_at = models.DateTimeField()

    class Meta:
        ordering = ["booking", "session"]
        constraints = [
            models.UniqueConstraint(
                fields=["booking", "session"], name="sessionattendance_one_per_session"
            )
        ]

    def __str__(self):
        mark = "present" if self.present else "absent"
        return f"{self.booking_id} at session {self.session_id}: {mark}"
