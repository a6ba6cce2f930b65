"""The per-organisation limit holds through the waiting list: an offer skips a full organisation."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bookings import selectors, services
from bookings.models import Booking
from tests.factories import EventFactory, OrganisationFactory

pytestmark = pytest.mark.django_db
S = Booking.Status


@pytest.fixture
def limited(make_person):
    """Two places, one per organisation: A and B hold them; a second from A waits, then C."""
    event = EventFactory(
        capacity=2, places_per_organisation=1, start=timezone.now() + timedelta(days=20)
    )
    orgs = {name: OrganisationFactory(name=f"Org {name}") for name in "ABC"}
    people = {
        "a1": make_person(organisation=orgs["A"]),
        "b1": make_person(organisation=orgs["B"]),
        "a2": make_person(organisation=orgs["A"]),
        "c1": make_person(organisation=orgs["C"]),
    }
    return event, people


def _book(event, person):
    return services.booking_create(event=event, person=person)


def test_a_freed_place_skips_someone_whose_organisation_is_at_its_limit(limited, reasons):
    event, people = limited
    _a1, b1 = _book(event, people["a1"]), _book(event, people["b1"])
    a2, c1 = _book(event, people["a2"]), _book(event, people["c1"])
    assert (a2.status, c1.status) == (S.WAITLISTED, S.WAITLISTED)

    services.booking_cancel(booking=b1, actor=b1.person, reason=reasons["capacity"])

    a2.refresh_from_db()
    c1.refresh_from_db()
    assert (a2.status, c1.status) == (S.WAITLISTED, S.OFFERED)
    assert selectors.waitlist_position(a2) == 1  # keeps their place in the queue
    services.booking_accept_offer(booking=c1)
    held = event.bookings.filter(status__in=Booking.HOLDS_PLACE, organisation__name="Org A")
    assert held.count() == 1


def test_the_skipped_person_is_offered_when_their_organisation_frees_a_place(limited, reasons):
    event, people = limited
    a1, b1 = _book(event, people["a1"]), _book(event, people["b1"])
    a2, c1 = _book(event, people["a2"]), _book(event, people["c1"])
    services.booking_cancel(booking=b1, actor=b1.person, reason=reasons["capacity"])
    c1.refresh_from_db()
    assert c1.status == S.OFFERED

    services.booking_cancel(booking=a1, actor=a1.person, reason=reasons["capacity"])

    a2.refresh_from_db()
    assert a2.status == S.OFFERED


def test_a_newcomer_takes_a_place_nobody_waiting_may_have(limited, reasons):
    event, people = limited
    _a1, b1 = _book(event, people["a1"]), _book(event, people["b1"])
    a2 = _book(event, people["a2"])
    services.booking_cancel(booking=b1, actor=b1.person, reason=reasons["capacity"])
    a2.refresh_from_db()
    assert a2.status == S.WAITLISTED  # Org A is at its limit: the place stays free

    assert _book(event, people["c1"]).status == S.CONFIRMED
