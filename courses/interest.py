"""Demand for courses with no dates: "Tell me when dates are announced".

A practitioner registers interest in a course that has no upcoming bookable dates
(`interest_register`), or stops it (`interest_withdraw`). When an event of the course is
published (`courses.signals.event_published`), `interested_notify` owes each person still waiting
one email through the outbox and marks them told, in one transaction: a second date of the same
course, or the task run again, emails nobody twice. The lead sees the demand by course and by
organisation (`demand_by_course`, `demand_by_organisation`, `demand_rows`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Count, Exists, Min, OuterRef, Q
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core.mail import compose
from courses.models import Course, CourseInterest, Event
from courses.signals import event_published
from messaging import outbox

if TYPE_CHECKING:
    from people.models import User

logger = logging.getLogger(__name__)

# The outbox row's purpose: one email per person per published event (the interest's
# `notified_at`, set in the same transaction, makes it one per registration).
PURPOSE_PREFIX = "dates_announced-"
SEND_TASK = "courses.tasks.send_dates_announced"
NOTIFY_TASK = "courses.tasks.notify_interested"
SUBJECT = "Dates announced: {course}"

HAS_DATES = "This course has dates you can book now: choose one below."
RETIRED = "This course is no longer offered."
ELEARNING = "This is an e-learning module: you can take it at any time."
NOT_SIGNED_IN = "Sign in first to be told when dates are announced."


class InterestError(Exception):
    """Interest cannot be registered (the message says why, for the person)."""


def upcoming_bookable_events():
    """Events a practitioner can book now: scheduled, of a published course, still to start."""
    return Event.objects.upcoming().bookable()


def course_has_dates(course: Course) -> bool:
    """True when the course has an upcoming bookable date."""
    return upcoming_bookable_events().filter(course=course).exists()


def with_has_dates(courses):
    """The courses annotated `has_dates`: an upcoming bookable date exists."""
    return courses.annotate(
        has_dates=Exists(upcoming_bookable_events().filter(course=OuterRef("pk")))
    )


def interest_not_offered_reason(course: Course) -> str:
    """Why "Tell me when dates are announced" is not offered for this course, or ""."""
    if course.is_retired or not course.is_published:
        return RETIRED
    if course.is_elearning:
        return ELEARNING
    if course_has_dates(course):
        return HAS_DATES
    return ""


def interest_for(*, course: Course, person: User | None) -> CourseInterest | None:
    """The person's interest in the course, if they registered one (None: not signed in)."""
    if person is None:
        return None
    return CourseInterest.objects.filter(course=course, person=person).first()


def interest_waiting_course_ids(person: User | None) -> set[int]:
    """Courses the person is waiting to hear about (registered, not yet told)."""
    if person is None:
        return set()
    return set(
        CourseInterest.objects.filter(person=person, notified_at__isnull=True).values_list(
            "course_id", flat=True
        )
    )


@transaction.atomic
def interest_register(*, course: Course, person: User) -> CourseInterest:
    """Record that the person wants an email when dates are announced (with their organisation
    now). Registering again after being told starts a fresh request."""
    reason = interest_not_offered_reason(course)
    if reason:
        raise InterestError(reason)
    interest, created = CourseInterest.objects.select_for_update().get_or_create(
        course=course, person=person, defaults={"organisation_id": person.organisation_id}
    )
    if not created and interest.notified_at is not None:
        # Told before (the dates went, or filled): a new request, counted from now.
        interest.notified_at = None
        interest.notified_event = None
        interest.created_at = timezone.now()
        interest.organisation_id = person.organisation_id
        interest.save(update_fields=["notified_at", "notified_event", "created_at", "organisation"])
    return interest


@transaction.atomic
def interest_withdraw(*, course: Course, person: User) -> bool:
    """Stop waiting to hear about the course; False when there was nothing to stop."""
    deleted, _ = CourseInterest.objects.filter(course=course, person=person).delete()
    return bool(deleted)


# --- telling them ---------------------------------------------------------------------------


@receiver(event_published, dispatch_uid="courses.interest.queue_notification")
def queue_notification(sender, event, **kwargs) -> None:
    """A published event: queue the emails to the people waiting to hear about its course. The
    signal is sent after the commit, so the task reads the event as committed."""
    if not CourseInterest.objects.filter(
        course_id=event.course_id, notified_at__isnull=True
    ).exists():
        return
    from django_q.tasks import async_task

    try:
        async_task(NOTIFY_TASK, event.pk, task_name=f"dates-announced-{event.pk}")
    except Exception:  # noqa: BLE001 - a broker outage must not fail the lead's saved event
        logger.exception("Could not queue the dates-announced emails for event %s", event.pk)


def interested_notify(*, event_id: int) -> int:
    """Owe one email to each person waiting to hear about the event's course, and mark them
    told; the emails go through the outbox after the commit. Returns how many were owed."""
    event = Event.objects.select_related("course").filter(pk=event_id).first()
    if event is None or not _announceable(event):
        return 0
    rows = []
    with transaction.atomic():
        waiting = list(
            CourseInterest.objects.select_for_update()
            .filter(course_id=event.course_id, notified_at__isnull=True, person__is_active=True)
            .order_by("pk")
        )
        for interest in waiting:
            row, _ = outbox.outbox_record_for_person(
                person_id=interest.person_id, purpose=f"{PURPOSE_PREFIX}{event.pk}", task=SEND_TASK
            )
            rows.append(row)
        CourseInterest.objects.filter(pk__in=[i.pk for i in waiting]).update(
            notified_at=timezone.now(), notified_event=event
        )
        transaction.on_commit(lambda: [outbox.outbox_enqueue(row) for row in rows])
    return len(rows)


def interested_sweep() -> int:
    """Owe the emails a lost queue never owed: people still waiting to hear about a course that
    now has an upcoming bookable date (the queue was down when it was published). Safe beside
    the task itself: `interested_notify` locks and marks the people it tells. Returns how many
    emails were owed."""
    waiting = CourseInterest.objects.filter(notified_at__isnull=True, person__is_active=True)
    owed = 0
    for course_id in waiting.values_list("course_id", flat=True).distinct().order_by("course_id"):
        event = upcoming_bookable_events().filter(course_id=course_id).order_by("start").first()
        if event is not None:
            owed += interested_notify(event_id=event.pk)
    return owed


def _announceable(event: Event) -> bool:
    course = event.course
    return (
        event.status == Event.Status.SCHEDULED
        and event.start > timezone.now()
        and course.is_published
        and not course.is_retired
    )


def build_dates_announced(person_id: int, purpose: str) -> EmailMessage | None:
    """The email, or None (the outbox row is skipped) when it is no longer due: the person
    withdrew, or the event was cancelled or has started before the email went (then the person
    waits again for the next date)."""
    event_id = int(purpose.removeprefix(PURPOSE_PREFIX))
    interest = (
        CourseInterest.objects.select_related("person", "course")
        .filter(person_id=person_id, notified_event_id=event_id)
        .first()
    )
    if interest is None or not interest.person.email or not interest.person.is_active:
        return None
    event = Event.objects.select_related("venue", "course").filter(pk=event_id).first()
    if event is None or not _announceable(event):
        CourseInterest.objects.filter(pk=interest.pk).update(notified_at=None, notified_event=None)
        return None
    course = event.course
    context = {
        "person": interest.person,
        "course": course,
        "event": event,
        "event_url": settings.SITE_URL + reverse("courses:event", args=[event.pk]),
        "course_url": settings.SITE_URL + reverse("courses:course", args=[course.slug]),
        "partnership_name": settings.PARTNERSHIP_NAME,
    }
    body = render_to_string("courses/email/dates_announced.txt", context)
    return compose(
        subject=SUBJECT.format(course=course.title), text=body, to=[interest.person.email]
    )


def send_dates_announced(person_id: int, purpose: str) -> bool:
    """Send one dates-announced email at most once; True when this call sent it."""
    return outbox.send_person_once(
        person_id, purpose, lambda: build_dates_announced(person_id, purpose), task=SEND_TASK
    )


# --- the lead's view of demand --------------------------------------------------------------


@dataclass
class CourseDemand:
    course: Course
    waiting: int  # people waiting to hear
    oldest: datetime | None  # the oldest request still waiting
    has_dates: bool  # an upcoming bookable date exists now
    # (organisation, people waiting, their oldest request), most people first
    organisations: list[tuple[str, int, datetime]] = field(default_factory=list)


NO_ORGANISATION = "No organisation given"


def _waiting():
    return CourseInterest.objects.filter(notified_at__isnull=True, person__is_active=True)


def demand_by_course() -> list[CourseDemand]:
    """Each course someone is waiting to hear about: how many people, from which
    organisations, since when, and whether it has dates now. Most wanted first. Two queries."""
    dated = upcoming_bookable_events().filter(course=OuterRef("pk"))
    courses = (
        Course.objects.filter(interests__in=_waiting())
        .annotate(
            waiting=Count("interests", filter=Q(interests__in=_waiting()), distinct=True),
            oldest=Min("interests__created_at", filter=Q(interests__in=_waiting())),
            has_dates=Exists(dated),
        )
        .distinct()
    )
    rows = {
        c.pk: CourseDemand(c, c.waiting, c.oldest, c.has_dates)
        for c in courses.select_related("priority_area")
    }
    by_org = (
        _waiting()
        .values("course_id", "organisation__name")
        .annotate(people=Count("pk"), oldest=Min("created_at"))
        .order_by("course_id", "-people", "organisation__name")
    )
    for item in by_org:
        if item["course_id"] in rows:
            name = item["organisation__name"] or NO_ORGANISATION
            rows[item["course_id"]].organisations.append((name, item["people"], item["oldest"]))
    return sorted(rows.values(), key=lambda r: (-r.waiting, r.course.title))


def demand_by_organisation() -> list[tuple[str, int, int]]:
    """(organisation, people waiting to hear, courses they wait for), most people first."""
    found = (
        _waiting()
        .values("organisation__name")
        .annotate(people=Count("person", distinct=True), courses=Count("course", distinct=True))
        .order_by("-people", "organisation__name")
    )
    return [(f["organisation__name"] or NO_ORGANISATION, f["people"], f["courses"]) for f in found]


DEMAND_CSV_HEADINGS = [
    "Course",
    "Priority area",
    "Organisation",
    "People waiting to hear",
    "Oldest request",
    "Dates now",
]


def demand_rows() -> list[list]:
    """The CSV's rows: one per course and organisation."""
    rows = []
    for demand in demand_by_course():
        for name, people, oldest in demand.organisations:
            rows.append(
                [
                    demand.course.title,
                    demand.course.priority_area.name,
                    name,
                    people,
                    timezone.localtime(oldest).date().isoformat(),
                    "Yes" if demand.has_dates else "No",
                ]
            )
    return rows
