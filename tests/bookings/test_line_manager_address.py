"""Issue 12.4: a line manager's address is not proved. It must be on a partner organisation's
domain and not the delegate's own; no calendar invite and no booker's text goes to it."""

import pytest
from django.urls import reverse

from bookings import emails
from bookings.line_manager import NOT_PARTNER, OWN_ADDRESS
from bookings.models import Booking
from people.models import Organisation
from tests.factories import BookingFactory, OrganisationDomainFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def domains(practitioner):
    OrganisationDomainFactory(organisation=practitioner.organisation, domain="dudley.gov.uk")
    unlisted = OrganisationFactory(name="Somebody's Ltd", is_partner=False)
    OrganisationDomainFactory(organisation=unlisted, domain="unlisted.example.com")


def _book(client, practitioner, event, email):
    client.force_login(practitioner)
    return client.post(
        reverse("bookings:book", args=[event.pk]),
        {"line_manager_name": "Mo Manager", "line_manager_email": email},
    )


@pytest.mark.parametrize(
    "email, message",
    [
        ("anyone@gmail.com", NOT_PARTNER),
        ("boss@unlisted.example.com", NOT_PARTNER),
        ("PAT.practitioner@dudley.gov.uk", OWN_ADDRESS),
    ],
)
def test_booking_form_refuses_a_line_manager_address_off_partner_domains_or_own(
    client, practitioner, event, email, message
):
    page = _book(client, practitioner, event, email)
    assert page.status_code == 200
    assert message.replace("'", "&#x27;") in page.content.decode()
    assert not Booking.objects.filter(event=event, person=practitioner).exists()


def test_booking_form_takes_a_partner_address(client, practitioner, event):
    assert _book(client, practitioner, event, "mo@dudley.gov.uk").status_code == 302
    assert Booking.objects.get(event=event, person=practitioner).line_manager_email == (
        "mo@dudley.gov.uk"
    )


def test_line_manager_copy_has_no_calendar_invite_and_no_typed_name(practitioner, event):
    assert Organisation.objects.filter(is_partner=True).exists()
    booking = BookingFactory(
        event=event,
        person=practitioner,
        line_manager_name="Click http://evil.example/",
        line_manager_email="mo@dudley.gov.uk",
    )
    practitioner.full_name = "Visit http://evil.example/ now"
    practitioner.save()
    for purpose in ("confirmation", "cancellation"):
        message = emails.build_message(booking, purpose, "line_manager")
        assert message.attachments == []
        assert "evil.example" not in message.body
        assert practitioner.email in message.body
        delegate_copy = emails.build_message(booking, purpose, "delegate")
        assert len(delegate_copy.attachments) == 1
