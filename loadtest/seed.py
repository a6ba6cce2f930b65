"""Load-test data and database figures. Runs inside Django (the runner calls django.setup()).

The booking rush: 20 upcoming events of 25 places and 300 practitioners with verified allauth
email addresses and one known password; each practitioner is given events to book through the
real pages (the locustfile), so every booking goes through `booking_create`.

The evaluation burst: 2,000 practitioners who attended delivered events, then the real scheduled
job `evaluations.tasks.invite_due` makes their post-course invitations in one go, each queueing
its email through the outbox.
"""

from __future__ import annotations

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from bookings.models import Booking
from courses.models import Course, Event, PriorityArea
from evaluations import tasks as evaluation_tasks
from evaluations.defaults import ensure_default_questionnaires
from people.models import Organisation, User

PASSWORD = "Load-test-practitioner-2025"
DOMAIN = "loadtest.example.org"
EVAL_SUBJECT_PREFIX = "How was "  # evaluations.tasks.SUBJECTS[post]


def _organisation() -> Organisation:
    org = Organisation.objects.filter(name="Load Test Borough Council").first()
    if org is None:
        org = Organisation(name="Load Test Borough Council", sector="local_authority")
        org.save()
    return org


def _courses(count: int, *, prefix: str) -> list[Course]:
    area, _ = PriorityArea.objects.get_or_create(name="Load test priority")
    courses = []
    for n in range(1, count + 1):
        course, _ = Course.objects.get_or_create(
            slug=f"{prefix}-{n}",
            defaults={
                "title": f"Load test course {prefix} {n}",
                "summary": "A course made by the load test.",
                "priority_area": area,
                "delivery_mode": Course.DeliveryMode.LIVE_ONLINE,
            },
        )
        courses.append(course)
    return courses


def _people(emails: list[str], *, organisation: Organisation, password: str | None) -> list[User]:
    """Bulk-create people with a verified primary email (as allauth's sign-up leaves them)."""
    hashed = make_password(password)  # one hash for all: hashing 300 times would take minutes
    users = User.objects.bulk_create(
        [
            User(
                email=email,
                full_name=f"Practitioner {email.split('@')[0]}",
                organisation=organisation,
                password=hashed,
                job_title="Social worker",
            )
            for email in emails
        ]
    )
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users]
    )
    return users


@transaction.atomic
def seed_booking_rush(
    *, events: int = 20, places: int = 25, people: int = 300, bookings_each: int = 2
) -> dict:
    """Events, practitioners and who books what; returns the plan the locustfile reads."""
    now = timezone.now()
    org = _organisation()
    courses = _courses(5, prefix="rush")
    start = (now + timedelta(days=21)).replace(hour=9, minute=30, second=0, microsecond=0)
    made = Event.objects.bulk_create(
        [
            Event(
                course=courses[n % len(courses)],
                start=start + timedelta(days=n),
                end=start + timedelta(days=n, hours=3),
                capacity=places,
                joining_link="https://meet.example.org/load-test",
            )
            for n in range(events)
        ]
    )
    emails = [f"practitioner{n:03d}@{DOMAIN}" for n in range(1, people + 1)]
    _people(emails, organisation=org, password=PASSWORD)
    # Spread the demand evenly: person n books events n, n + 10, ... (mod 20), so each event
    # gets people * bookings_each / events requests (30 for 25 places).
    step = max(1, events // bookings_each)
    users = []
    for n, email in enumerate(emails):
        chosen = [made[(n + k * step) % events].pk for k in range(bookings_each)]
        users.append({"email": email, "events": chosen})
    return {
        "password": PASSWORD,
        "events": [e.pk for e in made],
        "places": places,
        "users": users,
    }


def booking_figures(event_ids: list[int]) -> dict:
    """What the database holds after the rush: statuses, overbooked events, duplicates."""
    bookings = Booking.objects.filter(event_id__in=event_ids)
    by_status = dict(
        bookings.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    overbooked = (
        Event.objects.filter(pk__in=event_ids)
        .annotate(
            taken=Count("bookings", filter=Q(bookings__status__in=Booking.HOLDS_PLACE)),
        )
        .filter(taken__gt=F("capacity"))
        .count()
    )
    duplicates = (
        bookings.filter(status__in=Booking.ACTIVE)
        .values("event_id", "person_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    per_person = dict(
        bookings.values_list("person__email")
        .annotate(n=Count("id"))
        .values_list("person__email", "n")
    )
    return {
        "by_status": by_status,
        "overbooked_events": overbooked,
        "duplicates": duplicates,
        "per_person": per_person,
    }


@transaction.atomic
def seed_attended(*, people: int = 2000, per_event: int = 25) -> dict[str, int]:
    """Delivered events with `people` attendees who have no post-course invitation yet."""
    ensure_default_questionnaires()
    now = timezone.now()
    org = _organisation()
    courses = _courses(4, prefix="delivered")
    count = -(-people // per_event)
    start = (now - timedelta(days=3)).replace(hour=9, minute=30, second=0, microsecond=0)
    events = Event.objects.bulk_create(
        [
            Event(
                course=courses[n % len(courses)],
                start=start - timedelta(hours=n),
                end=start - timedelta(hours=n) + timedelta(hours=3),
                capacity=per_event,
                status=Event.Status.DELIVERED,
                joining_link="https://meet.example.org/load-test",
            )
            for n in range(count)
        ]
    )
    emails = [f"attendee{n:04d}@{DOMAIN}" for n in range(1, people + 1)]
    users = _people(emails, organisation=org, password=None)
    Booking.objects.bulk_create(
        [
            Booking(
                event=events[n // per_event],
                person=user,
                organisation=org,
                status=Booking.Status.ATTENDED,
                created_at=start - timedelta(days=30),
                confirmed_at=start - timedelta(days=30),
                attendance_marked_at=start + timedelta(hours=3),
            )
            for n, user in enumerate(users)
        ]
    )
    return {email: 1 for email in emails}


def invite_all_due() -> int:
    """Run the real scheduled job once: every due invitation is made and its email queued."""
    return evaluation_tasks.invite_due()
