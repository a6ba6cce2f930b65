"""Who may be invited and who may answer (issue 13 items 1-3): pre-course closes at the start, a
cancelled place's invitations are withdrawn, partial attendance earns no certificate."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from bookings import services as booking_services
from bookings.certificates import PARTIAL_NO_CERTIFICATE
from bookings.models import Booking, CancellationReason
from evaluations import services, tasks
from evaluations.defaults import ensure_default_questionnaires
from evaluations.models import Item, Response, Stage
from messaging.models import OutboundEmail
from tests.factories import BookingFactory, EventFactory

pytestmark = pytest.mark.django_db
S = Booking.Status
LINK = re.compile(r"https?://[^/\s]+(/evaluations/r/[^\s]+/)")


@pytest.fixture(autouse=True)
def setup(db, monkeypatch):
    ensure_default_questionnaires()
    monkeypatch.setattr("django.db.transaction.on_commit", lambda func, *a, **k: func())


def _form(invitation, rating="4"):
    data = {}
    for item in invitation.questionnaire.items.all():
        if item.kind == Item.Kind.RATING:
            data[f"item-{item.id}"] = rating
        elif item.kind == Item.Kind.CHOICE:
            data[f"item-{item.id}"] = item.choices.splitlines()[0]
        else:
            data[f"item-{item.id}"] = "Useful"
    return {**data, "submit": "1"}


@pytest.fixture
def upcoming(practitioner):
    start = timezone.now() + timedelta(days=10)
    event = EventFactory(start=start, end=start + timedelta(hours=3))
    return BookingFactory(event=event, person=practitioner, status=S.CONFIRMED)


# --- 13.1 pre-course answers stop at the start ----------------------------------------------


def test_pre_course_link_stops_taking_answers_when_the_event_starts(client, upcoming):
    invitation = services.invitation_create(booking=upcoming, stage=Stage.PRE)
    link = reverse("evaluations:answer", args=[services.invitation_link_token(invitation)])
    with time_machine.travel(upcoming.event.start + timedelta(hours=5)):
        Booking.objects.filter(pk=upcoming.pk).update(status=S.ATTENDED)
        page = client.get(link)
        assert page.status_code == 410
        assert services.PRE_CLOSED in page.content.decode()
        posted = client.post(link, _form(invitation))
        assert posted.status_code == 410
        with pytest.raises(services.EvaluationError, match="closed when the course started"):
            data = {i.id: "4" for i in invitation.questionnaire.items.filter(kind="rating")}
            services.response_save(invitation=invitation, data=data, submit=True)
    assert not Response.objects.filter(invitation=invitation).exists()


def test_pre_course_link_still_works_just_before_the_start(client, upcoming):
    invitation = services.invitation_create(booking=upcoming, stage=Stage.PRE)
    link = reverse("evaluations:answer", args=[services.invitation_link_token(invitation)])
    with time_machine.travel(upcoming.event.start - timedelta(minutes=5)):
        assert client.post(link, _form(invitation)).status_code == 200
    assert Response.objects.get(invitation=invitation).submitted_at is not None


def test_my_training_stops_offering_the_pre_course_evaluation_after_the_start(
    client, practitioner, upcoming
):
    services.invitation_create(booking=upcoming, stage=Stage.PRE)
    client.force_login(practitioner)
    page = client.get(reverse("bookings:my_training")).content.decode()
    assert "Answer the pre-course evaluation" in page
    with time_machine.travel(upcoming.event.start + timedelta(hours=5)):
        Booking.objects.filter(pk=upcoming.pk).update(status=S.ATTENDED)
        client.force_login(practitioner)
        page = client.get(reverse("bookings:my_training")).content.decode()
    assert "Answer the pre-course evaluation" not in page
    assert "Email me a fresh link" not in page


def test_no_pre_course_invitation_is_made_after_the_start(upcoming):
    with time_machine.travel(upcoming.event.start + timedelta(minutes=1)):
        with pytest.raises(services.EvaluationError, match="closed when the course started"):
            services.invitation_create(booking=upcoming, stage=Stage.PRE)


# --- 13.2 cancelled places ------------------------------------------------------------------


@pytest.fixture
def reason(db):
    return CancellationReason.objects.create(label="Work capacity")


def test_cancelling_withdraws_the_open_invitation_its_email_and_its_link(
    client, practitioner, upcoming, reason, mailoutbox, monkeypatch
):
    queued = []
    # The invitation email is owed but not yet sent when the place is cancelled.
    monkeypatch.setattr("messaging.outbox.outbox_enqueue", queued.append)
    monkeypatch.setattr("evaluations.services.outbox_enqueue", queued.append)
    invitation = services.invitation_create(booking=upcoming, stage=Stage.PRE)
    booking_services.booking_cancel(booking=upcoming, actor=practitioner, reason=reason)
    row = OutboundEmail.objects.get(booking=upcoming, purpose="eval-pre-invite")
    assert not tasks.send_evaluation_email(
        upcoming.pk, row.purpose, row.recipient_role, invitation.pk
    )
    assert not [m for m in mailoutbox if "Before your course" in m.subject]
    row.refresh_from_db()
    assert row.state == OutboundEmail.State.SKIPPED  # closed: the sweeper will not retry it
    link = reverse("evaluations:answer", args=[services.invitation_link_token(invitation)])
    page = client.get(link)
    assert page.status_code == 410 and services.NO_LONGER_NEEDED in page.content.decode()
    assert client.post(link, _form(invitation)).status_code == 410
    assert not Response.objects.filter(invitation=invitation).exists()


def test_cancelled_booking_is_offered_no_fresh_link_and_cannot_get_one(
    client, practitioner, mailoutbox
):
    start = timezone.now() - timedelta(days=200)
    event = EventFactory(start=start, end=start + timedelta(hours=3))
    booking = BookingFactory(event=event, person=practitioner, status=S.CONFIRMED)
    with time_machine.travel(start - timedelta(days=5)):
        invitation = services.invitation_create(booking=booking, stage=Stage.PRE)
    Booking.objects.filter(pk=booking.pk).update(status=S.CANCELLED)
    client.force_login(practitioner)
    page = client.get(reverse("bookings:my_training")).content.decode()
    assert "Email me a fresh link" not in page
    mailoutbox.clear()
    client.post(reverse("evaluations:fresh_link", args=[invitation.pk]))
    assert mailoutbox == []
    with pytest.raises(services.EvaluationError):
        services.invitation_refresh(invitation=invitation)


def test_a_cancelled_or_no_show_booking_cannot_be_invited_after_the_course(practitioner):
    start = timezone.now() - timedelta(days=3)
    event = EventFactory(start=start, end=start + timedelta(hours=3), status="delivered")
    for status in (S.CANCELLED, S.NO_SHOW, S.CONFIRMED):
        booking = BookingFactory(event=event, status=status)
        for stage in (Stage.POST, Stage.STAGE2):
            with pytest.raises(services.EvaluationError):
                services.invitation_create(booking=booking, stage=stage)


def test_reminder_for_a_withdrawn_invitation_sends_nothing(upcoming, practitioner, mailoutbox):
    invitation = services.invitation_create(booking=upcoming, stage=Stage.PRE)
    Booking.objects.filter(pk=upcoming.pk).update(status=S.CANCELLED)
    mailoutbox.clear()
    tasks.send_evaluation_email(upcoming.pk, "eval-pre-reminder1", "delegate", invitation.pk)
    assert mailoutbox == []


# --- 13.3 partial attendance: evaluated, no certificate -------------------------------------


@pytest.fixture
def delivered():
    start = timezone.now() - timedelta(days=2)
    return EventFactory(start=start, end=start + timedelta(hours=3), status="delivered")


def test_partial_attendee_is_evaluated_but_promised_no_certificate(
    client, practitioner, delivered, mailoutbox
):
    booking = BookingFactory(event=delivered, person=practitioner, status=S.PARTIAL)
    invitation = services.invitation_create(booking=booking, stage=Stage.POST)
    mail = [m for m in mailoutbox if m.to == [practitioner.email]][-1]
    assert "certificate is waiting" not in mail.subject
    assert "certificate of attendance will be ready" not in mail.body
    assert PARTIAL_NO_CERTIFICATE in mail.body
    link = LINK.search(mail.body).group(1)
    thanks = client.post(link, _form(invitation)).content.decode()
    assert "certificate of attendance is ready" not in thanks
    assert PARTIAL_NO_CERTIFICATE in thanks
    client.force_login(practitioner)
    page = client.get(reverse("bookings:my_training")).content.decode()
    assert PARTIAL_NO_CERTIFICATE in page
    assert client.get(reverse("bookings:certificate", args=[booking.pk])).status_code == 404


def test_full_attendee_is_still_promised_the_certificate(
    client, practitioner, delivered, mailoutbox
):
    booking = BookingFactory(event=delivered, person=practitioner, status=S.ATTENDED)
    invitation = services.invitation_create(booking=booking, stage=Stage.POST)
    mail = [m for m in mailoutbox if m.to == [practitioner.email]][-1]
    assert "certificate is waiting" in mail.subject
    assert PARTIAL_NO_CERTIFICATE not in mail.body
    link = LINK.search(mail.body).group(1)
    thanks = client.post(link, _form(invitation)).content.decode()
    assert "certificate of attendance is ready" in thanks


def test_the_leads_reminder_batch_skips_withdrawn_invitations(upcoming, lead, mailoutbox):
    services.invitation_create(booking=upcoming, stage=Stage.PRE)
    other = BookingFactory(event=upcoming.event, status=S.CONFIRMED)
    services.invitation_create(booking=other, stage=Stage.PRE)
    Booking.objects.filter(pk=upcoming.pk).update(status=S.CANCELLED)
    assert services.reminder_batch_send(event=upcoming.event, stage=Stage.PRE, actor=lead) == 1


def test_two_expired_links_for_one_course_get_buttons_that_say_which(client, practitioner):
    start = timezone.now() - timedelta(days=200)
    event = EventFactory(start=start, end=start + timedelta(hours=3), status="delivered")
    booking = BookingFactory(event=event, person=practitioner, status=S.ATTENDED)
    with time_machine.travel(event.end + timedelta(hours=1)):
        services.invitation_create(booking=booking, stage=Stage.POST)
    with time_machine.travel(event.end + timedelta(days=84)):
        services.invitation_create(booking=booking, stage=Stage.STAGE2)
    client.force_login(practitioner)
    page = client.get(reverse("bookings:my_training")).content.decode()
    assert page.count("Email me a fresh link to the post-course evaluation") == 1
    assert page.count("Email me a fresh link to the follow-up on my practice") == 1
