from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings.models import Booking
from evaluations import services
from evaluations.defaults import ensure_default_questionnaires
from evaluations.hooks import CERTIFICATE_WAITS
from evaluations.models import Stage
from tests.factories import BookingFactory, EventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def setup(db, monkeypatch):
    ensure_default_questionnaires()
    monkeypatch.setattr("django.db.transaction.on_commit", lambda func, *a, **k: func())


@pytest.fixture
def attended(practitioner):
    start = timezone.now() - timedelta(days=2)
    event = EventFactory(start=start, end=start + timedelta(hours=3), status="delivered")
    return BookingFactory(event=event, person=practitioner, status=Booking.Status.ATTENDED)


def _answer_all(invitation):
    data = {}
    for item in invitation.questionnaire.items.all():
        data[item.id] = {"rating": "4", "choice": item.choices.split("\n")[0]}.get(item.kind, "ok")
    services.response_save(invitation=invitation, data=data, submit=True)


def test_certificate_waits_for_the_post_course_evaluation(client, practitioner, attended):
    invitation = services.invitation_create(booking=attended, stage=Stage.POST)
    client.force_login(practitioner)
    page = client.get(reverse("bookings:certificate", args=[attended.pk]))
    assert CERTIFICATE_WAITS.encode() in page.content
    assert services.invitation_link_token(invitation).encode() in page.content
    _answer_all(invitation)
    page = client.get(reverse("bookings:certificate", args=[attended.pk]))
    assert CERTIFICATE_WAITS.encode() not in page.content
    assert b"Certificate of attendance" in page.content


def test_certificate_gate_can_be_switched_off(client, practitioner, attended, settings):
    settings.EVAL_CERTIFICATE_NEEDS_POST = False
    client.force_login(practitioner)
    page = client.get(reverse("bookings:certificate", args=[attended.pk]))
    assert CERTIFICATE_WAITS.encode() not in page.content


def test_my_training_links_the_open_evaluation_and_offers_a_fresh_link_when_expired(
    client, practitioner, attended, mailoutbox
):
    invitation = services.invitation_create(booking=attended, stage=Stage.POST)
    client.force_login(practitioner)
    page = client.get(reverse("bookings:my_training"))
    assert services.invitation_link_token(invitation).encode() in page.content
    invitation.expires_at = timezone.now() - timedelta(minutes=1)
    invitation.save()
    page = client.get(reverse("bookings:my_training"))
    fresh_url = reverse("evaluations:fresh_link", args=[invitation.pk])
    assert fresh_url.encode() in page.content
    mailoutbox.clear()
    client.post(fresh_url)
    invitation.refresh_from_db()
    assert invitation.expires_at > timezone.now()
    assert len(mailoutbox) == 1
    assert services.invitation_link_token(invitation) in mailoutbox[0].body


def test_nobody_can_refresh_someone_elses_link(client, practitioner):
    other = BookingFactory(status=Booking.Status.CONFIRMED)
    invitation = services.invitation_create(booking=other, stage=Stage.PRE)
    client.force_login(practitioner)
    assert client.post(reverse("evaluations:fresh_link", args=[invitation.pk])).status_code == 404


def test_my_training_queries_do_not_grow_with_bookings(
    client, practitioner, django_assert_max_num_queries
):
    def add(n):
        for _ in range(n):
            start = timezone.now() - timedelta(days=5)
            event = EventFactory(start=start, end=start + timedelta(hours=2), status="delivered")
            booking = BookingFactory(event=event, person=practitioner, status="attended")
            services.invitation_create(booking=booking, stage=Stage.POST)

    client.force_login(practitioner)
    add(2)
    with django_assert_max_num_queries(30) as few:
        client.get(reverse("bookings:my_training"))
    add(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("bookings:my_training"))
