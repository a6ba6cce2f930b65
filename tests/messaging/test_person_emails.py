"""Emails about no booking (a needs survey): the outbox keys them by the person, owes each one
once, and the lead's page and the sweeper handle them like any other."""

import pytest
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.urls import reverse

from messaging import outbox
from messaging.models import OutboundEmail

pytestmark = pytest.mark.django_db


def test_a_row_names_a_booking_or_a_person_never_neither():
    with pytest.raises(ValueError):
        outbox.outbox_record(purpose="needs-survey-1")
    with transaction.atomic(), pytest.raises(IntegrityError):
        OutboundEmail.objects.create(purpose="needs-survey-1")


def test_a_persons_email_is_owed_once_and_sent_once(practitioner, mailoutbox):
    first = outbox.outbox_record(person_id=practitioner.pk, purpose="needs-survey-1")
    again = outbox.outbox_record(person_id=practitioner.pk, purpose="needs-survey-1")
    assert first.pk == again.pk and first.booking_id is None
    with transaction.atomic(), pytest.raises(IntegrityError):
        OutboundEmail.objects.create(person=practitioner, purpose="needs-survey-1")

    def build():
        return EmailMessage("Survey", "Body", to=[practitioner.email])

    assert outbox.send_once(None, "needs-survey-1", "delegate", build, person_id=practitioner.pk)
    assert not outbox.send_once(
        None, "needs-survey-1", "delegate", build, person_id=practitioner.pk
    )
    assert len(mailoutbox) == 1
    assert OutboundEmail.objects.get().state == OutboundEmail.State.SENT


def test_the_sweeper_queues_a_persons_row_with_the_person_first(practitioner, monkeypatch):
    queued = []
    monkeypatch.setattr(
        "django_q.tasks.async_task", lambda task, *args, **kw: queued.append((task, args))
    )
    row = outbox.outbox_record(
        person_id=practitioner.pk,
        purpose="needs-survey-1",
        task="competency.tasks.send_needs_email",
        invitation_id=42,
    )
    assert outbox.outbox_enqueue(row)
    assert queued == [
        ("competency.tasks.send_needs_email", (practitioner.pk, "needs-survey-1", "delegate", 42))
    ]


def test_the_lead_sees_a_failed_persons_email_with_its_address(client, lead, practitioner):
    OutboundEmail.objects.create(
        person=practitioner,
        purpose="needs-survey-1",
        state=OutboundEmail.State.GIVEN_UP,
        attempts=16,
    )
    client.force_login(lead)
    page = client.get(reverse("messaging:problems"))
    assert page.status_code == 200
    text = page.content.decode()
    assert f"needs-survey-1 to {practitioner.email}" in text
    assert "?event=None" not in text
