"""Reads that depend on the user."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, F, Prefetch, QuerySet, prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from bookings.models import (
    WAITLIST_ORDER,
    Booking,
    BookingLog,
    CancellationReason,
    Enrolment,
    EventMessage,
    SessionAttendance,
)
from courses.models import Course, Event, EventSession
from messaging.models import OutboundEmail
from people.roles import LEAD, ORG_MANAGER, TRAINER

if TYPE_CHECKING:
    from people.models import User


def booking_list_for_person(person: User) -> QuerySet[Booking]:
    """All of a person's bookings, newest event first, with what the pages show."""
    return (
        Booking.objects.filter(person=person)
        .select_related("event__venue", "event__course__priority_area", "organisation")
        .order_by("-event__start")
    )


def event_list_for_register(user: User) -> QuerySet[Event]:
    """Events whose register `user` may open: their own as trainer, every event for the lead;
    never a cancelled one or a draft (nobody can be booked on a draft)."""
    events = Event.objects.select_related("venue", "course").exclude(
        status__in=[Event.Status.CANCELLED, Event.Status.DRAFT]
    )
    if not user.is_lead:
        events = events.filter(trainers=user)
    return events.order_by("-start")


def split_upcoming_past(bookings):
    now = timezone.now()
    upcoming = [b for b in bookings if b.event.end >= now]
    past = [b for b in bookings if b.event.end < now]
    return upcoming[::-1], past


def booking_get_for_person(person: User, booking_id: int) -> Booking:
    """The person's own booking; the same 404 for "missing" and "not yours"."""
    return get_object_or_404(
        Booking.objects.select_related("event__venue", "event__course", "organisation"),
        pk=booking_id,
        person=person,
    )


# --- pages added with the booking journey ----------------------------------------------------

# Delegates who appear on a register: holding a place or already marked (cancelled ones are shown
# separately so a trainer can reinstate someone who came after all).
ON_REGISTER = (
    Booking.Status.CONFIRMED,
    Booking.Status.ATTENDED,
    Booking.Status.PARTIAL,
    Booking.Status.NO_SHOW,
)


def event_get_for_booking(event_id: int) -> Event:
    """An event of a published course, for the booking form; 404 otherwise (a draft too: it is
    the lead's alone)."""
    return get_object_or_404(
        Event.objects.select_related("venue", "course").exclude(status=Event.Status.DRAFT),
        pk=event_id,
        course__is_published=True,
    )


def booking_get_attended_for_person(person: User, booking_id: int) -> Booking:
    """The person's own fully attended booking (the only kind with a certificate), else 404."""
    return get_object_or_404(
        Booking.objects.select_related("event__venue", "event__course", "organisation", "person"),
        pk=booking_id,
        person=person,
        status=Booking.Status.ATTENDED,
    )


def certificate_booking_by_reference(reference: str) -> Booking | None:
    """The fully attended booking a genuine certificate reference names, else None."""
    from bookings.certificates import booking_id_from_reference, certificate_for

    booking_id = booking_id_from_reference(reference)
    if booking_id is None:
        return None
    booking = (
        Booking.objects.select_related("event__course", "organisation", "person")
        .filter(pk=booking_id, status=Booking.Status.ATTENDED)
        .first()
    )
    if booking is None or not certificate_for(booking).earned:
        return None
    return booking


def booking_get_for_lead(booking_id: int) -> Booking:
    """Any booking, for the L&D lead's pages (the view checks the role)."""
    return get_object_or_404(
        Booking.objects.select_related("event__venue", "event__course", "person", "organisation"),
        pk=booking_id,
    )


def event_get_for_lead(event_id: int) -> Event:
    """Any event, for the L&D lead's pages (the view checks the role)."""
    return get_object_or_404(Event.objects.select_related("venue", "course"), pk=event_id)


def event_get_for_register(user: User, event_id: int) -> Event:
    """An event whose register `user` may see: its trainers and the L&D lead; 404 for the rest."""
    event = Event.objects.select_related("venue", "course").filter(pk=event_id).first()
    if event is None:
        raise Http404("No such event")
    if not user.is_authenticated:
        raise Http404("No such event")
    if user.is_lead:
        return event
    if event.status == Event.Status.DRAFT:
        raise Http404("No such event")  # a draft is the lead's alone, not even its trainers'
    if event.trainers.filter(pk=user.pk).exists():
        return event
    raise Http404("No such event")


def register_bookings(event: Event) -> tuple[list[Booking], list[Booking]]:
    """(delegates on the register, cancelled bookings), each sorted by name, in one query."""
    bookings = list(
        Booking.objects.filter(event=event, status__in=(*ON_REGISTER, Booking.Status.CANCELLED))
        .select_related("person", "organisation", "non_attendance_reason", "cancellation_reason")
        .order_by("person__full_name", "person__email", "id")
    )
    # A person who cancelled and booked again is on the register once, under the active booking.
    active_people = {b.person_id for b in bookings if b.status != Booking.Status.CANCELLED}
    on_register = [b for b in bookings if b.status != Booking.Status.CANCELLED]
    cancelled = [
        b
        for b in bookings
        if b.status == Booking.Status.CANCELLED and b.person_id not in active_people
    ]
    return on_register, cancelled


def register_sessions(event: Event) -> list[EventSession]:
    """The event's sessions in order; none for an event of one session."""
    return list(EventSession.objects.filter(event=event).order_by("order"))


def register_session_marks(event: Event) -> dict[tuple[int, int], bool]:
    """{(booking id, session id): present} for every session mark of the event, in one query."""
    rows = SessionAttendance.objects.filter(booking__event=event).values_list(
        "booking_id", "session_id", "present"
    )
    return {(booking_id, session_id): present for booking_id, session_id, present in rows}


def _grouped(values: list[tuple[str, str]]) -> list[tuple[str, list[str]]]:
    """[(need, [names])] for (name, need) pairs, the same need (ignoring case and spacing) once,
    most common first."""
    groups: dict[str, tuple[str, list[str]]] = {}
    for name, need in values:
        text = " ".join(need.split()).rstrip(".")
        key = text.casefold()
        if key not in groups:
            groups[key] = (text[:1].upper() + text[1:], [])
        groups[key][1].append(name)
    return sorted(groups.values(), key=lambda group: (-len(group[1]), group[0].casefold()))


def register_needs_summary(bookings: list[Booking]) -> dict:
    """What the caterers and the access arrangements (interpreters) need to know, for the
    printed register: dietary needs and access needs, each grouped, with who has them."""
    dietary = [
        (b.person.get_full_name(), b.dietary_needs) for b in bookings if b.dietary_needs.strip()
    ]
    access = [
        (b.person.get_full_name(), b.access_needs) for b in bookings if b.access_needs.strip()
    ]
    return {
        "people": len(bookings),
        "no_dietary_needs": len(bookings) - len(dietary),
        "dietary": _grouped(dietary),
        "access": _grouped(access),
    }


LOG_ACTION_LABELS = {
    "book": "Booked",
    "accept_offer": "Took an offered place",
    "offer": "Offered a place",
    "offer_lapsed": "Offer lapsed",
    "offer_withdrawn": "Offer withdrawn",
    "cancel": "Cancelled",
    "substitute": "Handed to a colleague",
    "substitute_in": "Took a colleague's place",
    "move": "Moved to another date",
    "moved_in": "Moved from another date",
    "attendance": "Register",
    "reinstate_and_mark": "Reinstated on the register",
    "walk_in": "Walk-in added",
    "event_updated": "Sent the event's new details",
    "waitlist_reorder": "Moved on the waiting list",
    "waitlist_removed": "Taken off the waiting list",
}


def register_history(event: Event, *, limit: int = 200) -> list[BookingLog]:
    """The event's booking changes, newest first, with labels people read (not status codes)."""
    entries = list(
        BookingLog.objects.filter(booking__event=event)
        .select_related("actor", "booking__person")
        .order_by("-at", "-id")[:limit]
    )
    labels = dict(Booking.Status.choices)
    for entry in entries:
        entry.action_label = LOG_ACTION_LABELS.get(entry.action, entry.action.replace("_", " "))
        entry.from_label = labels.get(entry.from_status, entry.from_status)
        entry.to_label = labels.get(entry.to_status, entry.to_status)
    return entries


# The words for who made a change, by role: the lead, a trainer... (a person may hold several).
_ACTOR_ROLES = ((LEAD, "L&D lead"), (TRAINER, "trainer"), (ORG_MANAGER, "organisation manager"))


def _actor_words(entry: BookingLog, booking: Booking) -> str:
    actor = entry.actor
    if actor is None:
        return "The system"
    name = actor.get_full_name()
    if actor.pk == booking.person_id:
        return f"{name} (the delegate)"
    groups = {group.name for group in actor.groups.all()}
    for role, words in _ACTOR_ROLES:
        if role in groups:
            return f"{name} ({words})"
    if actor.is_superuser:
        return f"{name} (administrator)"
    return name


def booking_history_attach(bookings: list[Booking]) -> None:
    """Give each booking `history`: its log entries, oldest first, each with `action_label`,
    `from_label`, `to_label` and `by` (who, in words); two queries whatever the number."""
    prefetch_related_objects(
        bookings,
        Prefetch(
            "log",
            queryset=BookingLog.objects.select_related("actor")
            .prefetch_related("actor__groups")
            .order_by("at", "id"),
            to_attr="history",
        ),
    )
    labels = dict(Booking.Status.choices)
    for booking in bookings:
        for entry in booking.history:
            entry.action_label = LOG_ACTION_LABELS.get(entry.action, entry.action.replace("_", " "))
            entry.from_label = labels.get(entry.from_status, entry.from_status)
            entry.to_label = labels.get(entry.to_status, entry.to_status)
            entry.by = _actor_words(entry, booking)


def non_attendance_reasons() -> QuerySet[CancellationReason]:
    """Reasons the register offers for not attending."""
    return CancellationReason.objects.filter(
        is_active=True,
        use__in=(CancellationReason.Use.NON_ATTENDANCE, CancellationReason.Use.BOTH),
    )


def waitlist_position(booking: Booking) -> int | None:
    """1 for the first in line; None when the booking is not waiting."""
    if booking.status != Booking.Status.WAITLISTED:
        return None
    queue = list(
        Booking.objects.filter(event_id=booking.event_id, status=Booking.Status.WAITLISTED)
        .order_by(*WAITLIST_ORDER)
        .values_list("id", flat=True)
    )
    return queue.index(booking.pk) + 1 if booking.pk in queue else None


def waitlist_positions(bookings) -> dict[int, int]:
    """{booking id: place in the queue} for the waiting-list bookings given, in one query."""
    waiting = [b for b in bookings if b.status == Booking.Status.WAITLISTED]
    if not waiting:
        return {}
    queue = Booking.objects.filter(
        event_id__in={b.event_id for b in waiting}, status=Booking.Status.WAITLISTED
    ).order_by("event_id", *WAITLIST_ORDER)
    positions, counter, wanted = {}, {}, {b.pk for b in waiting}
    for booking_id, event_id in queue.values_list("id", "event_id"):
        counter[event_id] = counter.get(event_id, 0) + 1
        if booking_id in wanted:
            positions[booking_id] = counter[event_id]
    return positions


def enrolment_list_for_person(person: User) -> QuerySet[Enrolment]:
    """The person's e-learning enrolments, open ones first."""
    return (
        Enrolment.objects.filter(person=person)
        .select_related("course")
        .order_by(F("completed_at").desc(nulls_first=True), "-enrolled_at")
    )


def enrolment_list_for_module(*, person: User, course: Course) -> list[Enrolment]:
    """The person's enrolments on one module, the open one (if any) first."""
    return list(
        Enrolment.objects.filter(person=person, course=course).order_by(
            F("completed_at").desc(nulls_first=True), "-enrolled_at"
        )
    )


def elearning_course_get(course_id: int) -> Course:
    """A published e-learning module, or 404."""
    return get_object_or_404(
        Course.objects.published(), pk=course_id, delivery_mode=Course.DeliveryMode.ELEARNING
    )


def move_targets(booking: Booking) -> QuerySet[Event]:
    """Other upcoming, bookable dates of the booking's course."""
    return (
        Event.objects.upcoming()
        .bookable()
        .filter(course_id=booking.event.course_id)
        .exclude(pk=booking.event_id)
        .select_related("venue", "course")
        .order_by("start")
    )


# --- the lead's page for one event ------------------------------------------------------------

WAITING_STATUSES = (Booking.Status.WAITLISTED, Booking.Status.OFFERED)


def event_delegates(event: Event, *, status: str = "") -> list[Booking]:
    """The event's bookings other than the waiting list, by name; only `status` if given."""
    bookings = Booking.objects.filter(event=event).exclude(status__in=WAITING_STATUSES)
    if status:
        bookings = bookings.filter(status=status)
    return list(
        bookings.select_related("person", "organisation").order_by(
            "person__full_name", "person__email", "id"
        )
    )


def event_delegate_statuses(event: Event) -> list[tuple[str, str, int]]:
    """(status, label, count) of the event's bookings other than the waiting list."""
    counts = dict(
        Booking.objects.filter(event=event)
        .exclude(status__in=WAITING_STATUSES)
        .order_by()
        .values("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return [
        (value, label, counts[value]) for value, label in Booking.Status.choices if value in counts
    ]


def event_waiting_list(event: Event) -> tuple[list[Booking], list[Booking]]:
    """(the waiting list in its order, the open offers by expiry)."""
    rows = list(
        Booking.objects.filter(event=event, status__in=WAITING_STATUSES)
        .select_related("person", "organisation")
        .order_by(*WAITLIST_ORDER)
    )
    waiting = [b for b in rows if b.status == Booking.Status.WAITLISTED]
    offered = sorted(
        (b for b in rows if b.status == Booking.Status.OFFERED),
        key=lambda b: (b.offer_expires_at is None, b.offer_expires_at, b.pk),
    )
    return waiting, offered


def event_bookings_to_move(event: Event, booking_ids: list[int]) -> list[Booking]:
    """The event's bookings among `booking_ids` (others are ignored), by name."""
    return list(
        Booking.objects.filter(event=event, pk__in=booking_ids)
        .select_related("person", "event__course")
        .order_by("person__full_name", "person__email", "id")
    )


def event_waiting_booking(event: Event, booking_id: int) -> Booking:
    """A booking of this event (the waiting list's actions check its status under the lock)."""
    return get_object_or_404(
        Booking.objects.select_related("person", "organisation", "event__course"),
        pk=booking_id,
        event=event,
    )


def event_move_targets(event: Event) -> list[Event]:
    """Other upcoming dates of the event's course that are open and have a free place."""
    return [
        target
        for target in Event.objects.upcoming()
        .bookable()
        .filter(course_id=event.course_id)
        .exclude(pk=event.pk)
        .with_places_taken()
        .select_related("course")
        .order_by("start")
        if target.places_left > 0
    ]


# Who each audience is: everyone with a place (or who had one, after the event), or waiting.
MESSAGE_AUDIENCES = {
    EventMessage.Audience.BOOKED: (
        Booking.Status.CONFIRMED,
        Booking.Status.ATTENDED,
        Booking.Status.PARTIAL,
        Booking.Status.NO_SHOW,
    ),
    EventMessage.Audience.WAITING: WAITING_STATUSES,
}


def event_message_recipients(event: Event, audience: str) -> list[int]:
    """The ids of the bookings an event message to `audience` goes to."""
    return list(
        Booking.objects.filter(event=event, status__in=MESSAGE_AUDIENCES[audience])
        .order_by("id")
        .values_list("id", flat=True)
    )


def event_messages(event: Event) -> list[EventMessage]:
    """The lead's messages about this event, newest first, each with its copies' states counted
    (`sent`, `waiting`, `failed`: failed or given up; `skipped`)."""
    messages = list(EventMessage.objects.filter(event=event).select_related("sent_by"))
    if not messages:
        return messages
    counts: dict[str, dict[str, int]] = {}
    rows = (
        OutboundEmail.objects.filter(purpose__in=[m.purpose for m in messages])
        .order_by()
        .values("purpose", "state")
        .annotate(n=Count("id"))
        .values_list("purpose", "state", "n")
    )
    group = {
        OutboundEmail.State.SENT: "sent",
        OutboundEmail.State.PENDING: "waiting",
        OutboundEmail.State.SENDING: "waiting",
        OutboundEmail.State.FAILED: "failed",
        OutboundEmail.State.GIVEN_UP: "failed",
        OutboundEmail.State.SKIPPED: "skipped",
    }
    for purpose, state, n in rows:
        bucket = counts.setdefault(purpose, {"sent": 0, "waiting": 0, "failed": 0, "skipped": 0})
        bucket[group[state]] += n
    for message in messages:
        message.counts = counts.get(
            message.purpose, {"sent": 0, "waiting": 0, "failed": 0, "skipped": 0}
        )
    return messages
