"""The lead sees failed and given-up emails, overall and per event, and can send one again."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from messaging import outbox
from messaging.models import OutboundEmail
from privacy.models import AuditEntry
from tests.factories import BookingFactory, EventFactory

pytestmark = pytest.mark.django_db
State = OutboundEmail.State


@pytest.fixture
def rows(db):
    first = EventFactory(start=timezone.now() + timedelta(days=10))
    second = EventFactory(start=timezone.now() + timedelta(days=20))
    made = {}
    for name, event, state in [
        ("failed", first, State.FAILED),
        ("given_up", second, State.GIVEN_UP),
        ("sent", first, State.SENT),
        ("skipped", first, State.SKIPPED),
    ]:
        booking = BookingFactory(event=event)
        made[name] = OutboundEmail.objects.create(
            booking=booking, purpose="confirmation", state=state, attempts=3, note=f"note {name}"
        )
    return made


def test_the_page_lists_failed_and_given_up_emails_only(client, lead, rows):
    client.force_login(lead)
    page = client.get(reverse("messaging:problems"))
    assert page.status_code == 200
    shown = {row.pk for row in page.context["rows"]}
    assert shown == {rows["failed"].pk, rows["given_up"].pk}
    body = page.content.decode()
    assert "note failed" in body and "note given_up" in body and "note sent" not in body
    assert "Given up" in body and "Failed, will retry" in body


def test_the_page_filters_by_event(client, lead, rows):
    client.force_login(lead)
    event_id = rows["given_up"].booking.event_id
    page = client.get(reverse("messaging:problems"), {"event": event_id})
    assert [row.pk for row in page.context["rows"]] == [rows["given_up"].pk]
    assert page.context["event"][0] == event_id
    # Nonsense in the filter shows everything, never an error.
    assert client.get(reverse("messaging:problems"), {"event": "x'"}).status_code == 200
    # ...and so does an id longer than the database holds (was a 500).
    huge = client.get(reverse("messaging:problems"), {"event": "9" * 21})
    assert huge.status_code == 200 and huge.context["event"] is None


def test_only_the_lead_sees_the_page_or_resends(client, practitioner, trainer, rows):
    for person in (practitioner, trainer):
        client.force_login(person)
        assert client.get(reverse("messaging:problems")).status_code == 403
        url = reverse("messaging:resend", args=[rows["given_up"].pk])
        assert client.post(url).status_code == 403
    assert OutboundEmail.objects.get(pk=rows["given_up"].pk).state == State.GIVEN_UP


def test_sending_again_sends_once_and_is_audited(
    client, lead, rows, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(lead)
    row = rows["given_up"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("messaging:resend", args=[row.pk]))
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.state == State.SENT and row.attempts == 1 and row.note == ""
    assert [m.to for m in mailoutbox] == [[row.booking.person.email]]
    entry = AuditEntry.objects.get(action="email.resend")
    assert entry.actor == lead and entry.object_id == str(row.pk)
    assert entry.before == {"state": "given_up"} and entry.after == {"state": "pending"}
    assert entry.subject == row.booking.person


def test_a_sent_email_cannot_be_sent_again(client, lead, rows, mailoutbox):
    client.force_login(lead)
    response = client.post(reverse("messaging:resend", args=[rows["sent"].pk]), follow=True)
    assert outbox.NOT_RESENDABLE in response.content.decode()
    assert OutboundEmail.objects.get(pk=rows["sent"].pk).state == State.SENT
    assert mailoutbox == [] and not AuditEntry.objects.filter(action="email.resend").exists()
    assert client.post(reverse("messaging:resend", args=[999999])).status_code == 404


def test_the_page_reads_in_a_fixed_number_of_queries(
    client, lead, rows, django_assert_max_num_queries
):
    client.force_login(lead)
    for _ in range(5):
        OutboundEmail.objects.create(
            booking=BookingFactory(), purpose="reminder", state=State.FAILED, note="x"
        )
    with django_assert_max_num_queries(12):
        assert client.get(reverse("messaging:problems")).status_code == 200
