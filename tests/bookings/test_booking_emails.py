from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from icalendar import Calendar

from bookings import services, tasks
from bookings.models import Booking
from messaging import outbox
from messaging.models import OutboundEmail
from tests.factories import BookingFactory, EventFactory

pytestmark = pytest.mark.django_db


def test_confirmation_carries_an_ics_invite_and_copies_the_line_manager(
    event, make_person, mailoutbox, django_capture_on_commit_callbacks
):
    details = services.BookingDetails(line_manager_name="Sam", line_manager_email="sam@x.org")
    with django_capture_on_commit_callbacks(execute=True):
        booking = services.booking_create(event=event, person=make_person(), details=details)
    assert sorted(m.to[0] for m in mailoutbox) == sorted([booking.person.email, "sam@x.org"])
    name, content, mimetype = mailoutbox[0].attachments[0]
    assert name == "invite.ics" and mimetype.startswith("text/calendar")
    calendar = Calendar.from_ical(content)
    assert calendar["METHOD"] == "REQUEST"
    assert calendar.events[0]["UID"] == booking.calendar_uid


def test_running_the_send_task_twice_sends_one_email(event, make_person, mailoutbox):
    booking = BookingFactory(event=event)
    assert tasks.send_booking_email(booking.pk, "confirmation") is True
    assert tasks.send_booking_email(booking.pk, "confirmation") is False
    assert len(mailoutbox) == 1
    row = OutboundEmail.objects.get(booking=booking, purpose="confirmation")
    assert row.state == OutboundEmail.State.SENT and row.attempts == 1


def test_a_claim_held_by_a_live_worker_is_not_sent_again(event, mailoutbox):
    booking = BookingFactory(event=event)
    row = outbox.outbox_claim(booking_id=booking.pk, purpose="reminder")
    assert row is not None
    assert tasks.send_booking_email(booking.pk, "reminder") is False
    assert mailoutbox == []


def test_a_claim_left_by_a_dead_worker_is_taken_over_after_the_stale_time(
    event, mailoutbox, settings
):
    booking = BookingFactory(event=event)
    outbox.outbox_claim(
        booking_id=booking.pk,
        purpose="reminder",
        now=timezone.now() - timedelta(seconds=settings.EMAIL_CLAIM_STALE_SECONDS + 1),
    )
    assert tasks.send_booking_email(booking.pk, "reminder") is True
    assert len(mailoutbox) == 1


def test_a_failed_send_is_recorded_and_retried(event, mailoutbox, monkeypatch):
    booking = BookingFactory(event=event)

    def broken(self, fail_silently=False):
        raise ConnectionRefusedError("SMTP down")

    with monkeypatch.context() as m:
        m.setattr("django.core.mail.EmailMessage.send", broken)
        with pytest.raises(ConnectionRefusedError):
            tasks.send_booking_email(booking.pk, "confirmation")
    assert OutboundEmail.objects.get(booking=booking).state == OutboundEmail.State.FAILED
    # Tried again once its back-off is over (tests/messaging/test_outbox_states.py).
    OutboundEmail.objects.filter(booking=booking).update(next_attempt_at=timezone.now())
    assert tasks.send_booking_email(booking.pk, "confirmation") is True
    assert len(mailoutbox) == 1


def test_a_rolled_back_booking_queues_nothing(
    event, make_person, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        try:
            with transaction.atomic():
                services.booking_create(event=event, person=make_person())
                raise RuntimeError("something later failed")
        except RuntimeError:
            pass
    assert callbacks == []
    assert not Booking.objects.exists()


def test_reminder_goes_once_to_bookings_inside_the_window(mailoutbox, settings):
    soon = EventFactory(start=timezone.now() + timedelta(days=settings.BOOKING_REMINDER_DAYS - 1))
    later = EventFactory(start=timezone.now() + timedelta(days=settings.BOOKING_REMINDER_DAYS + 1))
    near, far = BookingFactory(event=soon), BookingFactory(event=later)
    BookingFactory(event=soon, status=Booking.Status.CANCELLED)
    assert tasks.send_due_reminders() == 1
    assert tasks.send_due_reminders() == 0  # a second run in the same window sends nothing
    assert [m.to for m in mailoutbox] == [[near.person.email]]
    assert far.emails.count() == 0


def test_cancellation_ics_cancels_the_same_uid(
    event, make_person, reasons, mailoutbox, django_capture_on_commit_callbacks
):
    booking = services.booking_create(event=event, person=make_person())
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking=booking, actor=booking.person, reason=reasons["capacity"])
    calendar = Calendar.from_ical(mailoutbox[0].attachments[0][1])
    assert calendar["METHOD"] == "CANCEL"
    assert calendar.events[0]["UID"] == booking.calendar_uid


def test_an_owed_email_is_recorded_in_the_same_transaction_as_the_booking(event, make_person):
    booking = services.booking_create(event=event, person=make_person())
    row = OutboundEmail.objects.get(booking=booking, purpose="confirmation")
    assert row.state == OutboundEmail.State.PENDING
    assert row.task == "bookings.tasks.send_booking_email"


def test_a_broker_outage_after_commit_does_not_fail_the_booking(
    event, make_person, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr("django_q.tasks.async_task", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        booking = services.booking_create(event=event, person=make_person())
    assert Booking.objects.filter(pk=booking.pk, status=Booking.Status.CONFIRMED).exists()
    assert OutboundEmail.objects.get(booking=booking).state == OutboundEmail.State.PENDING


def test_the_sweeper_sends_what_was_lost_and_nothing_twice(
    event, make_person, mailoutbox, settings
):
    lost = services.booking_create(event=event, person=make_person())  # queued, never run
    sent = BookingFactory(event=event)
    tasks.send_booking_email(sent.pk, "confirmation")
    mailoutbox.clear()
    assert outbox.requeue_stuck() == 0  # too recent to be called lost
    later = timezone.now() + timedelta(seconds=settings.EMAIL_PENDING_RESEND_SECONDS + 1)
    assert outbox.requeue_stuck(now=later) == 1
    assert outbox.requeue_stuck(now=later) == 0
    assert [m.to for m in mailoutbox] == [[lost.person.email]]


def test_the_sweeper_takes_over_a_dead_workers_claim(event, mailoutbox, settings):
    booking = BookingFactory(event=event)
    stale = settings.EMAIL_CLAIM_STALE_SECONDS
    claimed = timezone.now() - timedelta(seconds=stale - 10)
    outbox.outbox_claim(booking_id=booking.pk, purpose="reminder", now=claimed)  # worker dies
    assert outbox.requeue_stuck() == 0  # its worker may still be sending
    OutboundEmail.objects.filter(booking=booking).update(
        claimed_at=timezone.now() - timedelta(seconds=stale + 1)
    )
    assert outbox.requeue_stuck() == 1
    assert len(mailoutbox) == 1


def test_failed_emails_are_retried_until_the_attempt_limit(event, mailoutbox, settings):
    booking = BookingFactory(event=event)
    row = outbox.outbox_record(booking_id=booking.pk, purpose="confirmation")
    OutboundEmail.objects.filter(pk=row.pk).update(
        state=OutboundEmail.State.FAILED, attempts=settings.EMAIL_MAX_ATTEMPTS
    )
    assert outbox.requeue_stuck() == 0
    OutboundEmail.objects.filter(pk=row.pk).update(attempts=settings.EMAIL_MAX_ATTEMPTS - 1)
    assert outbox.requeue_stuck() == 1
    assert len(mailoutbox) == 1


def test_plain_text_emails_are_not_html_escaped(
    event, make_person, mailoutbox, django_capture_on_commit_callbacks
):
    person = make_person(full_name="Siobhán O'Neill & Co")
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_create(event=event, person=person)
    assert "Dear Siobhán O'Neill & Co," in mailoutbox[0].body


def _owed_at(event, make_person, seconds_ago):
    booking = services.booking_create(event=event, person=make_person())
    row = OutboundEmail.objects.get(booking=booking)
    OutboundEmail.objects.filter(pk=row.pk).update(
        created_at=timezone.now() - timedelta(seconds=seconds_ago)
    )
    return booking


def test_an_email_overtaken_by_a_later_one_is_sent_again_without_waiting_minutes(
    event, make_person, mailoutbox, settings
):
    lost = _owed_at(event, make_person, 50)  # its task sat in a killed worker's prefetch
    later = _owed_at(event, make_person, 49)
    overtaken = settings.EMAIL_OVERTAKEN_SECONDS
    assert overtaken + 10 < settings.EMAIL_PENDING_RESEND_SECONDS
    outbox.outbox_claim(
        booking_id=later.pk,
        purpose="confirmation",
        now=timezone.now() - timedelta(seconds=overtaken - 5),
    )
    assert outbox.requeue_stuck() == 0  # claimed only just now: the other may be a step behind

    OutboundEmail.objects.filter(booking=later).update(
        state=OutboundEmail.State.SENT,
        claimed_at=timezone.now() - timedelta(seconds=overtaken + 1),
    )
    assert outbox.requeue_stuck() == 1
    assert [m.to for m in mailoutbox] == [[lost.person.email]]
    assert outbox.requeue_stuck() == 0


def test_emails_still_waiting_their_turn_in_a_long_queue_are_not_sent_again(
    event, make_person, mailoutbox, settings
):
    # A burst: the earliest were sent long ago, the rest wait in order behind them.
    first = _owed_at(event, make_person, 200)
    waiting = [_owed_at(event, make_person, 199 - n) for n in range(3)]
    OutboundEmail.objects.filter(booking=first).update(
        state=OutboundEmail.State.SENT, claimed_at=timezone.now() - timedelta(seconds=190)
    )

    assert outbox.requeue_stuck() == 0
    assert (
        OutboundEmail.objects.filter(booking__in=waiting, state=OutboundEmail.State.PENDING).count()
        == 3
    )
    assert mailoutbox == []


def test_the_sweeper_runs_every_minute():
    from django_q.models import Schedule

    schedule = Schedule.objects.get(func="messaging.tasks.requeue_stuck_emails")
    assert (schedule.schedule_type, schedule.minutes, schedule.repeats) == (Schedule.MINUTES, 1, -1)
