"""An email owed to a person about no booking (dates announced, an achievement running out): the
same outbox, once per (person, purpose), with the same states, retries and the lead's page."""

from datetime import timedelta

import pytest
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from messaging import outbox
from messaging.models import OutboundEmail
from privacy.export import subject_access_export
from privacy.models import AuditEntry
from tests.factories import BookingFactory, UserFactory

pytestmark = pytest.mark.django_db
State = OutboundEmail.State
TASK = "courses.tasks.send_dates_announced"


def _build(person):
    return lambda: EmailMessage(subject="Hello", body="Once.", to=[person.email])


def test_a_persons_email_is_owed_once_and_sent_once(practitioner, mailoutbox):
    row, created = outbox.outbox_record_for_person(
        person_id=practitioner.pk, purpose="dates_announced-7", task=TASK
    )
    again, created_again = outbox.outbox_record_for_person(
        person_id=practitioner.pk, purpose="dates_announced-7", task=TASK
    )
    assert (created, created_again, again.pk) == (True, False, row.pk)
    assert (row.booking, row.recipient_role, row.task) == (None, OutboundEmail.PERSON, TASK)
    send = lambda: outbox.send_person_once(  # noqa: E731
        practitioner.pk, "dates_announced-7", _build(practitioner), task=TASK
    )
    assert send() is True
    assert send() is False
    assert len(mailoutbox) == 1
    assert mailoutbox[0].extra_headers["Message-ID"] == outbox.message_id(row)
    row.refresh_from_db()
    assert row.state == State.SENT and row.attempts == 1


def test_a_failed_persons_email_is_retried_by_the_sweeper(practitioner, mailoutbox, monkeypatch):
    queued = []
    monkeypatch.setattr("django_q.tasks.async_task", lambda *a, **k: queued.append((a, k)))
    row, _ = outbox.outbox_record_for_person(
        person_id=practitioner.pk, purpose="competency_expiry-1-20270610", task=TASK
    )
    later = timezone.now() + timedelta(minutes=10)
    assert outbox.requeue_stuck(now=later) == 1
    # The task gets the person and the purpose, never an address.
    assert queued[0][0] == (TASK, practitioner.pk, "competency_expiry-1-20270610")


def test_a_row_is_for_a_booking_or_a_person_never_both_nor_neither(practitioner):
    booking = BookingFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        OutboundEmail.objects.create(booking=booking, person=practitioner, purpose="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        OutboundEmail.objects.create(purpose="x")


def test_the_lead_sees_and_resends_a_persons_failed_email(client, lead, practitioner):
    BookingFactory()  # an event with no problem
    row = OutboundEmail.objects.create(
        person=practitioner,
        purpose="dates_announced-3",
        recipient_role=OutboundEmail.PERSON,
        task=TASK,
        state=State.GIVEN_UP,
        attempts=16,
    )
    client.force_login(lead)
    page = client.get(reverse("messaging:problems"))
    assert page.status_code == 200
    assert f"Dates announced to {practitioner.email}" in page.content.decode()
    assert page.context["events"] == []  # about no event
    response = client.post(reverse("messaging:resend", args=[row.pk]), follow=True)
    assert f"queued to be sent again to {practitioner.email}" in response.content.decode()
    audit = AuditEntry.objects.get(action="email.resend")
    assert audit.subject_id == practitioner.pk


def test_a_persons_emails_are_in_their_subject_access_export(practitioner):
    OutboundEmail.objects.create(
        person=practitioner, purpose="dates_announced-3", recipient_role=OutboundEmail.PERSON
    )
    OutboundEmail.objects.create(
        person=UserFactory(), purpose="dates_announced-3", recipient_role=OutboundEmail.PERSON
    )
    rows = subject_access_export(practitioner)["sections"]["messaging.OutboundEmail"]
    assert [(r["purpose"], r["recipient"]) for r in rows] == [("dates_announced-3", "you")]
