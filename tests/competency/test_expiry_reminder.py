"""One reminder email before an achievement runs out: COMPETENCY_REMINDER_DAYS (60) before, once
per (person, priority area, expiry date), through the outbox, never to someone who turned
reminders off; a renewed achievement gets its own reminder before its new date."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django_q.models import Schedule

from bookings.models import Booking
from competency import reminders
from competency.models import Level
from competency.tasks import remind_expiring
from core.clock import LONDON
from courses.models import Course, Event, PriorityArea
from messaging.models import OutboundEmail
from people.models import User
from tests.factories import BookingFactory, CourseFactory, EventFactory

pytestmark = pytest.mark.django_db

ATTENDED_ON = date(2024, 6, 10)
EXPIRES = date(2027, 6, 10)  # level 2: 36 months
SIXTY_BEFORE = EXPIRES - timedelta(days=60)  # 11 April 2027


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=LONDON)


@pytest.fixture
def framework(db):
    Level.objects.create(number=1, name="Basic awareness", refresher_months=36)
    Level.objects.create(number=2, name="Core", refresher_months=36)
    return {"neglect": PriorityArea.objects.create(name="Neglect")}


@pytest.fixture
def course(framework):
    return CourseFactory(
        title="Neglect: core skills", priority_area=framework["neglect"], competency_level=2
    )


def attend(person, course, day):
    event = EventFactory(
        course=course, start=at(day), end=at(day, 16), status=Event.Status.DELIVERED
    )
    return BookingFactory(event=event, person=person, status=Booking.Status.ATTENDED)


@pytest.fixture
def holder(practitioner, course):
    attend(practitioner, course, ATTENDED_ON)
    return practitioner


def run_on(day: date, captured) -> int:
    """The daily job on `day` (08:00 London), with what it queues after the commit run inline."""
    with time_machine.travel(at(day, 8), tick=False), captured(execute=True):
        return remind_expiring()


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    return lambda day: run_on(day, django_capture_on_commit_callbacks)


def test_the_reminder_goes_sixty_days_before_and_names_what_runs_out_and_what_renews_it(
    holder, course, mailoutbox, run
):
    with time_machine.travel(at(SIXTY_BEFORE, 7)):
        renewal = EventFactory(course=course, start=at(SIXTY_BEFORE + timedelta(days=20)))
        other_area = PriorityArea.objects.create(name="Think Family")
        EventFactory(
            course=CourseFactory(title="Unrelated", priority_area=other_area, competency_level=2)
        )
    assert run(SIXTY_BEFORE) == 1
    [message] = mailoutbox
    assert message.to == [holder.email]
    assert message.subject == "Reminder: your Neglect training runs out on Thursday 10 June 2027"
    text = message.body
    assert "Your training in Neglect at level 2 (Core) runs out on Thursday 10 June 2027" in text
    assert "You achieved it with Neglect: core skills on Monday 10 June 2024" in text
    assert f"Neglect: core skills: {settings.SITE_URL}/courses/{renewal.course.slug}/" in text
    assert "Unrelated" not in text
    # A reminder: the one-click unsubscribe and the preference page.
    assert "List-Unsubscribe" in message.extra_headers
    assert "/people/reminders/" in text
    row = OutboundEmail.objects.get(person=holder)
    assert row.purpose == f"competency_expiry-{course.priority_area_id}-20270610"
    assert row.state == OutboundEmail.State.SENT


def test_not_before_the_window_opens(holder, mailoutbox, run):
    assert run(SIXTY_BEFORE - timedelta(days=1)) == 0
    assert mailoutbox == [] and not OutboundEmail.objects.exists()


def test_once_however_often_the_job_runs(holder, mailoutbox, run):
    assert run(SIXTY_BEFORE) == 1
    assert run(SIXTY_BEFORE) == 0  # twice the same day
    assert run(SIXTY_BEFORE + timedelta(days=1)) == 0  # the next day
    assert run(EXPIRES) == 0  # the last day it is in date
    assert len(mailoutbox) == 1


def test_a_job_that_missed_days_still_reminds_before_the_date_but_not_after(
    holder, mailoutbox, run
):
    assert run(EXPIRES) == 1  # the last day in date: still worth saying
    mailoutbox.clear()
    OutboundEmail.objects.all().delete()
    assert run(EXPIRES + timedelta(days=1)) == 0  # run out: the record says so, no reminder
    assert mailoutbox == []


def test_the_window_is_a_setting(holder, mailoutbox, run, settings):
    settings.COMPETENCY_REMINDER_DAYS = 30
    assert run(SIXTY_BEFORE) == 0
    assert run(EXPIRES - timedelta(days=30)) == 1


def test_a_renewed_achievement_is_not_reminded_and_gets_its_own_reminder_later(
    holder, course, mailoutbox, run
):
    assert run(SIXTY_BEFORE) == 1
    renewed_on = SIXTY_BEFORE + timedelta(days=10)
    attend(holder, course, renewed_on)
    assert run(renewed_on + timedelta(days=1)) == 0  # the old date no longer runs out
    new_expiry = date(2030, 4, 21)
    assert run(new_expiry - timedelta(days=61)) == 0
    assert run(new_expiry - timedelta(days=60)) == 1
    assert [m.subject.rsplit(" on ", 1)[1] for m in mailoutbox] == [
        "Thursday 10 June 2027",
        "Sunday 21 April 2030",
    ]


def test_renewed_before_the_window_means_no_reminder_for_the_old_date(
    holder, course, mailoutbox, run
):
    attend(holder, course, SIXTY_BEFORE - timedelta(days=5))
    assert run(SIXTY_BEFORE) == 0 and mailoutbox == []


def test_one_email_per_area_and_date_even_from_two_courses_that_day(
    holder, framework, mailoutbox, run
):
    basic = CourseFactory(priority_area=framework["neglect"], competency_level=1)
    attend(holder, basic, ATTENDED_ON)  # same day, lower level: same expiry
    elearning = CourseFactory(
        priority_area=PriorityArea.objects.create(name="Exploitation"),
        competency_level=1,
        delivery_mode=Course.DeliveryMode.ELEARNING,
    )
    holder.enrolments.create(
        course=elearning, enrolled_at=at(ATTENDED_ON), completed_at=at(ATTENDED_ON, 12)
    )
    assert run(SIXTY_BEFORE) == 2  # Neglect (level 2 named) and Exploitation
    subjects = sorted(m.subject for m in mailoutbox)
    assert [s.split(" training")[0] for s in subjects] == [
        "Reminder: your Exploitation",
        "Reminder: your Neglect",
    ]
    neglect = next(m for m in mailoutbox if "Neglect" in m.subject)
    assert "at level 2 (Core)" in neglect.body


def test_people_who_turned_reminders_off_get_none(holder, mailoutbox, run):
    User.objects.filter(pk=holder.pk).update(reminder_emails=False)
    assert run(SIXTY_BEFORE) == 0
    assert mailoutbox == [] and not OutboundEmail.objects.exists()


def test_turned_off_after_it_was_owed_it_is_skipped(
    holder, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr("messaging.outbox.outbox_enqueue", queued.append)
    with time_machine.travel(at(SIXTY_BEFORE, 8), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert remind_expiring() == 1
        User.objects.filter(pk=holder.pk).update(reminder_emails=False)
        [row] = queued
        assert reminders.send_expiry_reminder(row.person_id, row.purpose) is False
    assert mailoutbox == []
    row.refresh_from_db()
    assert row.state == OutboundEmail.State.SKIPPED


def test_partial_attendance_and_inactive_people_earn_no_reminder(
    practitioner, course, mailoutbox, run
):
    event = EventFactory(
        course=course,
        start=at(ATTENDED_ON),
        end=at(ATTENDED_ON, 16),
        status=Event.Status.DELIVERED,
    )
    BookingFactory(event=event, person=practitioner, status=Booking.Status.PARTIAL)
    gone = BookingFactory(event=event, status=Booking.Status.ATTENDED).person
    User.objects.filter(pk=gone.pk).update(is_active=False)
    assert run(SIXTY_BEFORE) == 0


def test_the_job_is_scheduled_daily():
    schedule = Schedule.objects.get(func="competency.tasks.remind_expiring")
    assert schedule.schedule_type == Schedule.DAILY and schedule.repeats == -1
