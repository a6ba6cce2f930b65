"""One reminder email before an achievement runs out.

Each day `expiry_reminders_owe` (the scheduled task `competency.tasks.remind_expiring`) owes an
email, through the outbox, for every achievement that runs out within COMPETENCY_REMINDER_DAYS
and has not been renewed. The outbox row's purpose names the priority area and the expiry date,
so a person gets one email per (priority area, expiry date) however often the job runs; an
achievement renewed later has a new expiry date and gets its own reminder in time. People who
turned reminder emails off (people.reminders, `User.reminder_emails`) get none.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Max, Min
from django.template.loader import render_to_string
from django.urls import reverse

from bookings.models import Booking, Enrolment
from competency.models import Level
from competency.selectors import Achievement, achievements, courses_filling, level_names
from core.clock import day_start, london_today
from core.mail import compose
from courses.models import Event, PriorityArea
from messaging import outbox
from messaging.templatetags.email_format import email_day
from people import reminders
from people.models import User

PURPOSE_PREFIX = "competency_expiry-"
SEND_TASK = "competency.tasks.send_expiry_reminder"
SUBJECT = "Reminder: your {area} training runs out on {day}"
CHUNK = 500  # people per query (SQLite limits the parameters of one statement)


@dataclass(frozen=True)
class Expiring:
    """An achievement (the highest level among those ending that day) that runs out soon."""

    person_id: int
    priority_area_id: int
    level: int
    expires: date
    course: str
    on: date

    @property
    def purpose(self) -> str:
        return expiry_purpose(self.priority_area_id, self.expires)


def expiry_purpose(priority_area_id: int, expires: date) -> str:
    return f"{PURPOSE_PREFIX}{priority_area_id}-{expires:%Y%m%d}"


def _renewed(item: Achievement, found: list[Achievement]) -> bool:
    """Another achievement in the same area, at its level or above, lasts longer."""
    return any(
        other.priority_area_id == item.priority_area_id
        and other.level >= item.level
        and (other.expires is None or other.expires > item.expires)
        for other in found
    )


def expiring(found: list[Achievement], *, today: date, days: int) -> list[Expiring]:
    """One person's achievements that run out between today and `days` from now, not renewed:
    one per (priority area, expiry date), the highest level of that day."""
    last = today + timedelta(days=days)
    chosen: dict[tuple[int, date], Achievement] = {}
    for item in found:
        if item.expires is None or not today <= item.expires <= last:
            continue
        if _renewed(item, found):
            continue
        key = (item.priority_area_id, item.expires)
        if key not in chosen or item.level > chosen[key].level:
            chosen[key] = item
    return [
        Expiring(a.person_id, a.priority_area_id, a.level, a.expires, a.course, a.on)
        for a in sorted(chosen.values(), key=lambda a: (a.expires, a.priority_area_id))
    ]


def _candidate_people(today: date, days: int) -> list[int]:
    """Active people who want reminders and whose attended course or completed module could
    run out in the window (by the shortest and longest refresher interval; a few days' slack:
    the exact test is `expiring`)."""
    span = Level.objects.aggregate(
        shortest=Min("refresher_months"), longest=Max("refresher_months")
    )
    if span["shortest"] is None:
        return []
    since = today - relativedelta(months=span["longest"]) - timedelta(days=3)
    until = today + timedelta(days=days + 3) - relativedelta(months=span["shortest"])
    start, end = day_start(since), day_start(until + timedelta(days=1))
    wanting = User.objects.filter(is_active=True, reminder_emails=True).exclude(email="")
    attended = Booking.objects.filter(
        status=Booking.Status.ATTENDED,
        event__status=Event.Status.DELIVERED,
        event__end__gte=start,
        event__end__lt=end,
        person__in=wanting,
    ).values_list("person_id", flat=True)
    completed = Enrolment.objects.filter(
        completed_at__gte=start, completed_at__lt=end, person__in=wanting
    ).values_list("person_id", flat=True)
    return sorted(set(attended) | set(completed))


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]


def expiry_reminders_due(*, today: date | None = None) -> list[Expiring]:
    """Every achievement that runs out within COMPETENCY_REMINDER_DAYS, not renewed, of people
    who want reminders (whether or not the email was already owed)."""
    today = today or london_today()
    days = settings.COMPETENCY_REMINDER_DAYS
    levels = level_names()
    due = []
    for ids in _chunks(_candidate_people(today, days)):
        for found in achievements(ids, levels=levels).values():
            due.extend(expiring(found, today=today, days=days))
    return due


def expiry_reminders_owe(*, today: date | None = None) -> int:
    """Owe (once) the reminder for each achievement running out soon and queue the new ones
    after the commit. Returns how many were owed by this call (0 on a second run)."""
    owed = []
    with transaction.atomic():
        for item in expiry_reminders_due(today=today):
            row, created = outbox.outbox_record_for_person(
                person_id=item.person_id, purpose=item.purpose, task=SEND_TASK
            )
            if created:
                owed.append(row)
        transaction.on_commit(lambda: [outbox.outbox_enqueue(row) for row in owed])
    return len(owed)


def _parse(purpose: str) -> tuple[int, date]:
    area, day = purpose.removeprefix(PURPOSE_PREFIX).split("-")
    return int(area), datetime.strptime(day, "%Y%m%d").date()


def build_expiry_reminder(person_id: int, purpose: str) -> EmailMessage | None:
    """The reminder, or None (the row is skipped): the person turned reminders off, left, or
    renewed the achievement (or it ran out) before the email went."""
    person = User.objects.filter(pk=person_id, is_active=True).first()
    if person is None or not person.email or not reminders.reminders_wanted(person):
        return None
    area_id, expires = _parse(purpose)
    today = london_today()
    if expires < today:
        return None
    found = achievements([person_id]).get(person_id, [])
    days = (expires - today).days
    item = next(
        (
            e
            for e in expiring(found, today=today, days=days)
            if (e.priority_area_id, e.expires) == (area_id, expires)
        ),
        None,
    )
    if item is None:
        return None
    area = PriorityArea.objects.get(pk=area_id)
    level = Level.objects.filter(number=item.level).first()
    courses = [
        (course, settings.SITE_URL + reverse("courses:course", args=[course.slug]))
        for course in courses_filling(area_id, item.level)
    ]
    context = {
        "person": person,
        "area": area,
        "item": item,
        "level": level,
        "courses": courses,
        "catalogue_url": settings.SITE_URL + reverse("courses:course_list"),
        "my_training_url": settings.SITE_URL + reverse("bookings:my_training"),
        "partnership_name": settings.PARTNERSHIP_NAME,
    }
    body = render_to_string("competency/email/expiry_reminder.txt", context)
    subject = SUBJECT.format(area=area.name, day=email_day(expires))
    return compose(
        subject=subject, text=body, to=[person.email], **reminders.reminder_links(person)
    )


def send_expiry_reminder(person_id: int, purpose: str) -> bool:
    """Send one owed expiry reminder at most once; True when this call sent it."""
    return outbox.send_person_once(
        person_id, purpose, lambda: build_expiry_reminder(person_id, purpose), task=SEND_TASK
    )
