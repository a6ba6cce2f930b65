"""Every write in a place's life: book, wait, offer, cancel, hand over, move, mark attendance.

Capacity is checked under a lock on the event row (pretix-style): inside the transaction the
event is locked with SELECT ... FOR UPDATE (PostgreSQL) or the whole database is write-locked by
an IMMEDIATE transaction (SQLite), the places held are counted in one query, then the booking is
inserted. A partial unique index backs "one active booking per person and event".
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone

from bookings import calendar
from bookings.models import (
    WAITLIST_ORDER,
    Booking,
    BookingLog,
    CancellationReason,
    Enrolment,
    EventMessage,
    SessionAttendance,
)
from bookings.selectors import event_message_recipients
from core.clock import LONDON, day_start, working_days_before
from core.text import clean_line, clean_text
from courses.models import Event, EventSession
from courses.services import event_validate
from messaging.outbox import outbox_enqueue, outbox_record
from people.roles import LEAD

if TYPE_CHECKING:
    from courses.models import Course
    from people.models import Organisation, User

# Domain error messages (tests assert them).
EVENT_NOT_BOOKABLE = "This event is not open for booking."
EVENT_DRAFT = "This event is a draft: publish it before anyone can book it."
EVENT_DRAFT_NOT_CANCELLABLE = (
    "This event is a draft, never published: there is nothing to cancel and nobody to tell."
)
EVENT_STARTED = "This event has already started."
ALREADY_BOOKED = "You already have a place or a waiting-list place on this event."
# Said to a trainer or the lead about someone else (a walk-in, a colleague).
PERSON_ALREADY_BOOKED = "{person} already has a place or a waiting-list place on this event."
EVENT_FULL = "This event is full."
ORG_LIMIT_REACHED = "Your organisation has already taken all the places it may have on this event."
PREREQUISITE_MISSING = "You need to attend {courses} before booking this course."
PREREQUISITE_MISSING_MIXED = (
    "You need to attend {courses} and complete the e-learning {modules} before booking this course."
)
PREREQUISITE_MISSING_ELEARNING = (
    "You need to complete the e-learning {modules} before booking this course."
)
NO_ORGANISATION = "Add your organisation to your profile before booking."
CANNOT_CANCEL = "This booking cannot be cancelled."
REASON_REQUIRED = "Choose a reason for cancelling."
DETAIL_REQUIRED = "Say why you are cancelling."
OFFER_NOT_OPEN = "This offer is no longer open."
OFFER_LINK_SALT = "bookings.offer"
# One answer whether the address has no account or belongs to another organisation, so the
# hand-over form cannot be used to find out who has an account, or where they work.
SUBSTITUTE_SAME_ORG = (
    "We cannot hand your place to this email address. Check it is your colleague's: they need "
    "an account with this email address and must work for your organisation."
)
SUBSTITUTE_SELF = "Choose a colleague, not yourself."
SUBSTITUTE_NOT_CONFIRMED = "Only a confirmed place can be handed to a colleague."
MOVE_SAME_COURSE = "A booking can only be moved to another date of the same course."
MOVE_NOT_CONFIRMED = "Only a confirmed place can be moved."
BAD_TRANSITION = "A booking that is '{current}' cannot be marked '{target}'."
NOT_ON_REGISTER = "This booking is not on this event's register."
REGISTER_TOO_EARLY = "The register opens on the day of the event."
REGISTER_CLOSED_TO_TRAINERS = (
    "The register closed to trainers at the end of {day}: ask the L&D lead to change it."
)
SESSION_TOO_EARLY = "Session {order}'s register opens on the day of the session."
SESSION_NOT_OF_EVENT = "This session is not one of this event's."
REINSTATE_EVERY_SESSION = "Mark every session for {person} to reinstate them."
EVENT_CANCELLED = "This event has been cancelled."
EVENT_ALREADY_CANCELLED = "This event is already cancelled."
CAPACITY_BELOW_ONE = "Offer at least 1 place."
CAPACITY_BELOW_TAKEN = "{taken} places are already taken: the capacity cannot be less than {taken}."
REINSTATE_BOOKED_AGAIN = (
    "{person} booked again after cancelling: mark their current booking on the register instead."
)
BUSY = "Lots of people are booking right now. Please try again in a moment."
# The lead's event page: the waiting list, moving several people, messages.
NOT_WAITING = "{person} is no longer on the waiting list."
WAITLIST_STALE = (
    "The waiting list has changed since you opened the page. Check the order and try again."
)
WAITLIST_ALREADY_FIRST = "{person} is already first on the waiting list."
WAITLIST_ALREADY_LAST = "{person} is already last on the waiting list."
NO_PLACE_FREE = (
    "No place is free: all {capacity} places are booked or offered. A place that comes free "
    "goes to the first on the waiting list, so move {person} up; or add places to the event."
)
OFFER_EVENT_CLOSED = "Places can only be offered on a scheduled event that has not started."
MOVE_NOBODY = "Choose the delegates to move."
MOVE_NO_ROOM = "The new date has {free} free place{s}: choose at most {free} delegate{s}."
MOVE_PERSON_FAILED = "{person} could not be moved: {reason} No one was moved."
MESSAGE_NO_SUBJECT = "Enter a subject."
MESSAGE_NO_BODY = "Enter the message."
MESSAGE_NOBODY = "There is no one to send this message to."
ENROLMENT_NOT_ELEARNING = "Only e-learning modules have enrolments."
COMPLETION_IN_FUTURE = "The completion date cannot be in the future."
COMPLETION_BEFORE_ENROLMENT = (
    "The completion date cannot be before you started the module ({started:%d %B %Y})."
)
LAUNCH_LINK_MISSING = "This module has no launch link yet: ask the learning and development team."

# Test-only switch (as pretix's concurrency tests have): with the lock off, the race tests must
# overbook, which proves they can fail.
LOCKING_ENABLED = True

S = Booking.Status
MARKABLE = (S.ATTENDED, S.PARTIAL, S.NO_SHOW)
# Allowed register transitions: from -> targets. Cancelled bookings need an explicit reinstate.
REGISTER_TRANSITIONS = {
    S.CONFIRMED: set(MARKABLE),
    S.ATTENDED: set(MARKABLE),
    S.PARTIAL: set(MARKABLE),
    S.NO_SHOW: set(MARKABLE),
}


class BookingError(Exception):
    """A refused booking action; `str(error)` is the message for the person."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class BookingBusy(Exception):
    """The event's lock could not be had in time: the person should try again.

    Not a BookingError: nothing was refused, so views let it through to their `busy_page`
    wrapper (a 503 "try again" page) instead of showing it as a form error.
    """

    def __init__(self, message: str = BUSY):
        super().__init__(message)
        self.message = message


class OfferLinkInvalid(Exception):
    """Tampered, expired, already taken or someone else's: the same page, nothing to enumerate."""


class OfferEventCancelled(OfferLinkInvalid):
    """The person's own offer, withdrawn because the event was cancelled: their page says so."""


# --- helpers -------------------------------------------------------------------------------


def _lock_event(event_id: int) -> Event:
    """Lock the event row for the rest of the transaction (bounded wait) and return it."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("_lock_event must be called inside a transaction")
    if not LOCKING_ENABLED:
        return Event.objects.select_related("course").get(pk=event_id)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = {int(settings.BOOKING_LOCK_TIMEOUT_MS)}")
    try:
        return (
            Event.objects.select_for_update(of=("self",)).select_related("course").get(pk=event_id)
        )
    except OperationalError as exc:  # lock_timeout expired
        raise BookingBusy(BUSY) from exc


@contextmanager
def lock_wait_bounded() -> Iterator[None]:
    """Wait at most BOOKING_LOCK_TIMEOUT_MS for the write lock on SQLite; BookingBusy after that.

    On SQLite the lock is the whole database's, taken by BEGIN IMMEDIATE when the transaction
    opens (before `_lock_event` runs), and the connection waits its busy timeout (20 s, set for
    the worker) before "database is locked". A page wraps its booking actions in this so a
    person waits as long as on PostgreSQL (`lock_timeout`) and then sees the busy page.
    """
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        previous = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA busy_timeout = {int(settings.BOOKING_LOCK_TIMEOUT_MS)}")
    try:
        yield
    except OperationalError as exc:
        if "database is locked" in str(exc):
            raise BookingBusy(BUSY) from exc
        raise
    finally:
        if connection.connection is not None:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA busy_timeout = {int(previous)}")


def _places_taken(event: Event) -> int:
    return Booking.objects.filter(event=event, status__in=Booking.HOLDS_PLACE).count()


def _log(
    booking: Booking, *, actor: User | None, action: str, from_status: str, note: str = "", at=None
):
    return BookingLog.objects.create(
        booking=booking,
        actor=actor,
        at=at or timezone.now(),
        action=action,
        from_status=from_status,
        to_status=booking.status,
        note=note[:300],
    )


def _email(booking_id: int, purpose: str, recipient_role: str = "delegate") -> None:
    """Owe one email: recorded in this transaction, queued after the commit (never before)."""
    row = outbox_record(booking_id=booking_id, purpose=purpose, recipient_role=recipient_role)
    transaction.on_commit(lambda: outbox_enqueue(row))


def _email_with_manager(booking: Booking, purpose: str) -> None:
    _email(booking.id, purpose)
    if booking.line_manager_email:
        _email(booking.id, purpose, "line_manager")


def cancellation_deadline(event: Event) -> datetime:
    """Cancelling after this moment is a late cancellation."""
    return working_days_before(event.start, event.notice_working_days)


def _already_booked(person: User, actor: User | None) -> str:
    """The "already booked" message, worded for whoever is acting: the person or someone else."""
    if actor is None or actor.pk == person.pk:
        return ALREADY_BOOKED
    return PERSON_ALREADY_BOOKED.format(person=person)


def _check_prerequisites(event: Event, person: User) -> None:
    required = list(event.course.prerequisites.all())
    if not required:
        return
    attended = set(
        Booking.objects.filter(
            person=person, status=S.ATTENDED, event__course__in=required
        ).values_list("event__course_id", flat=True)
    )
    # An e-learning module counts once completed (by the person, the lead or an import).
    completed = set(
        Enrolment.objects.filter(
            person=person, course__in=required, completed_at__isnull=False
        ).values_list("course_id", flat=True)
    )
    done = attended | completed
    courses = [c.title for c in required if c.id not in done and not c.is_elearning]
    modules = [c.title for c in required if c.id not in done and c.is_elearning]
    if courses and modules:
        raise BookingError(
            PREREQUISITE_MISSING_MIXED.format(
                courses=" and ".join(courses), modules=" and ".join(modules)
            )
        )
    if courses:
        raise BookingError(PREREQUISITE_MISSING.format(courses=" and ".join(courses)))
    if modules:
        raise BookingError(PREREQUISITE_MISSING_ELEARNING.format(modules=" and ".join(modules)))


def _waiting(event: Event):
    """The event's waiting list in its order (the lead's order, then the order of joining)."""
    return Booking.objects.filter(event=event, status=S.WAITLISTED).order_by(*WAITLIST_ORDER)


def _rank_for_newcomer(event: Event) -> int | None:
    """A newcomer joins the end: after the last rank once the lead has ordered the list."""
    last = (
        Booking.objects.filter(event=event, status=S.WAITLISTED, waitlist_rank__isnull=False)
        .order_by("-waitlist_rank")
        .values_list("waitlist_rank", flat=True)
        .first()
    )
    return None if last is None else last + 1


def _next_in_line(event: Event, places: int) -> list[Booking]:
    """Up to `places` people waiting, in order, skipping anyone whose organisation is at its limit.

    A skipped person keeps their place in the queue: they are next once their organisation
    frees a place. The event must be locked by the caller.
    """
    waiting = _waiting(event)
    if not event.places_per_organisation:
        return list(waiting[:places])
    held: dict[int | None, int] = {}
    for org_id in Booking.objects.filter(event=event, status__in=Booking.HOLDS_PLACE).values_list(
        "organisation_id", flat=True
    ):
        held[org_id] = held.get(org_id, 0) + 1
    chosen = []
    for booking in waiting:
        if len(chosen) == places:
            break
        if held.get(booking.organisation_id, 0) >= event.places_per_organisation:
            continue
        held[booking.organisation_id] = held.get(booking.organisation_id, 0) + 1
        chosen.append(booking)
    return chosen


def _offer_free_places(event: Event, *, now: datetime) -> list[Booking]:
    """Offer each free place to the next in line. The event must be locked by the caller."""
    free = event.capacity - _places_taken(event)
    if free <= 0 or event.start <= now or event.status != Event.Status.SCHEDULED:
        return []
    waiting = _next_in_line(event, free)
    for booking in waiting:
        _make_offer(booking, event=event, now=now)
    return waiting


def _make_offer(
    booking: Booking, *, event: Event, now: datetime, actor: User | None = None, note: str = ""
) -> None:
    """Offer the waiting `booking` a place: an emailed link, open until the offer expires."""
    previous = booking.status
    booking.status = S.OFFERED
    booking.offer_expires_at = min(now + timedelta(hours=settings.BOOKING_OFFER_HOURS), event.start)
    booking.offer_key = secrets.token_urlsafe(32)
    booking.save(update_fields=["status", "offer_expires_at", "offer_key"])
    _log(booking, actor=actor, action="offer", from_status=previous, at=now, note=note)
    _email(booking.id, "waitlist_offer")


def offer_link_token(booking: Booking) -> str:
    """The token in an offer link: the booking's random offer key, signed with a timestamp."""
    if not booking.offer_key:
        raise OfferLinkInvalid("This booking has no open offer")
    return signing.TimestampSigner(salt=OFFER_LINK_SALT).sign(booking.offer_key)


def booking_from_offer_token(token: str, person: User, *, now: datetime | None = None) -> Booking:
    """`person`'s open offer behind a link; OfferLinkInvalid for anything else, all alike."""
    now = now or timezone.now()
    try:
        key = signing.TimestampSigner(salt=OFFER_LINK_SALT).unsign(
            token, max_age=timedelta(hours=settings.BOOKING_OFFER_HOURS)
        )
    except (signing.BadSignature, ValueError) as exc:  # tampered, signed too long ago, malformed
        raise OfferLinkInvalid from exc
    booking = (
        Booking.objects.select_related("event__course", "organisation")
        .filter(offer_key=key, person_id=person.pk)
        .first()
    )
    if booking is not None and booking.event.status == Event.Status.CANCELLED:
        raise OfferEventCancelled(EVENT_CANCELLED)
    if (
        booking is None
        or booking.status != S.OFFERED
        or (booking.offer_expires_at and booking.offer_expires_at <= now)
    ):
        raise OfferLinkInvalid
    return booking


# --- booking -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BookingDetails:
    line_manager_name: str = ""
    line_manager_email: str = ""
    access_needs: str = ""
    dietary_needs: str = ""


@transaction.atomic
def booking_create(
    *,
    event: Event,
    person: User,
    details: BookingDetails | None = None,
    waitlist_if_full: bool = True,
    booked_by: User | None = None,
    now: datetime | None = None,
) -> Booking:
    """Book `person` a place on `event`, or a waiting-list place when it is full."""
    now = now or timezone.now()
    details = details or BookingDetails()
    event = _lock_event(event.pk)
    if event.status == Event.Status.CANCELLED:
        raise BookingError(EVENT_CANCELLED)
    if event.status == Event.Status.DRAFT:
        raise BookingError(EVENT_DRAFT)
    if event.status != Event.Status.SCHEDULED or not event.course.is_published:
        raise BookingError(EVENT_NOT_BOOKABLE)
    if event.start <= now:
        raise BookingError(EVENT_STARTED)
    if person.organisation_id is None:
        raise BookingError(NO_ORGANISATION)
    if Booking.objects.filter(event=event, person=person, status__in=Booking.ACTIVE).exists():
        raise BookingError(_already_booked(person, booked_by))
    _check_prerequisites(event, person)

    taken = _places_taken(event)
    # Someone the free place could be offered to (not those whose organisation is at its limit).
    someone_waiting = bool(_next_in_line(event, 1))
    has_place = taken < event.capacity and not someone_waiting
    if has_place and event.places_per_organisation:
        org_taken = Booking.objects.filter(
            event=event, organisation_id=person.organisation_id, status__in=Booking.HOLDS_PLACE
        ).count()
        if org_taken >= event.places_per_organisation:
            raise BookingError(ORG_LIMIT_REACHED)
    if not has_place and not waitlist_if_full:
        raise BookingError(EVENT_FULL)

    booking = Booking(
        event=event,
        person=person,
        organisation_id=person.organisation_id,
        status=S.CONFIRMED if has_place else S.WAITLISTED,
        created_at=now,
        confirmed_at=now if has_place else None,
        booked_by=booked_by if booked_by and booked_by != person else None,
        line_manager_name=details.line_manager_name,
        line_manager_email=details.line_manager_email,
        access_needs=details.access_needs,
        dietary_needs=details.dietary_needs if event.course.delivery_mode == "face_to_face" else "",
        waitlist_rank=None if has_place else _rank_for_newcomer(event),
    )
    try:
        with transaction.atomic():
            booking.save()
    except IntegrityError as exc:  # the partial unique index: a double submit raced us
        raise BookingError(_already_booked(person, booked_by)) from exc
    _log(booking, actor=booked_by or person, action="book", from_status="", at=now)
    if has_place:
        _email_with_manager(booking, "confirmation")
    else:
        _email(booking.id, "waitlist_joined")
    return booking


@transaction.atomic
def booking_accept_offer(*, booking: Booking, now: datetime | None = None) -> Booking:
    """The person on the waiting list takes the place they were offered."""
    now = now or timezone.now()
    event = _lock_event(booking.event_id)
    booking.refresh_from_db()
    if event.status == Event.Status.CANCELLED:
        raise BookingError(EVENT_CANCELLED)
    if booking.status != S.OFFERED or (
        booking.offer_expires_at and booking.offer_expires_at <= now
    ):
        raise BookingError(OFFER_NOT_OPEN)
    booking.status = S.CONFIRMED
    booking.confirmed_at = now
    booking.offer_expires_at = None
    booking.offer_key = None  # the emailed link is spent
    booking.save(update_fields=["status", "confirmed_at", "offer_expires_at", "offer_key"])
    _log(booking, actor=booking.person, action="accept_offer", from_status=S.OFFERED, at=now)
    _email_with_manager(booking, "confirmation")
    return booking


@transaction.atomic
def offers_expire(*, now: datetime | None = None) -> int:
    """Lapse unanswered offers and pass each freed place to the next in line."""
    now = now or timezone.now()
    event_ids = set(
        Booking.objects.filter(status=S.OFFERED, offer_expires_at__lte=now).values_list(
            "event_id", flat=True
        )
    )
    lapsed = 0
    for event_id in sorted(event_ids):
        event = _lock_event(event_id)
        for booking in Booking.objects.filter(
            event=event, status=S.OFFERED, offer_expires_at__lte=now
        ):
            booking.status = S.EXPIRED
            booking.offer_key = None
            booking.save(update_fields=["status", "offer_key"])
            _log(booking, actor=None, action="offer_lapsed", from_status=S.OFFERED, at=now)
            _email(booking.id, "waitlist_offer_lapsed")
            lapsed += 1
        _offer_free_places(event, now=now)
    return lapsed


@transaction.atomic
def booking_cancel(
    *,
    booking: Booking,
    actor: User,
    reason: CancellationReason | None,
    detail: str = "",
    now: datetime | None = None,
) -> Booking:
    """Cancel a place, an offer or a waiting-list place; a freed place goes to the next in line."""
    now = now or timezone.now()
    event = _lock_event(booking.event_id)
    booking.refresh_from_db()
    if booking.status not in (S.CONFIRMED, S.OFFERED, S.WAITLISTED) or event.start <= now:
        raise BookingError(CANNOT_CANCEL)
    if booking.status in (S.CONFIRMED, S.OFFERED) and reason is None:
        raise BookingError(REASON_REQUIRED, field="reason")
    if reason is not None and reason.needs_detail and not detail.strip():
        raise BookingError(DETAIL_REQUIRED, field="detail")
    previous = booking.status
    booking.status = S.CANCELLED
    booking.cancelled_at = now
    booking.cancelled_late = previous == S.CONFIRMED and now > cancellation_deadline(event)
    booking.cancellation_reason = reason
    booking.cancellation_detail = detail.strip()[:300]
    booking.offer_expires_at = None
    booking.offer_key = None
    booking.save()
    _log(
        booking,
        actor=actor,
        action="cancel",
        from_status=previous,
        at=now,
        note="late" if booking.cancelled_late else "",
    )
    if previous == S.CONFIRMED:
        _email_with_manager(booking, "cancellation")
    if previous in Booking.HOLDS_PLACE:
        _offer_free_places(event, now=now)
    return booking


def _hand_on(
    booking: Booking,
    *,
    as_status: str,
    actions: tuple[str, str],
    note: str,
    actor: User,
    now: datetime,
    **successor,
) -> Booking:
    """Close a confirmed `booking` as `as_status` and create its confirmed successor (the
    `successor` fields), logging both (`actions`: the old booking's, the new one's)."""
    booking.status = as_status
    booking.save(update_fields=["status"])
    _log(booking, actor=actor, action=actions[0], from_status=S.CONFIRMED, at=now, note=note)
    new = Booking.objects.create(
        status=S.CONFIRMED, created_at=now, confirmed_at=now, booked_by=actor, **successor
    )
    _log(
        new,
        actor=actor,
        action=actions[1],
        from_status="",
        at=now,
        note=f"from booking {booking.pk}",
    )
    return new


@transaction.atomic
def booking_substitute(
    *, booking: Booking, colleague: User, actor: User, now: datetime | None = None
) -> Booking:
    """Hand a confirmed place to a colleague of the same organisation (not a cancellation)."""
    now = now or timezone.now()
    event = _lock_event(booking.event_id)
    booking.refresh_from_db()
    if booking.status != S.CONFIRMED or event.start <= now:
        raise BookingError(SUBSTITUTE_NOT_CONFIRMED)
    if colleague.pk == booking.person_id:
        raise BookingError(SUBSTITUTE_SELF, field="colleague")
    if colleague.organisation_id is None or colleague.organisation_id != booking.organisation_id:
        raise BookingError(SUBSTITUTE_SAME_ORG, field="colleague")
    if Booking.objects.filter(event=event, person=colleague, status__in=Booking.ACTIVE).exists():
        raise BookingError(_already_booked(colleague, actor), field="colleague")
    new = _hand_on(
        booking,
        as_status=S.SUBSTITUTED,
        actions=("substitute", "substitute_in"),
        note=f"to person {colleague.pk}",
        actor=actor,
        now=now,
        event=event,
        person=colleague,
        organisation_id=colleague.organisation_id,
        substitute_for=booking,
    )
    _email(booking.id, "substituted_out")
    _email(new.id, "confirmation")
    return new


@transaction.atomic
def booking_move(
    *, booking: Booking, to_event: Event, actor: User, now: datetime | None = None
) -> Booking:
    """The L&D lead moves a confirmed place to another date of the same course."""
    now = now or timezone.now()
    # Lock both events in id order so two opposite moves cannot deadlock.
    locked = {e_id: _lock_event(e_id) for e_id in sorted({booking.event_id, to_event.pk})}
    source, target = locked[booking.event_id], locked[to_event.pk]
    booking.refresh_from_db()
    if booking.status != S.CONFIRMED:
        raise BookingError(MOVE_NOT_CONFIRMED)
    if source.course_id != target.course_id or source.pk == target.pk:
        raise BookingError(MOVE_SAME_COURSE, field="to_event")
    if target.status != Event.Status.SCHEDULED or target.start <= now:
        raise BookingError(EVENT_NOT_BOOKABLE, field="to_event")
    if _places_taken(target) >= target.capacity:
        raise BookingError(EVENT_FULL, field="to_event")
    if Booking.objects.filter(
        event=target, person_id=booking.person_id, status__in=Booking.ACTIVE
    ).exists():
        raise BookingError(_already_booked(booking.person, actor), field="to_event")
    new = _hand_on(
        booking,
        as_status=S.MOVED,
        actions=("move", "moved_in"),
        note=f"to event {target.pk}",
        actor=actor,
        now=now,
        event=target,
        person_id=booking.person_id,
        organisation_id=booking.organisation_id,
        line_manager_name=booking.line_manager_name,
        line_manager_email=booking.line_manager_email,
        access_needs=booking.access_needs,
        dietary_needs=booking.dietary_needs,
    )
    # The old date's entry leaves their calendar (its own UID), the new date's comes in.
    _email(booking.id, "moved_out")
    _email_with_manager(new, "confirmation")
    _offer_free_places(source, now=now)
    return new


@transaction.atomic
def event_cancel(*, event: Event, actor: User, reason: str, now: datetime | None = None) -> Event:
    """The organiser cancels a whole event; bookings stay for the record, everyone is told."""
    now = now or timezone.now()
    event = _lock_event(event.pk)
    if event.status == Event.Status.CANCELLED:
        raise BookingError(EVENT_ALREADY_CANCELLED)
    if event.status == Event.Status.DRAFT:
        # A cancelled event counts in the reports as cancelled by the organiser; a draft never ran.
        raise BookingError(EVENT_DRAFT_NOT_CANCELLABLE)
    if not reason.strip():
        raise BookingError("Give a reason for cancelling the event.", field="reason")
    event.status = Event.Status.CANCELLED
    event.cancellation_reason = reason.strip()
    event.save(update_fields=["status", "cancellation_reason"])
    told = list(
        Booking.objects.filter(
            event=event, status__in=(S.CONFIRMED, S.OFFERED, S.WAITLISTED)
        ).values_list("id", flat=True)
    )
    # Open offers are withdrawn: no place is left to take. The offer key stays so that the
    # emailed link can say the event was cancelled; an offer email not yet sent is not sent
    # (bookings.emails.build_message).
    for booking in Booking.objects.filter(event=event, status=S.OFFERED):
        booking.status = S.EXPIRED
        booking.offer_expires_at = now
        booking.save(update_fields=["status", "offer_expires_at"])
        _log(
            booking,
            actor=actor,
            action="offer_withdrawn",
            from_status=S.OFFERED,
            at=now,
            note="event cancelled",
        )
    for booking_id in told:
        _email(booking_id, "event_cancelled")
    return event


# The details a delegate's calendar entry shows: a change to any of them is sent to everyone
# holding a place, as an update of their entry.
CALENDAR_DETAILS = frozenset({"start", "end", "venue", "joining_link"})


@transaction.atomic
def event_details_change(
    *, event: Event, changed: set[str], actor: User | None = None, now: datetime | None = None
) -> int:
    """After an event's time, venue or joining link was changed and saved: raise its calendar
    SEQUENCE and owe each delegate holding a place an update (METHOD:REQUEST at the new sequence).

    `changed` names the fields changed (others are ignored). Returns how many delegates were owed
    an update: none when nothing in CALENDAR_DETAILS changed, or the event is cancelled, delivered
    or over. Each change owes its own email ("event_updated-<sequence>"), so a second change
    sends a second update. The email is built when it is sent, from the event as it is then.
    """
    now = now or timezone.now()
    fields = sorted(set(changed) & CALENDAR_DETAILS)
    if not fields:
        return 0
    locked = _lock_event(event.pk)
    if locked.status != Event.Status.SCHEDULED or locked.end <= now:
        return 0
    locked.calendar_sequence += 1
    locked.save(update_fields=["calendar_sequence"])
    # The caller's copy too, so that saving it again does not put the old sequence back.
    event.calendar_sequence = locked.calendar_sequence
    event = locked
    purpose = f"event_updated-{event.calendar_sequence}"
    holders = list(
        Booking.objects.filter(event=event, status__in=calendar.HAS_ENTRY).order_by("id")
    )
    note = "changed: " + ", ".join(fields)
    for booking in holders:
        _log(
            booking,
            actor=actor,
            action=EVENT_CHANGED,
            from_status=booking.status,
            at=now,
            note=note,
        )
        _email(booking.id, purpose)
    return len(holders)


@transaction.atomic
def event_capacity_change(
    *, event: Event, capacity: int, actor: User | None = None, now: datetime | None = None
) -> Event:
    """Change an event's number of places; new places go to the waiting list at once."""
    now = now or timezone.now()
    event = _lock_event(event.pk)
    if capacity < 1:
        raise BookingError(CAPACITY_BELOW_ONE, field="capacity")
    taken = _places_taken(event)
    if capacity < taken:
        raise BookingError(CAPACITY_BELOW_TAKEN.format(taken=taken), field="capacity")
    if capacity != event.capacity:
        event.capacity = capacity
        event.save(update_fields=["capacity"])
        # Under the same lock, so a newcomer cannot take a new place ahead of those waiting.
        _offer_free_places(event, now=now)
    return event


# What each changed field is called in the "event updated" email, in the order it names them.
DETAIL_NAMES = {
    "start": "the start",
    "end": "the end",
    "venue": "the venue",
    "joining_link": "the joining link",
}
DETAIL_FIELDS = tuple(DETAIL_NAMES)
EVENT_CHANGED = "event_updated"  # BookingLog action: the note ("changed: start, venue") says what


def changed_wording(changed: set[str]) -> str:
    """ "the start and the venue": the changed details as the update email names them."""
    named = [DETAIL_NAMES[f] for f in DETAIL_FIELDS if f in changed]
    if not named:
        return ""
    return ", ".join(named[:-1]) + (" and " if len(named) > 1 else "") + named[-1]


@transaction.atomic
def event_update(
    *,
    event: Event,
    values: dict,
    trainers,
    actor: User | None = None,
    recording_history: bool = False,
    now: datetime | None = None,
) -> set[str]:
    """The lead's edit of an event: checked fields saved, a new capacity offered to the waiting
    list (`event_capacity_change`), a changed time, venue or link told to every delegate holding
    a place (`event_details_change`). Returns the names of the fields that changed."""
    locked = _lock_event(event.pk)
    before = {name: getattr(locked, name) for name in values}
    before["venue"] = locked.venue_id
    capacity = values.get("capacity", locked.capacity)
    for name, value in values.items():
        if name != "capacity":
            setattr(locked, name, value)
    probe_capacity, locked.capacity = locked.capacity, capacity
    event_validate(event=locked, recording_history=recording_history)
    locked.capacity = probe_capacity
    locked.save()
    after = {name: getattr(locked, name) for name in values}
    after["venue"] = locked.venue_id
    after["capacity"] = capacity
    changed = {name for name in values if before[name] != after[name]}
    if "capacity" in changed:
        event_capacity_change(event=locked, capacity=capacity, actor=actor, now=now)
    old_trainers = set(locked.trainers.values_list("pk", flat=True))
    locked.trainers.set(trainers)
    if old_trainers != {t.pk for t in trainers}:
        changed.add("trainers")
    details = changed & set(DETAIL_FIELDS)
    if details:
        event_details_change(event=locked, changed=details, actor=actor, now=now)
    return changed


# --- the lead's event page: the waiting list, moving several people, messages -------------


@transaction.atomic
def waitlist_move(
    *, booking: Booking, up: bool, position: int, actor: User, now: datetime | None = None
) -> list[Booking]:
    """Move a waiting booking one place up or down; returns the waiting list in its new order.

    `position` is where the lead saw the person (1 for the first): if the list has changed since
    (someone joined, left, was offered a place or moved), nothing moves and the lead is told.
    The whole list is numbered afresh, so its order is kept from then on (`_next_in_line`).
    """
    now = now or timezone.now()
    event = _lock_event(booking.event_id)
    queue = list(_waiting(event))
    ids = [b.pk for b in queue]
    if booking.pk not in ids:
        raise BookingError(NOT_WAITING.format(person=booking.person))
    index = ids.index(booking.pk)
    if index + 1 != position:
        raise BookingError(WAITLIST_STALE)
    target = index - 1 if up else index + 1
    if target < 0:
        raise BookingError(WAITLIST_ALREADY_FIRST.format(person=booking.person))
    if target >= len(queue):
        raise BookingError(WAITLIST_ALREADY_LAST.format(person=booking.person))
    queue[index], queue[target] = queue[target], queue[index]
    changed = []
    for rank, waiting in enumerate(queue, start=1):
        if waiting.waitlist_rank != rank:
            waiting.waitlist_rank = rank
            changed.append(waiting)
    Booking.objects.bulk_update(changed, ["waitlist_rank"])
    _log(
        queue[target],
        actor=actor,
        action="waitlist_reorder",
        from_status=S.WAITLISTED,
        at=now,
        note=f"from number {index + 1} to number {target + 1}",
    )
    return queue


@transaction.atomic
def waitlist_offer(*, booking: Booking, actor: User, now: datetime | None = None) -> Booking:
    """The lead offers a free place to this person now, whatever their place in the queue.

    The lead's decision: it may go ahead of the queue and over the per-organisation limit (a
    place held back because everyone waiting is from an organisation at its limit). It needs a
    free place: one that no booking holds or has been offered.
    """
    now = now or timezone.now()
    event = _lock_event(booking.event_id)
    booking.refresh_from_db()
    if booking.status != S.WAITLISTED:
        raise BookingError(NOT_WAITING.format(person=booking.person))
    if event.status != Event.Status.SCHEDULED or event.start <= now:
        raise BookingError(OFFER_EVENT_CLOSED)
    if _places_taken(event) >= event.capacity:
        raise BookingError(NO_PLACE_FREE.format(capacity=event.capacity, person=booking.person))
    _make_offer(booking, event=event, now=now, actor=actor, note="offered by the L&D lead")
    return booking


@transaction.atomic
def waitlist_remove(*, booking: Booking, actor: User, now: datetime | None = None) -> Booking:
    """The lead takes someone off the waiting list; they are emailed."""
    now = now or timezone.now()
    _lock_event(booking.event_id)
    booking.refresh_from_db()
    if booking.status != S.WAITLISTED:
        raise BookingError(NOT_WAITING.format(person=booking.person))
    booking.status = S.CANCELLED
    booking.cancelled_at = now
    booking.save(update_fields=["status", "cancelled_at"])
    _log(booking, actor=actor, action="waitlist_removed", from_status=S.WAITLISTED, at=now)
    _email(booking.id, "waitlist_removed")
    return booking


@transaction.atomic
def bookings_move(
    *, bookings: list[Booking], to_event: Event, actor: User, now: datetime | None = None
) -> list[Booking]:
    """Move several confirmed places to another date of the same course: all of them, or none.

    Each goes through `booking_move` (its checks, log and emails); the first refusal undoes
    every move made before it and names the person, so the lead never has to work out who
    moved and who did not.
    """
    now = now or timezone.now()
    if not bookings:
        raise BookingError(MOVE_NOBODY, field="bookings")
    # Every event involved locked at once, in id order, so two moves cannot deadlock.
    locked = {
        e_id: _lock_event(e_id) for e_id in sorted({b.event_id for b in bookings} | {to_event.pk})
    }
    target = locked[to_event.pk]
    if any(locked[b.event_id].course_id != target.course_id for b in bookings) or any(
        b.event_id == target.pk for b in bookings
    ):
        raise BookingError(MOVE_SAME_COURSE, field="to_event")
    if target.status != Event.Status.SCHEDULED or target.start <= now:
        raise BookingError(EVENT_NOT_BOOKABLE, field="to_event")
    free = max(target.capacity - _places_taken(target), 0)
    if len(bookings) > free:
        raise BookingError(
            MOVE_NO_ROOM.format(free=free, s="" if free == 1 else "s"), field="to_event"
        )
    moved = []
    for booking in bookings:
        try:
            moved.append(booking_move(booking=booking, to_event=target, actor=actor, now=now))
        except BookingError as error:
            raise BookingError(
                MOVE_PERSON_FAILED.format(person=booking.person, reason=error.message),
                field="bookings",
            ) from error
    return moved


@transaction.atomic
def event_message_send(
    *,
    event: Event,
    audience: str,
    subject_line: str,
    body: str,
    actor: User,
    now: datetime | None = None,
) -> EventMessage:
    """Email a message to everyone booked on an event, or waiting: one outbox row each, and a
    record of what was sent to how many.

    `subject_line`: the email's subject (`subject` names a person in these modules).
    """
    now = now or timezone.now()
    subject = clean_line(subject_line)
    body = clean_text(body or "").strip()
    if audience not in EventMessage.Audience.values:
        raise BookingError("Choose who to send the message to.", field="audience")
    if not subject:
        raise BookingError(MESSAGE_NO_SUBJECT, field="subject")
    if not body:
        raise BookingError(MESSAGE_NO_BODY, field="body")
    recipients = event_message_recipients(event, audience)
    if not recipients:
        raise BookingError(MESSAGE_NOBODY, field="audience")
    message = EventMessage.objects.create(
        event=event,
        audience=audience,
        subject=subject[:150],
        body=body,
        sent_by=actor,
        created_at=now,
        recipients=len(recipients),
    )
    for booking_id in recipients:
        _email(booking_id, message.purpose)
    return message


# --- attendance ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Mark:
    """A delegate's mark. On an event of one session, `status`; on an event of several, the
    sessions marked (session id -> present) and the status follows from them."""

    status: str = ""
    reason_id: int | None = None
    reinstate: bool = False
    sessions: dict[int, bool] = field(default_factory=dict)


def register_is_open(event: Event, *, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return timezone.localtime(now).date() >= timezone.localtime(event.start).date()


def register_closed_to(event: Event, actor: User | None, *, now: datetime | None = None) -> bool:
    """True when `actor` may no longer change this event's register: a trainer, once
    REGISTER_TRAINER_DAYS_AFTER days have passed since the event ended (attendance, and the
    certificates and compliance it gives, is not rewritten long after). The L&D lead, and the
    system (no actor), may always amend it."""
    if actor is None or actor.has_role(LEAD):
        return False
    now = now or timezone.now()
    return now > register_trainer_deadline(event)


def register_trainer_last_day(event: Event) -> date:
    """The last London day on which a trainer may still change the register."""
    return timezone.localtime(event.end, LONDON).date() + timedelta(
        days=settings.REGISTER_TRAINER_DAYS_AFTER
    )


def register_trainer_deadline(event: Event) -> datetime:
    """The moment the register closes to trainers: the end of their last day."""
    return day_start(register_trainer_last_day(event) + timedelta(days=1))


def _check_register_open_to(event: Event, actor: User | None, now: datetime) -> None:
    if register_closed_to(event, actor, now=now):
        day = register_trainer_last_day(event)
        raise BookingError(REGISTER_CLOSED_TO_TRAINERS.format(day=f"{day:%-d %B %Y}"))


def session_is_open(session: EventSession, *, now: datetime | None = None) -> bool:
    """A session's column of the register opens on the session's day."""
    now = now or timezone.now()
    return timezone.localtime(now).date() >= timezone.localtime(session.start).date()


def status_from_sessions(present: dict[int, bool], sessions: list[EventSession]) -> str | None:
    """Attended at every session, partial at some, no_show at none; None until all are marked."""
    if not sessions or any(s.pk not in present for s in sessions):
        return None
    count = sum(1 for s in sessions if present[s.pk])
    if count == len(sessions):
        return S.ATTENDED
    return S.PARTIAL if count else S.NO_SHOW


def _marks_with_rest_attended(
    event: Event,
    marks: dict[int, Mark],
    sessions: list[EventSession],
    recorded: dict[int, dict[int, bool]],
    now: datetime,
) -> dict[int, Mark]:
    """ "Mark all attended": everyone on the register not marked yet is present (the marks given
    win; nobody already marked changes; cancelled places stay cancelled)."""
    marks = dict(marks)
    on_register = Booking.objects.filter(event=event, status__in=(S.CONFIRMED, *MARKABLE))
    open_ids = [s.pk for s in sessions if session_is_open(s, now=now)]
    for booking_id, status in on_register.values_list("pk", "status"):
        given = marks.get(booking_id)
        if not sessions:
            if given is None and status == S.CONFIRMED:
                marks[booking_id] = Mark(S.ATTENDED)
            continue
        known = {**recorded.get(booking_id, {}), **(given.sessions if given else {})}
        rest = {session_id: True for session_id in open_ids if session_id not in known}
        if rest:
            base = given or Mark()
            marks[booking_id] = replace(base, sessions={**base.sessions, **rest})
    return marks


@transaction.atomic
def register_save(
    *,
    event: Event,
    actor: User | None,
    marks: dict[int, Mark],
    mark_rest_attended: bool = False,
    now: datetime | None = None,
) -> list[Booking]:
    """Mark many delegates at once: one lock, one read, one bulk update, one log write.

    On an event of several sessions each mark says who was present at which session; a
    booking's status follows once every session is marked (status_from_sessions).
    `mark_rest_attended`: everyone not yet marked is marked present ("Mark all attended").
    """
    now = now or timezone.now()
    event = _lock_event(event.pk)
    if event.status == Event.Status.CANCELLED:
        raise BookingError(EVENT_CANCELLED)
    if not register_is_open(event, now=now):
        raise BookingError(REGISTER_TOO_EARLY)
    _check_register_open_to(event, actor, now)
    sessions = list(EventSession.objects.filter(event=event).order_by("order"))
    recorded: dict[int, dict[int, SessionAttendance]] = {}
    if sessions:
        for row in SessionAttendance.objects.filter(booking__event=event):
            recorded.setdefault(row.booking_id, {})[row.session_id] = row
    if mark_rest_attended:
        present = {b: {s: r.present for s, r in rows.items()} for b, rows in recorded.items()}
        marks = _marks_with_rest_attended(event, marks, sessions, present, now)
    bookings = {
        b.pk: b
        for b in Booking.objects.filter(event=event, pk__in=list(marks)).select_related("person")
    }
    changed, logs, attendance_new, attendance_changed = [], [], [], []
    reinstated: set[int] = set()
    for booking_id, mark in marks.items():
        booking = bookings.get(booking_id)
        if booking is None:
            raise BookingError(NOT_ON_REGISTER)
        note = ""
        if sessions:
            target, note = _session_marks(
                booking, mark, sessions, recorded.get(booking_id, {}), now,
                attendance_new, attendance_changed,
            )  # fmt: skip
        else:
            target = mark.status
        if target is None:  # sessions still to mark: the status waits for them
            if note:
                logs.append(_attendance_log(booking, actor, now, booking.status, note))
            continue
        if target not in MARKABLE:
            raise BookingError(
                BAD_TRANSITION.format(current=booking.get_status_display(), target=target)
            )
        allowed = REGISTER_TRANSITIONS.get(booking.status, set())
        if booking.status == S.CANCELLED and mark.reinstate:
            allowed = set(MARKABLE)
        if target not in allowed:
            raise BookingError(
                BAD_TRANSITION.format(current=booking.get_status_display(), target=S(target).label)
            )
        reason_id = mark.reason_id if target == S.NO_SHOW else None
        if booking.status == target and booking.non_attendance_reason_id == reason_id:
            if note:
                logs.append(_attendance_log(booking, actor, now, booking.status, note))
            continue
        previous = booking.status
        if previous == S.CANCELLED:
            reinstated.add(booking.pk)
        booking.status = target
        booking.non_attendance_reason_id = reason_id
        booking.attendance_marked_at = now
        changed.append(booking)
        logs.append(_attendance_log(booking, actor, now, previous, note))
    _check_reinstated_not_booked_again(event, [b for b in changed if b.pk in reinstated])
    Booking.objects.bulk_update(
        changed, ["status", "non_attendance_reason", "attendance_marked_at"]
    )
    SessionAttendance.objects.bulk_create(attendance_new)
    SessionAttendance.objects.bulk_update(attendance_changed, ["present", "marked_at"])
    BookingLog.objects.bulk_create(logs)  # bulk writes send no signals: the log is written here
    if event.status == Event.Status.SCHEDULED and event.start <= now:
        event.status = Event.Status.DELIVERED
        event.save(update_fields=["status"])
    return changed


def _attendance_log(
    booking: Booking, actor: User | None, now: datetime, previous: str, note: str
) -> BookingLog:
    return BookingLog(
        booking=booking,
        actor=actor,
        at=now,
        action="reinstate_and_mark" if previous == S.CANCELLED else "attendance",
        from_status=previous,
        to_status=booking.status,
        note=note[:300],
    )


def _session_marks(
    booking: Booking,
    mark: Mark,
    sessions: list[EventSession],
    recorded: dict[int, SessionAttendance],
    now: datetime,
    new: list[SessionAttendance],
    changed: list[SessionAttendance],
) -> tuple[str | None, str]:
    """Record `mark`'s sessions for `booking`; (the status they give or None, a log note)."""
    by_id = {s.pk: s for s in sessions}
    if booking.status == S.CANCELLED and not mark.reinstate and mark.sessions:
        raise BookingError(
            BAD_TRANSITION.format(current=booking.get_status_display(), target=S.ATTENDED.label)
        )
    notes = []
    for session_id, present in mark.sessions.items():
        session = by_id.get(session_id)
        if session is None:
            raise BookingError(SESSION_NOT_OF_EVENT)
        row = recorded.get(session_id)
        if row is not None and row.present == present:
            continue
        if not session_is_open(session, now=now):
            raise BookingError(SESSION_TOO_EARLY.format(order=session.order))
        if row is None:
            row = SessionAttendance(booking=booking, session=session, present=present)
            new.append(row)
        else:
            changed.append(row)
        row.present, row.marked_at = present, now
        recorded = {**recorded, session_id: row}
        notes.append(f"session {session.order} {'present' if present else 'absent'}")
    target = status_from_sessions({k: r.present for k, r in recorded.items()}, sessions)
    if target is None and booking.status == S.CANCELLED and mark.reinstate:
        raise BookingError(REINSTATE_EVERY_SESSION.format(person=booking.person))
    return target, ", ".join(sorted(notes))


def _check_reinstated_not_booked_again(event: Event, reinstated: list[Booking]) -> None:
    """A cancelled row may come back only if its person holds no other booking on the event.

    Someone who cancelled and booked again has a current booking: reinstating the old row too
    would give them two (the partial unique index would refuse it with an IntegrityError).
    """
    if not reinstated:
        return
    others = set(
        Booking.objects.filter(
            event=event,
            person_id__in=[b.person_id for b in reinstated],
            status__in=Booking.ACTIVE,
        )
        .exclude(pk__in=[b.pk for b in reinstated])
        .values_list("person_id", flat=True)
    )
    seen: set[int] = set()
    for booking in reinstated:
        if booking.person_id in others or booking.person_id in seen:
            raise BookingError(REINSTATE_BOOKED_AGAIN.format(person=booking.person))
        seen.add(booking.person_id)


@transaction.atomic
def register_add_walk_in(
    *,
    event: Event,
    person: User,
    actor: User,
    status: str = S.ATTENDED,
    now: datetime | None = None,
) -> Booking:
    """Someone came without a booking: record them on the register as attended."""
    now = now or timezone.now()
    event = _lock_event(event.pk)
    if event.status == Event.Status.CANCELLED:
        raise BookingError(EVENT_CANCELLED)
    if not register_is_open(event, now=now):
        raise BookingError(REGISTER_TOO_EARLY)
    _check_register_open_to(event, actor, now)
    if status not in (S.ATTENDED, S.PARTIAL):
        raise BookingError(BAD_TRANSITION.format(current="walk-in", target=status))
    existing = Booking.objects.filter(event=event, person=person, status__in=Booking.ACTIVE).first()
    if existing is not None:
        raise BookingError(_already_booked(person, actor), field="email")
    sessions = list(EventSession.objects.filter(event=event).order_by("order"))
    # On an event of several sessions a walk-in is present at the sessions held so far (today's
    # and before); the status follows from the sessions as on the register.
    present = {s.pk: True for s in sessions if session_is_open(s, now=now)}
    if sessions:
        status = status_from_sessions(present, sessions) or S.CONFIRMED
    booking = Booking.objects.create(
        event=event,
        person=person,
        organisation_id=person.organisation_id,
        status=status,
        created_at=now,
        confirmed_at=now,
        attendance_marked_at=now,
        is_walk_in=True,
        booked_by=actor,
    )
    SessionAttendance.objects.bulk_create(
        SessionAttendance(booking=booking, session_id=pk, present=True, marked_at=now)
        for pk in present
    )
    _log(booking, actor=actor, action="walk_in", from_status="", at=now)
    return booking


# --- e-learning ----------------------------------------------------------------------------


@transaction.atomic
def enrolment_complete(
    *,
    course: Course,
    person: User,
    completed_on: date,
    enrolled_at: datetime | None = None,
    now: datetime | None = None,
) -> Enrolment:
    """Record an e-learning completion (by the delegate, the lead or an import)."""
    now = now or timezone.now()
    if course.delivery_mode != "elearning":
        raise BookingError(ENROLMENT_NOT_ELEARNING)
    if completed_on > timezone.localdate(now):
        raise BookingError(COMPLETION_IN_FUTURE, field="completed_on")
    completed_at = timezone.make_aware(datetime.combine(completed_on, datetime.min.time()))
    enrolment = (
        Enrolment.objects.filter(course=course, person=person, completed_at__isnull=True)
        .order_by("-enrolled_at")
        .first()
    )
    started = enrolment.enrolled_at if enrolment is not None else enrolled_at
    if started is not None and completed_on < timezone.localdate(started):
        raise BookingError(
            COMPLETION_BEFORE_ENROLMENT.format(started=timezone.localdate(started)),
            field="completed_on",
        )
    if enrolment is None:
        enrolment = Enrolment(
            course=course,
            person=person,
            enrolled_at=enrolled_at or completed_at,
            organisation_id=person.organisation_id,
        )
    enrolment.completed_at = completed_at
    enrolment.save()
    return enrolment


@transaction.atomic
def enrolment_start(*, course: Course, person: User, now: datetime | None = None) -> Enrolment:
    """The person launches an e-learning module: their open enrolment (made now if none)."""
    now = now or timezone.now()
    if course.delivery_mode != "elearning":
        raise BookingError(ENROLMENT_NOT_ELEARNING)
    if not course.launch_url:
        raise BookingError(LAUNCH_LINK_MISSING)
    enrolment = (
        Enrolment.objects.select_for_update()
        .filter(course=course, person=person, completed_at__isnull=True)
        .order_by("-enrolled_at")
        .first()
    )
    if enrolment is None:
        enrolment = Enrolment.objects.create(
            course=course,
            person=person,
            enrolled_at=now,
            organisation_id=person.organisation_id,
        )
    return enrolment


# --- walk-ins ------------------------------------------------------------------------------

WALK_IN_NAME_NEEDED = "We have no account for this email address: enter their full name."
WALK_IN_ORGANISATION_NEEDED = (
    "We have no account for this email address: choose their organisation."
)


@transaction.atomic
def walk_in_person_get_or_create(
    *, email: str, full_name: str = "", organisation: Organisation | None = None
) -> User:
    """The person with this email; a new account (no password) when a walk-in is new to us."""
    from people.models import User

    email = email.strip().lower()
    person = User.objects.filter(email__iexact=email).first()
    if person is not None:
        return person
    if not full_name.strip():
        raise BookingError(WALK_IN_NAME_NEEDED, field="full_name")
    if organisation is None:
        raise BookingError(WALK_IN_ORGANISATION_NEEDED, field="organisation")
    # No password: they sign in with an emailed code if they ever come back.
    return User.objects.create_user(
        email=email, full_name=" ".join(full_name.split()), organisation=organisation
    )
