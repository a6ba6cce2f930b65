"""The catalogue: priority areas, courses (with their rename history) and dated events."""

from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.clock import day_start

HALF_DAY_MAX = timedelta(hours=4)

# Booking statuses (bookings.Booking.Status values) that hold one of an event's places. Defined
# here so the catalogue can count places left without importing upwards; bookings reuses it.
PLACE_HOLDING_STATUSES = ("offered", "confirmed", "attended", "partial", "no_show")


def local_midnight(day: date, days_after: int = 0) -> datetime:
    """The first instant of `day` (plus `days_after` days) in London."""
    return day_start(day + timedelta(days=days_after))


def reporting_year_of(day: date) -> int:
    """The reporting year (1 April - 31 March) a date falls in, named by its first calendar year."""
    return day.year if day.month >= 4 else day.year - 1


class PriorityArea(models.Model):
    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    first_year = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="First reporting year it is a priority (2022 means 2022/23). Blank: always.",
    )
    last_year = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Last reporting year it is a priority. Blank: still active.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def is_active_in(self, year: int) -> bool:
        return (self.first_year is None or self.first_year <= year) and (
            self.last_year is None or year <= self.last_year
        )


class CourseQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def live(self):
        """Still offered: published and not retired."""
        return self.filter(is_published=True, retired_on__isnull=True)


class Course(models.Model):
    class Audience(models.TextChoices):
        CHILDREN = "children", "Children"
        ADULTS = "adults", "Adults"
        ALL = "all", "All ages (children and adults)"

    class DeliveryMode(models.TextChoices):
        FACE_TO_FACE = "face_to_face", "Face to face"
        LIVE_ONLINE = "live_online", "Live online"
        ELEARNING = "elearning", "e-Learning"

    class Level(models.IntegerChoices):
        L1 = 1, "Level 1 (all staff)"
        L2 = 2, "Level 2 (regular contact)"
        L3 = 3, "Level 3 (specialist)"
        L4 = 4, "Level 4 (leads and managers)"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    summary = models.TextField()
    learning_outcomes = models.TextField(blank=True, help_text="One learning outcome per line.")
    priority_area = models.ForeignKey(
        PriorityArea, on_delete=models.PROTECT, related_name="courses"
    )
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.ALL)
    competency_level = models.PositiveSmallIntegerField(choices=Level.choices, default=Level.L2)
    delivery_mode = models.CharField(
        max_length=20, choices=DeliveryMode.choices, default=DeliveryMode.FACE_TO_FACE
    )
    is_published = models.BooleanField(default=True)
    retired_on = models.DateField(
        null=True,
        blank=True,
        help_text="The day it stopped being offered (unpublished, its history kept). Blank: live.",
    )
    launch_url = models.URLField(
        max_length=500,
        blank=True,
        validators=[URLValidator(schemes=["https"])],
        help_text="e-Learning only: where the module is taken (an https address).",
    )
    prerequisites = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="required_for",
        help_text=(
            "Courses a delegate must have attended (or e-learning modules completed) before "
            "booking this one."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CourseQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        indexes = [models.Index(fields=["priority_area", "delivery_mode"])]

    def __str__(self):
        return self.title

    @property
    def outcomes(self) -> list[str]:
        return [line.strip() for line in self.learning_outcomes.splitlines() if line.strip()]

    @property
    def is_elearning(self) -> bool:
        return self.delivery_mode == self.DeliveryMode.ELEARNING

    @property
    def is_retired(self) -> bool:
        return self.retired_on is not None


class CourseName(models.Model):
    """A title a course was known by, and from when: reports across a rename treat it as one."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="names")
    title = models.CharField(max_length=200)
    valid_from = models.DateField(null=True, blank=True)
    valid_until = models.DateField(
        null=True, blank=True, help_text="Last day the course had this title; blank: current."
    )

    class Meta:
        ordering = ["course", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["course", "title"], name="coursename_unique_title")
        ]

    def __str__(self):
        return self.title


class Venue(models.Model):
    """Where events happen: a room at an address, or online (each event carries its link)."""

    name = models.CharField(max_length=300, unique=True)
    is_online = models.BooleanField(
        default=False, help_text="Online: no address; each event has its own joining link."
    )
    address = models.TextField(blank=True)
    room = models.CharField(max_length=120, blank=True)
    capacity = models.PositiveIntegerField(
        null=True, blank=True, help_text="The most people the room holds. Blank: no limit."
    )
    accessibility = models.TextField(
        blank=True, help_text="Step-free access, hearing loop, parking, toilets."
    )
    is_active = models.BooleanField(default=True, help_text="Offered for new events.")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.one_line

    @property
    def one_line(self) -> str:
        """The venue on one line: room, name and address (an online venue says so)."""
        if self.is_online:
            return f"Online ({self.name})"
        address = ", ".join(line.strip(" ,") for line in self.address.splitlines() if line.strip())
        return ", ".join(part for part in (self.room, self.name, address) if part)


class EventQuerySet(models.QuerySet):
    def upcoming(self):
        return self.filter(start__gte=timezone.now())

    def bookable(self):
        return self.filter(status=Event.Status.SCHEDULED, course__is_published=True)

    def delivered(self):
        return self.filter(status=Event.Status.DELIVERED)

    def starting_between(self, start: date, end: date):
        """Events whose start date (Europe/London) falls within start..end inclusive."""
        # The day bounds as instants, not `start__date`: the same events (local midnight, across
        # clock changes), but the database compares raw values and can use the index (SQLite
        # would otherwise call a Python function per row).
        return self.filter(start__gte=local_midnight(start), start__lt=local_midnight(end, 1))

    def for_trainer(self, user):
        return self.filter(trainers=user)

    def with_places_taken(self):
        """Annotate `places_taken` (bookings holding a place) in the same query."""
        return self.annotate(
            places_taken=models.Count(
                "bookings", filter=Q(bookings__status__in=PLACE_HOLDING_STATUSES)
            )
        )


class Event(models.Model):
    class Status(models.TextChoices):
        # A draft is the lead's alone: not in the catalogue, not bookable, no emails.
        DRAFT = "draft", "Draft (not published)"
        SCHEDULED = "scheduled", "Scheduled"
        CANCELLED = "cancelled", "Cancelled by the organiser"
        DELIVERED = "delivered", "Delivered"

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="events")
    start = models.DateTimeField()
    end = models.DateTimeField()
    venue = models.ForeignKey(
        Venue,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        help_text="Blank: to be confirmed (or online, when the event has a joining link).",
    )
    joining_link = models.URLField(
        blank=True, help_text="For live online events; shown only to booked delegates."
    )
    joining_instructions = models.TextField(blank=True)
    capacity = models.PositiveIntegerField(help_text="The number of places offered.")
    trainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="training_events"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    cancellation_reason = models.TextField(blank=True)
    places_per_organisation = models.PositiveIntegerField(
        null=True, blank=True, help_text="Optional fair-share limit of places per organisation."
    )
    notice_working_days = models.PositiveSmallIntegerField(
        default=3, help_text="Cancellations later than this many working days before are late."
    )
    external_ref = models.CharField(max_length=100, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The calendar invites' SEQUENCE (RFC 5545): raised each time the time, venue or joining
    # link changes (bookings.services.event_details_change), so calendars take the update.
    calendar_sequence = models.PositiveIntegerField(default=0, editable=False)
    # Kept by courses.services.event_sessions_set, with start and end (the first session's start,
    # the last one's end): the sum of the sessions' lengths for an event of several sessions,
    # blank for an event of one (start to end).
    sessions_total = models.DurationField(
        null=True, blank=True, editable=False, help_text="The sessions' total length."
    )

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["start"]
        indexes = [models.Index(fields=["status", "start"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="event_end_after_start"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="event_capacity_positive"),
        ]

    def __str__(self):
        local = timezone.localtime(self.start)
        return f"{self.course.title}, {local:%d %b %Y %H:%M}"

    @property
    def is_online(self) -> bool:
        if self.venue_id is not None:
            return self.venue.is_online
        return (
            bool(self.joining_link) or self.course.delivery_mode != Course.DeliveryMode.FACE_TO_FACE
        )

    @property
    def location_text(self) -> str:
        """Where the event is, on one line: every page, email and calendar file says it this way."""
        if self.venue_id is not None:
            return self.venue.one_line
        return "Online" if self.is_online else "Venue to be confirmed"

    def count_places_taken(self) -> int:
        taken = getattr(self, "places_taken", None)
        if taken is None:
            taken = self.bookings.filter(status__in=PLACE_HOLDING_STATUSES).count()
        return taken

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.count_places_taken(), 0)

    @property
    def duration(self) -> timedelta:
        """The time taught: the sessions' total, or start to end for an event of one session."""
        if self.sessions_total is not None:
            return self.sessions_total
        # Subtract in UTC: Python subtracts two datetimes sharing one tzinfo (Europe/London from a
        # form) by wall clock, which is an hour out across a clock change.
        return self.end.astimezone(UTC) - self.start.astimezone(UTC)

    @property
    def is_half_day_or_less(self) -> bool:
        return self.duration <= HALF_DAY_MAX

    @property
    def duration_class(self) -> str:
        return "Half day or less" if self.is_half_day_or_less else "Full day"


class EventSession(models.Model):
    """One sitting of an event of several sessions (two half-days, for example).

    An event of one session has no rows: it runs from its start to its end. Written only by
    courses.services.event_sessions_set, which keeps the event's start, end and sessions_total.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sessions")
    start = models.DateTimeField()
    end = models.DateTimeField()
    order = models.PositiveSmallIntegerField(help_text="1 for the first session, in time order.")

    class Meta:
        ordering = ["event", "order"]
        constraints = [
            models.UniqueConstraint(fields=["event", "order"], name="eventsession_unique_order"),
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="eventsession_end_after_start"
            ),
        ]

    def __str__(self):
        local = timezone.localtime(self.start)
        return f"Session {self.order}, {local:%d %b %Y %H:%M}"

    @property
    def duration(self) -> timedelta:
        return self.end.astimezone(UTC) - self.start.astimezone(UTC)


class CourseInterest(models.Model):
    """ "Tell me when dates are announced": a person's interest in a course with no upcoming dates.

    `notified_at` is set once the person has been emailed about a published date; registering
    again afterwards (the dates filled up, say) clears it.
    """

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="interests")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="course_interests"
    )
    # The organisation at the time of asking: demand is counted by it even if the person moves.
    organisation = models.ForeignKey(
        "people.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    notified_at = models.DateTimeField(null=True, blank=True)
    notified_event = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["course", "person"], name="interest_once_per_course")
        ]

    def __str__(self):
        return f"{self.person} in {self.course}"
