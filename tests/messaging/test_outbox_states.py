"""The outbox's states: each row ends sent, skipped (no longer due) or given up, never owed for
ever; one attempt limit on every path; failed rows wait a back-off before the next try."""

from datetime import timedelta

import pytest
import time_machine
from django.core.mail import get_connection
from django.utils import timezone

from bookings import services as booking_services
from bookings import tasks as booking_tasks
from bookings.models import Booking, CancellationReason
from evaluations import services as eval_services
from evaluations import tasks as eval_tasks
from evaluations.defaults import ensure_default_questionnaires
from evaluations.models import Item, Stage
from messaging import outbox
from messaging.models import OutboundEmail
from tests.factories import BookingFactory, EventFactory, UserFactory

pytestmark = pytest.mark.django_db
State = OutboundEmail.State


@pytest.fixture
def booking(db):
    return BookingFactory(event=EventFactory(start=timezone.now() + timedelta(days=20)))


@pytest.fixture
def smtp_down(monkeypatch):
    def broken(self, fail_silently=False):
        raise ConnectionRefusedError("SMTP down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", broken)
    return monkeypatch


def _row(booking, purpose="confirmation"):
    return OutboundEmail.objects.get(booking=booking, purpose=purpose)


def test_a_failed_send_waits_its_back_off_before_the_next_try(booking, mailoutbox, smtp_down):
    with pytest.raises(ConnectionRefusedError):
        booking_tasks.send_booking_email(booking.pk, "confirmation")
    row = _row(booking)
    assert row.state == State.FAILED and row.attempts == 1
    assert row.next_attempt_at > timezone.now()
    assert row.note == "Try 1 failed: ConnectionRefusedError"
    smtp_down.undo()
    # A duplicate task, or the sweeper, before the back-off is over: no try.
    assert booking_tasks.send_booking_email(booking.pk, "confirmation") is False
    assert outbox.requeue_stuck() == 0
    assert mailoutbox == []
    with time_machine.travel(row.next_attempt_at + timedelta(seconds=1)):
        assert outbox.requeue_stuck() == 1
    row.refresh_from_db()
    assert row.state == State.SENT and row.attempts == 2 and row.note == ""
    assert len(mailoutbox) == 1


def test_the_last_failed_try_gives_the_email_up(booking, mailoutbox, smtp_down, settings):
    row = outbox.outbox_record(booking_id=booking.pk, purpose="confirmation")
    OutboundEmail.objects.filter(pk=row.pk).update(attempts=settings.EMAIL_MAX_ATTEMPTS - 1)
    with pytest.raises(ConnectionRefusedError):
        booking_tasks.send_booking_email(booking.pk, "confirmation")
    row.refresh_from_db()
    assert row.state == State.GIVEN_UP and row.attempts == settings.EMAIL_MAX_ATTEMPTS
    assert row.note.startswith(f"Given up after {settings.EMAIL_MAX_ATTEMPTS} tries")
    smtp_down.undo()
    assert outbox.requeue_stuck(now=timezone.now() + timedelta(days=2)) == 0
    assert booking_tasks.send_booking_email(booking.pk, "confirmation") is False
    assert mailoutbox == []


def test_a_stale_claim_at_the_attempt_limit_is_given_up_not_sent_again(
    booking, mailoutbox, settings
):
    """Seen before: a row at 40 attempts was reclaimed from a dead worker and sent again."""
    row = outbox.outbox_record(booking_id=booking.pk, purpose="confirmation")
    long_ago = timezone.now() - timedelta(seconds=settings.EMAIL_CLAIM_STALE_SECONDS + 1)
    OutboundEmail.objects.filter(pk=row.pk).update(
        state=State.SENDING, claimed_at=long_ago, attempts=40
    )
    assert booking_tasks.send_booking_email(booking.pk, "confirmation") is False
    assert outbox.requeue_stuck() == 0
    row.refresh_from_db()
    assert row.state == State.GIVEN_UP and row.attempts == 40
    assert mailoutbox == []


def test_a_stale_claim_under_the_limit_is_still_taken_over(booking, mailoutbox, settings):
    row = outbox.outbox_record(booking_id=booking.pk, purpose="confirmation")
    long_ago = timezone.now() - timedelta(seconds=settings.EMAIL_CLAIM_STALE_SECONDS + 1)
    OutboundEmail.objects.filter(pk=row.pk).update(
        state=State.SENDING, claimed_at=long_ago, attempts=settings.EMAIL_MAX_ATTEMPTS - 1
    )
    assert outbox.requeue_stuck() == 1
    assert _row(booking).state == State.SENT and len(mailoutbox) == 1


def test_the_back_off_rides_out_a_six_hour_outage_even_at_its_shortest(settings):
    waits = [outbox.retry_delay(n, draw=0.0) for n in range(1, settings.EMAIL_MAX_ATTEMPTS)]
    assert sum(waits) >= 6 * 3600
    # Doubling from the base, capped, jittered both ways.
    assert outbox.retry_delay(1, draw=0.5) == settings.EMAIL_RETRY_BASE_SECONDS
    assert outbox.retry_delay(2, draw=0.5) == 2 * settings.EMAIL_RETRY_BASE_SECONDS
    assert outbox.retry_delay(30, draw=0.5) == settings.EMAIL_RETRY_MAX_SECONDS
    assert outbox.retry_delay(30, draw=0.0) < outbox.retry_delay(30, draw=1.0)


def test_smtp_connections_time_out(settings):
    assert settings.EMAIL_TIMEOUT == 20
    connection = get_connection("django.core.mail.backends.smtp.EmailBackend")
    assert connection.timeout == settings.EMAIL_TIMEOUT


def test_an_offer_for_a_cancelled_event_is_skipped_not_marked_sent(mailoutbox):
    lead = UserFactory()
    reason = CancellationReason.objects.create(label="Work capacity")
    event = EventFactory(capacity=1, start=timezone.now() + timedelta(days=20))
    held = booking_services.booking_create(event=event, person=UserFactory())
    waiting = booking_services.booking_create(event=event, person=UserFactory())
    booking_services.booking_cancel(booking=held, actor=held.person, reason=reason)
    waiting.refresh_from_db()
    assert waiting.status == Booking.Status.OFFERED
    booking_services.event_cancel(event=event, actor=lead, reason="Trainer unwell")
    mailoutbox.clear()
    assert booking_tasks.send_booking_email(waiting.pk, "waitlist_offer") is False
    row = _row(waiting, "waitlist_offer")
    assert row.state == State.SKIPPED and row.note == outbox.SKIPPED_NOTE
    assert row.sent_at is None and mailoutbox == []


@pytest.fixture
def invitation(db):
    ensure_default_questionnaires()
    booking = BookingFactory(
        status=Booking.Status.CONFIRMED,
        event=EventFactory(start=timezone.now() + timedelta(days=20)),
    )
    return eval_services.invitation_create(booking=booking, stage=Stage.PRE)


def _submit(invitation):
    items = Item.objects.filter(questionnaire=invitation.questionnaire)
    data = {}
    for item in items:
        if item.kind == "text":
            data[item.id] = "Useful"
        elif item.kind == "choice":
            data[item.id] = item.choices[0]
        else:
            data[item.id] = "4"
    eval_services.response_save(invitation=invitation, data=data, submit=True)


def test_a_reminder_for_an_answered_invitation_is_skipped_not_requeued_for_ever(
    invitation, mailoutbox
):
    """Seen before: such a reminder stayed pending and was queued again every minute."""
    row = outbox.outbox_record(
        booking_id=invitation.booking_id,
        purpose="eval-pre-reminder1",
        recipient_role="delegate",
        task=eval_services.EMAIL_TASK,
        invitation_id=invitation.pk,
    )
    OutboundEmail.objects.filter(purpose="eval-pre-invite").update(state=State.SENT)
    _submit(invitation)
    mailoutbox.clear()
    assert (
        eval_tasks.send_evaluation_email(
            invitation.booking_id, row.purpose, "delegate", invitation.pk
        )
        is False
    )
    row.refresh_from_db()
    assert row.state == State.SKIPPED and mailoutbox == []
    assert outbox.requeue_stuck(now=timezone.now() + timedelta(days=30)) == 0


def test_every_try_of_a_row_carries_the_same_message_id(booking, mailoutbox, smtp_down, settings):
    settings.SITE_URL = "https://training.example.org"
    sent_ids = []

    def capture(self, fail_silently=False):
        sent_ids.append(self.extra_headers["Message-ID"])
        raise ConnectionRefusedError("SMTP down")

    smtp_down.setattr("django.core.mail.EmailMessage.send", capture)
    with pytest.raises(ConnectionRefusedError):
        booking_tasks.send_booking_email(booking.pk, "confirmation")
    smtp_down.undo()
    OutboundEmail.objects.filter(booking=booking).update(next_attempt_at=timezone.now())
    assert booking_tasks.send_booking_email(booking.pk, "confirmation") is True
    row = _row(booking)
    expected = f"<outbox-{row.pk}@training.example.org>"
    assert sent_ids == [expected]
    assert mailoutbox[0].message()["Message-ID"] == expected


@pytest.mark.parametrize("purpose", ["confirmation", "reminder"])
@pytest.mark.parametrize("change", ["booking cancelled", "event cancelled", "handed over"])
def test_a_confirmation_or_reminder_for_a_place_no_longer_held_is_skipped(
    mailoutbox, purpose, change
):
    """Owed while the place was held, sent after it was given up (e.g. the queue was down): no
    "Your place is booked" or "coming up" email follows the one that says it is gone."""
    lead = UserFactory()
    reason = CancellationReason.objects.create(label="Work capacity")
    event = EventFactory(capacity=5, start=timezone.now() + timedelta(days=3))
    held = booking_services.booking_create(event=event, person=UserFactory())
    outbox.outbox_record(booking_id=held.pk, purpose=purpose)
    if change == "booking cancelled":
        booking_services.booking_cancel(booking=held, actor=held.person, reason=reason)
    elif change == "event cancelled":
        booking_services.event_cancel(event=event, actor=lead, reason="Trainer unwell")
    else:
        Booking.objects.filter(pk=held.pk).update(status=Booking.Status.SUBSTITUTED)
    mailoutbox.clear()
    assert booking_tasks.send_booking_email(held.pk, purpose) is False
    row = _row(held, purpose)
    assert row.state == State.SKIPPED and mailoutbox == []


def test_a_reminder_that_went_late_for_a_course_already_started_is_skipped(mailoutbox):
    event = EventFactory(capacity=5, start=timezone.now() + timedelta(hours=2))
    held = booking_services.booking_create(event=event, person=UserFactory())
    outbox.outbox_record(booking_id=held.pk, purpose="reminder")
    mailoutbox.clear()
    with time_machine.travel(event.start + timedelta(minutes=5)):
        assert booking_tasks.send_booking_email(held.pk, "reminder") is False
    assert _row(held, "reminder").state == State.SKIPPED and mailoutbox == []


def test_a_reminder_for_a_place_still_held_goes(mailoutbox):
    event = EventFactory(capacity=5, start=timezone.now() + timedelta(days=2))
    held = booking_services.booking_create(event=event, person=UserFactory())
    outbox.outbox_record(booking_id=held.pk, purpose="reminder")
    mailoutbox.clear()
    assert booking_tasks.send_booking_email(held.pk, "reminder") is True
    assert [m.subject for m in mailoutbox] == [f"Reminder: {event.course.title} is coming up"]


def test_a_backlog_does_not_multiply_the_sweepers_tasks(monkeypatch, settings):
    """Owed emails waiting in a long queue are queued again once, not every minute: the next
    sweep leaves them until a worker has claimed them since, or the task is presumed lost."""
    from django_q.conf import Conf
    from django_q.models import OrmQ

    if settings.Q_CLUSTER.get("redis"):
        pytest.skip("counts the tasks in the ORM broker")
    monkeypatch.setattr(Conf, "SYNC", False)  # queued for a worker that is busy elsewhere
    start = timezone.now()
    rows = [
        outbox.outbox_record(booking_id=BookingFactory().pk, purpose="confirmation")
        for _ in range(5)
    ]
    OutboundEmail.objects.update(created_at=start - timedelta(minutes=10))

    assert outbox.requeue_stuck(now=start) == 5
    for minute in (1, 2, 3):  # the sweeper's schedule; the worker has not got to them yet
        assert outbox.requeue_stuck(now=start + timedelta(minutes=minute)) == 0
    assert OrmQ.objects.count() == 5
    # Still not claimed after EMAIL_PENDING_RESEND_SECONDS: those tasks were lost, queue again.
    later = start + timedelta(seconds=settings.EMAIL_PENDING_RESEND_SECONDS + 1)
    assert outbox.requeue_stuck(now=later) == 5

    # A row a worker claimed since it was queued, and that failed again, is queued again as soon
    # as its back-off is over.
    failed = rows[0]
    OutboundEmail.objects.filter(pk=failed.pk).update(
        state=State.FAILED,
        attempts=1,
        claimed_at=later + timedelta(seconds=5),
        next_attempt_at=later + timedelta(seconds=20),
    )
    OutboundEmail.objects.exclude(pk=failed.pk).update(state=State.SENT)
    assert outbox.requeue_stuck(now=later + timedelta(seconds=10)) == 0  # back-off not over
    assert outbox.requeue_stuck(now=later + timedelta(seconds=30)) == 1
    assert outbox.requeue_stuck(now=later + timedelta(seconds=90)) == 0


def test_a_waiting_list_email_that_went_after_a_place_came_free_is_skipped(mailoutbox):
    reason = CancellationReason.objects.create(label="Work capacity")
    event = EventFactory(capacity=1, start=timezone.now() + timedelta(days=20))
    held = booking_services.booking_create(event=event, person=UserFactory())
    waiting = booking_services.booking_create(event=event, person=UserFactory())
    assert waiting.status == Booking.Status.WAITLISTED
    OutboundEmail.objects.filter(booking=waiting).update(state=State.PENDING)  # not gone yet
    booking_services.booking_cancel(booking=held, actor=held.person, reason=reason)
    waiting.refresh_from_db()
    assert waiting.status == Booking.Status.OFFERED
    mailoutbox.clear()
    assert booking_tasks.send_booking_email(waiting.pk, "waitlist_joined") is False
    assert _row(waiting, "waitlist_joined").state == State.SKIPPED and mailoutbox == []
