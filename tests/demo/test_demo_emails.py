"""A worker started on the demo sends what is genuinely due, not a flood of the past year's mail."""

import io

import pytest
from django.core.management import call_command

from bookings import emails
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
