from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from bookings.models import Booking
from evaluations import services
from evaluations.defaults import ensure_default_questionnaires
from evaluations.models import Item, Stage
from tests.factories import BookingFactory, EventFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def setup(db, monkeypatch):
    ensure_default_questionnaires()
    monkeypatch.setattr("django.db.transaction.on_commit", lambda func, *a, **k: func())


@pytest.fixture
def delivered(trainer):
    start = timezone.now() - timedelta(hours=5)
    event = EventFactory(start=start, end=start + timedelta(hours=3), status="delivered")
    event.trainers.add(trainer)
    answered = BookingFactory(event=event, status=Booking.Status.ATTENDED)
    waiting = BookingFactory(event=event, status=Booking.Status.ATTENDED)
    inv = services.invitation_create(booking=answered, stage=Stage.POST)
    data = {i.id: "4" for i in inv.questionnaire.items.filter(kind=Item.Kind.RATING)}
    data |= {i.id: "ok" for i in inv.questionnaire.items.filter(kind=Item.Kind.TEXT)}
    services.response_save(invitation=inv, data=data, submit=True)
    services.invitation_create(booking=waiting, stage=Stage.POST)
    return event, answered, waiting


def test_lead_sees_who_has_not_answered(client, lead, delivered):
    event, answered, waiting = delivered
    client.force_login(lead)
    page = client.get(reverse("evaluations:event_returns", args=[event.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    for person in (answered.person, waiting.person):
        assert escape(person.get_full_name()) in text  # names like O'Neill are HTML-escaped
    assert "post-course 1" in text


def test_reminder_batch_reaches_only_those_who_have_not_answered_once_a_day(
    client, lead, delivered, mailoutbox
):
    event, answered, waiting = delivered
    client.force_login(lead)
    mailoutbox.clear()
    url = reverse("evaluations:event_returns", args=[event.pk])
    client.post(url, {"stage": "post"})
    client.post(url, {"stage": "post"})  # a double click sends nothing more today
    assert [m.to for m in mailoutbox] == [[waiting.person.email]]
    assert mailoutbox[0].subject.startswith("Reminder")


def test_returns_page_is_for_the_lead_only(client, trainer, practitioner, delivered):
    event = delivered[0]
    for user in (trainer, practitioner):
        client.force_login(user)
        assert client.get(reverse("evaluations:event_returns", args=[event.pk])).status_code == 403


def test_trainer_shows_a_qr_code_and_a_short_link(client, trainer, delivered):
    event = delivered[0]
    client.force_login(trainer)
    page = client.get(reverse("evaluations:event_link", args=[event.pk]))
    assert page.status_code == 200
    assert b"<svg" in page.content
    assert reverse("evaluations:event_short", args=[event.pk]).encode() in page.content
    client.force_login(UserFactory(roles=["Trainer"]))  # another event's trainer
    assert client.get(reverse("evaluations:event_link", args=[event.pk])).status_code == 404


def test_short_link_takes_the_signed_in_delegate_to_their_own_evaluation(client, delivered):
    event, answered, waiting = delivered
    client.force_login(waiting.person)
    response = client.get(reverse("evaluations:event_short", args=[event.pk]))
    invitation = waiting.invitations.get(stage=Stage.POST)
    assert response.status_code == 302
    assert services.invitation_link_token(invitation) in response["Location"]


def test_short_link_without_an_invitation_explains_and_never_shows_another(client, delivered):
    event = delivered[0]
    stranger = UserFactory()
    client.force_login(stranger)
    page = client.get(reverse("evaluations:event_short", args=[event.pk]))
    assert page.status_code == 200 and b"on its way" in page.content


def test_short_link_needs_sign_in(client, delivered):
    response = client.get(reverse("evaluations:event_short", args=[delivered[0].pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
