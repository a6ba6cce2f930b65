"""A worker started on the demo sends what is genuinely due, not a flood of the past year's mail."""

import io
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command

from bookings import emails
from competency.reminders import expiry_reminders_due
from core.clock import london_today
from evaluations import selectors
from messaging import outbox
from messaging.models import OutboundEmail

pytestmark = pytest.mark.django_db


def test_after_loading_the_demo_nothing_old_is_due_to_be_emailed():
    call_command("load_demo", stdout=io.StringIO())
    assert OutboundEmail.objects.filter(state=OutboundEmail.State.SENT).exists()
    assert emails.reminders_due() == []
    assert selectors.due_reminders() == []
    assert outbox.requeue_stuck() == 0
    # Expiry reminders whose window opened before today count as sent; only today's are owed.
    window = timedelta(days=settings.COMPETENCY_REMINDER_DAYS)
    due = expiry_reminders_due()
    sent = set(OutboundEmail.objects.filter(person__isnull=False).values_list("purpose", "person"))
    assert any((e.purpose, e.person_id) in sent for e in due)  # the demo has some running out
    owed = [e for e in due if (e.purpose, e.person_id) not in sent]
    assert all(e.expires - window >= london_today() for e in owed)
