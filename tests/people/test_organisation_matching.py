import pytest

from people.models import Organisation
from people.services import (
    ORGANISATION_NAME_REQUIRED,
    OrganisationError,
    email_domain_candidates,
    organisation_for_email,
    organisation_get_or_create_by_name,
)
from tests.factories import OrganisationDomainFactory, OrganisationFactory


def test_email_domain_matches_its_organisation(police):
    assert organisation_for_email("sam@westmidlands.police.uk") == police


def test_a_sub_domain_matches_the_organisation_owning_its_parent(police):
    assert organisation_for_email("sam@cid.westmidlands.police.uk") == police


def test_the_most_specific_domain_wins(police):
    cid = OrganisationFactory(name="CID Unit")
    OrganisationDomainFactory(organisation=cid, domain="cid.westmidlands.police.uk")

    assert organisation_for_email("sam@cid.westmidlands.police.uk") == cid
    assert organisation_for_email("sam@traffic.westmidlands.police.uk") == police


def test_domain_matching_ignores_case_and_does_not_match_look_alikes(police):
    assert organisation_for_email("Sam@WestMidlands.Police.UK") == police
    assert organisation_for_email("sam@notwestmidlands.police.uk") is None
    assert organisation_for_email("sam@police.uk") is None
    assert organisation_for_email("not-an-email") is None


def test_domain_candidates_never_include_a_bare_top_level_domain():
    assert email_domain_candidates("a@x.y.gov.uk") == ["x.y.gov.uk", "y.gov.uk", "gov.uk"]
    assert email_domain_candidates("a@localhost") == []


@pytest.mark.parametrize("typed", ["Dudley Council", "  dudley   COUNCIL ", "DUDLEY\tcouncil"])
def test_name_variants_find_the_same_organisation(council, typed):
    assert organisation_get_or_create_by_name(name=typed) == council
    assert Organisation.objects.count() == 1


def test_a_new_name_creates_an_unlisted_organisation_for_review(db):
    org = organisation_get_or_create_by_name(name="  Bright   Futures ")

    assert org.name == "Bright Futures"
    assert org.is_partner is False
    assert org.sector == Organisation.Sector.OTHER
    assert org.log.get().action == "created"
    assert organisation_get_or_create_by_name(name="bright futures") == org


def test_a_blank_name_is_refused(db):
    with pytest.raises(OrganisationError, match=ORGANISATION_NAME_REQUIRED):
        organisation_get_or_create_by_name(name="   ")
