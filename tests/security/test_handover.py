"""The hand-over form does not tell whether an address has an account, nor where its owner
works (one answer), and a person can try only a few addresses a minute."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from bookings import services
from bookings.models import Booking
from tests.factories import BookingFactory, EventFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def handover(client, practitioner):
    booking = BookingFactory(event=EventFactory(), person=practitioner)
    client.force_login(practitioner)
    return reverse("bookings:substitute", args=[booking.pk]), booking


def _answer(response) -> list[str]:
    return response.context["form"].errors.get("colleague", [])


def test_no_account_and_another_organisation_get_the_same_answer(client, handover):
    url, booking = handover
    UserFactory(email="officer@police.uk", organisation=OrganisationFactory(name="WMP"))
    UserFactory(email="nobody-home@police.uk", organisation=None)
    answers = [
        _answer(client.post(url, {"colleague": email}))
        for email in ("nobody@police.uk", "officer@police.uk", "nobody-home@police.uk")
    ]
    assert answers == [[services.SUBSTITUTE_SAME_ORG]] * 3
    assert "WMP" not in services.SUBSTITUTE_SAME_ORG
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_more_than_five_addresses_a_minute_are_refused(client, handover, practitioner):
    url, booking = handover
    for n in range(5):
        assert client.post(url, {"colleague": f"guess{n}@police.uk"}).status_code == 200
    colleague = UserFactory(email="col@dudley.gov.uk", organisation=practitioner.organisation)
    refused = client.post(url, {"colleague": colleague.email})
    assert refused.status_code == 429
    assert "tried too many email addresses" in refused.content.decode()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED  # nothing was looked up or changed


def test_a_refused_try_says_only_that_it_was_refused(client, handover):
    """Over the limit, a malformed address got "Enter a valid email address" with the 429, and
    no word of the limit above it."""
    url, _booking = handover
    for n in range(5):
        client.post(url, {"colleague": f"guess{n}@police.uk"})
    refused = client.post(url, {"colleague": "not an address"})
    page = refused.content.decode()
    assert refused.status_code == 429
    assert "tried too many email addresses" in page
    assert "Enter a valid email address" not in page
