"""Emailed waiting-list offer links: an opaque random id, signed and time-limited.

Tampered, expired, reused and someone else's links all get the same friendly page and status
(nothing to enumerate); the pages are kept out of caches and Referer headers; a link never signs
anyone in.
"""

import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from bookings import services
from bookings.models import Booking, CancellationReason
from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.django_db
S = Booking.Status
OFFER_LINK = re.compile(r"https?://[^/\s]+(/bookings/offer/[^\s]+/)")


@pytest.fixture(autouse=True)
def run_on_commit(monkeypatch):
    """Send the emails at once: tests run inside one transaction that never commits."""
    monkeypatch.setattr("django.db.transaction.on_commit", lambda func, *a, **k: func())


@pytest.fixture
def offer(mailoutbox):
    """A full event whose first waiting delegate has just been offered the freed place by email."""
    event = EventFactory(capacity=1, start=timezone.now() + timedelta(days=10))
    holder, waiter = UserFactory(), UserFactory()
    held = services.booking_create(event=event, person=holder)
    waiting = services.booking_create(event=event, person=waiter)
    reason = CancellationReason.objects.create(label="Work capacity")
    mailoutbox.clear()
    services.booking_cancel(booking=held, actor=holder, reason=reason)
    waiting.refresh_from_db()
    assert waiting.status == S.OFFERED
    [mail] = [m for m in mailoutbox if m.to == [waiter.email]]
    return {"booking": waiting, "person": waiter, "link": OFFER_LINK.search(mail.body).group(1)}


def assert_not_working(response):
    """The one page every bad link gets: same status, same words, private headers."""
    assert response.status_code == 404
    assert b"This link is not working" in response.content
    assert_private(response)


def assert_private(response):
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]


def test_the_emailed_link_carries_a_random_signed_id_not_the_booking_number(offer):
    booking = offer["booking"]
    token = offer["link"].rstrip("/").rsplit("/", 1)[1]
    key, _timestamp, _signature = token.split(":")
    assert key == booking.offer_key and len(key) >= 40
    assert f"/{booking.pk}/" not in offer["link"]


def test_the_offer_page_needs_sign_in_and_the_link_never_signs_anyone_in(client, offer):
    response = client.get(offer["link"])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session
    client.post(offer["link"])
    offer["booking"].refresh_from_db()
    assert offer["booking"].status == S.OFFERED


def test_the_owner_opens_the_link_and_takes_the_place(client, offer):
    client.force_login(offer["person"])
    page = client.get(offer["link"])
    assert page.status_code == 200 and b"Take the place" in page.content
    assert_private(page)
    taken = client.post(offer["link"])
    assert taken.status_code == 302 and taken["Location"] == reverse("bookings:my_training")
    assert_private(taken)
    offer["booking"].refresh_from_db()
    assert offer["booking"].status == S.CONFIRMED


def test_a_reused_link_gets_the_not_working_page(client, offer):
    client.force_login(offer["person"])
    client.post(offer["link"])
    assert_not_working(client.get(offer["link"]))
    assert_not_working(client.post(offer["link"]))
    assert Booking.objects.filter(event=offer["booking"].event, status=S.CONFIRMED).count() == 1


def test_someone_elses_link_gets_the_same_page_and_takes_nothing(client, offer):
    colleague = UserFactory(organisation=offer["person"].organisation)
    client.force_login(colleague)
    response = client.get(offer["link"])
    assert_not_working(response)
    assert offer["person"].email.encode() not in response.content
    assert offer["booking"].event.course.title.encode() not in response.content
    assert_not_working(client.post(offer["link"]))
    offer["booking"].refresh_from_db()
    assert offer["booking"].status == S.OFFERED


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"), id="signature-changed"),
        pytest.param(lambda t: "x" + t, id="key-changed"),
        pytest.param(lambda t: t.split(":")[0], id="unsigned-key"),
        pytest.param(
            lambda t: signing.Signer(salt=services.OFFER_LINK_SALT).sign(t.split(":")[0]),
            id="signed-without-timestamp",
        ),
        pytest.param(
            lambda t: signing.TimestampSigner(salt="evaluations.invitation").sign(t.split(":")[0]),
            id="other-salt",
        ),
        pytest.param(lambda t: "nonsense", id="nonsense"),
    ],
)
def test_a_tampered_link_gets_the_same_page(client, offer, tamper):
    token = offer["link"].rstrip("/").rsplit("/", 1)[1]
    client.force_login(offer["person"])
    url = reverse("bookings:offer", args=[tamper(token)])
    assert_not_working(client.get(url))
    assert_not_working(client.post(url))
    offer["booking"].refresh_from_db()
    assert offer["booking"].status == S.OFFERED


def test_a_link_after_the_offer_expired_gets_the_same_page(client, offer):
    with time_machine.travel(offer["booking"].offer_expires_at + timedelta(seconds=1)):
        client.force_login(offer["person"])  # inside: sessions last 12 hours at most
        assert_not_working(client.get(offer["link"]))
        assert_not_working(client.post(offer["link"]))
    offer["booking"].refresh_from_db()
    assert offer["booking"].status == S.OFFERED  # left for offers_expire to lapse


def test_a_link_older_than_any_offer_lasts_is_refused_by_its_signature(client, offer):
    """The timestamp bounds the link even if the booking's expiry were wrong."""
    Booking.objects.filter(pk=offer["booking"].pk).update(
        offer_expires_at=timezone.now() + timedelta(days=30)
    )
    later = timedelta(hours=settings.BOOKING_OFFER_HOURS, minutes=1)
    with time_machine.travel(timezone.now() + later):
        client.force_login(offer["person"])
        assert_not_working(client.get(offer["link"]))


def test_a_lapsed_or_cancelled_offer_link_gets_the_same_page(client, offer):
    client.force_login(offer["person"])
    services.offers_expire(now=offer["booking"].offer_expires_at)
    offer["booking"].refresh_from_db()
    assert offer["booking"].status == S.EXPIRED and offer["booking"].offer_key is None
    assert_not_working(client.get(offer["link"]))


def test_my_training_links_to_the_offer_with_a_signed_link(client, offer):
    client.force_login(offer["person"])
    page = client.get(reverse("bookings:my_training")).content.decode()
    [link] = re.findall(r'href="(/bookings/offer/[^"]+/)"', page)
    assert client.get(link).status_code == 200


def test_every_bad_link_page_is_identical(client, offer):
    """Nothing to tell a wrong guess from someone else's or a spent link."""
    colleague = UserFactory(organisation=offer["person"].organisation)
    client.force_login(colleague)
    others = client.get(offer["link"])
    guessed = client.get(reverse("bookings:offer", args=["guess:abc:def"]))
    assert (others.status_code, main_of(others)) == (guessed.status_code, main_of(guessed))


def main_of(response) -> str:
    """The page's main content (the layout around it carries a per-request CSRF token)."""
    return re.search(r"<main.*?</main>", response.content.decode(), re.S).group(0)
