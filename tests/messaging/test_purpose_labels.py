"""The lead reads what each owed email is in words, not its purpose code."""

import pytest
from django.urls import reverse

from bookings.emails import PURPOSES
from evaluations.models import email_purpose
from messaging.labels import purpose_label
from messaging.models import OutboundEmail
from tests.factories import BookingFactory


@pytest.mark.parametrize(
    ("purpose", "label"),
    [
        ("confirmation", "Booking confirmed"),
        ("event_updated-3", "Course changed (update 3)"),
        ("event-message-12", "Message from the L&D team"),
        (email_purpose("post", "line_manager", "reminder1"), None),
        (email_purpose("pre", "delegate", "invite"), "Pre-course evaluation, invitation"),
        ("eval-stage2-lm-reminder2", "Stage 2 evaluation, reminder 2 (line manager)"),
        ("dates_announced-7", "Dates announced"),
        ("needs-survey-2", "Training needs survey"),
        ("competency_expiry-1-20270610", "Training runs out soon"),
        ("something-new", "something-new"),  # unknown: shown as it is
    ],
)
def test_purposes_read_as_words(purpose, label):
    if label is None:
        label = "Post-course evaluation, reminder 1 (line manager)"
    assert purpose_label(purpose) == label


def test_every_booking_email_kind_has_words():
    assert [p for p in PURPOSES if purpose_label(p) == p] == ["event_updated"]  # owed numbered


@pytest.mark.django_db
def test_the_leads_page_shows_the_words(client, lead):
    OutboundEmail.objects.create(
        booking=BookingFactory(),
        purpose="eval-post-invite",
        state=OutboundEmail.State.GIVEN_UP,
        attempts=12,
    )
    client.force_login(lead)
    page = client.get(reverse("messaging:problems")).content.decode()
    assert "Post-course evaluation, invitation to " in page
    assert "eval-post-invite" not in page
