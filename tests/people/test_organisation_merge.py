import pytest

from bookings.models import Booking, Enrolment
from people.models import Organisation, OrganisationDomain
from people.services import (
    MERGE_INTO_ITSELF,
    OrganisationError,
    organisation_get_or_create_by_name,
    organisation_merge,
)
from tests.factories import BookingFactory, CourseFactory, OrganisationDomainFactory, UserFactory


@pytest.fixture
def typed_in(db):
    """What a sign-up typed as 'not listed' for an organisation that is really the council."""
    return organisation_get_or_create_by_name(name="Dudley MBC children's services")


def test_merge_moves_people_bookings_enrolments_and_domains_then_deletes_the_source(
    typed_in, council, lead
):
    person = UserFactory(organisation=typed_in)
    booking = BookingFactory(person=person)
    assert booking.organisation == typed_in
    enrolment = Enrolment.objects.create(
        course=CourseFactory(),
        person=person,
        organisation=typed_in,
        enrolled_at=booking.created_at,
    )
    OrganisationDomainFactory(organisation=typed_in, domain="dudleychildren.example")

    result = organisation_merge(source=typed_in, target=council, actor=lead)

    assert result == council
    assert not Organisation.objects.filter(pk=typed_in.pk).exists()
    person.refresh_from_db()
    assert person.organisation == council
    assert Booking.objects.get(pk=booking.pk).organisation == council
    # Enrolment.organisation has related_name="+": a hidden relation must still be moved.
    assert Enrolment.objects.get(pk=enrolment.pk).organisation == council
    assert set(
        OrganisationDomain.objects.filter(organisation=council).values_list("domain", flat=True)
    ) == {
        "dudley.gov.uk",
        "dudleychildren.example",
    }
    entry = council.log.get(action="merged")
    assert entry.actor == lead
    assert "Dudley MBC children's services" in entry.detail


def test_merging_into_itself_is_refused(council, lead):
    with pytest.raises(OrganisationError, match=MERGE_INTO_ITSELF):
        organisation_merge(source=council, target=council, actor=lead)
    assert Organisation.objects.filter(pk=council.pk).exists()
