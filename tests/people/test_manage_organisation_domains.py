"""The L&D lead's organisations and email domains at /manage/organisations/: add a domain
(validated: a domain, lower-cased, one organisation's only, never a public mail provider or a
shared suffix), remove one; sign-up matches on what is added."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from people.domains import (
    DOMAIN_INVALID,
    DOMAIN_PUBLIC,
    DOMAIN_REQUIRED,
    DOMAIN_SHARED,
    DOMAIN_TAKEN,
    ORGANISATION_REQUIRED,
    organisation_domain_add,
)
from people.models import Organisation, OrganisationDomain
from people.services import organisation_for_email
from tests.factories import OrganisationDomainFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

LIST = reverse("organisations:list")


@pytest.fixture
def council(db):
    return OrganisationFactory(name="Dudley Council")


def test_the_lead_adds_a_domain_and_sign_up_then_matches_it(client, lead, council):
    client.force_login(lead)
    assert organisation_for_email("sam@cid.dudley.gov.uk") is None
    response = client.post(LIST, {"organisation": council.pk, "domain": " @Dudley.GOV.uk. "})
    assert response.status_code == 302 and response["Location"] == LIST
    assert list(council.domains.values_list("domain", flat=True)) == ["dudley.gov.uk"]
    assert organisation_for_email("sam@cid.dudley.gov.uk") == council
    page = client.get(LIST).content.decode()
    assert "dudley.gov.uk" in page and "Dudley Council" in page


@pytest.mark.parametrize(
    ("domain", "message"),
    [
        ("", DOMAIN_REQUIRED),
        ("not a domain", DOMAIN_INVALID),
        ("localhost", DOMAIN_INVALID),
        ("dudley..gov.uk", DOMAIN_INVALID),
        ("-bad.org.uk", DOMAIN_INVALID),
        ("Gmail.com", DOMAIN_PUBLIC.format(domain="gmail.com")),
        ("hotmail.co.uk", DOMAIN_PUBLIC.format(domain="hotmail.co.uk")),
        ("gov.uk", DOMAIN_SHARED.format(domain="gov.uk")),
        ("WMP.police.uk", DOMAIN_TAKEN.format(domain="wmp.police.uk", organisation="Police")),
    ],
)
def test_a_refused_domain_says_why_on_the_field(client, lead, council, domain, message):
    OrganisationDomainFactory(
        organisation=OrganisationFactory(name="Police"), domain="wmp.police.uk"
    )
    client.force_login(lead)
    response = client.post(LIST, {"organisation": council.pk, "domain": domain})
    assert response.status_code == 400
    assert response.context["form"].errors == {"domain": [message]}
    assert 'id="id_domain-error"' in response.content.decode()
    assert not council.domains.exists()


def test_an_organisation_must_be_chosen_and_be_a_partner(client, lead):
    to_review = Organisation.objects.create(name="Typed In Trust", is_partner=False)
    client.force_login(lead)
    for chosen in ("", to_review.pk):
        response = client.post(LIST, {"organisation": chosen, "domain": "typed.org.uk"})
        assert response.status_code == 400
        assert response.context["form"].errors == {"organisation": [ORGANISATION_REQUIRED]}
    assert not OrganisationDomain.objects.exists()


def test_the_service_refuses_what_the_form_refuses(lead, council):
    with pytest.raises(ValidationError) as refused:
        organisation_domain_add(organisation=council, domain="outlook.com", actor=lead)
    assert refused.value.message_dict == {"domain": [DOMAIN_PUBLIC.format(domain="outlook.com")]}


def test_removing_a_domain_keeps_everyone_in_their_organisation(client, lead, council):
    from tests.factories import UserFactory

    domain = OrganisationDomainFactory(organisation=council, domain="dudley.gov.uk")
    person = UserFactory(email="sam@dudley.gov.uk", organisation=council)
    client.force_login(lead)
    response = client.post(reverse("organisations:domain_remove", args=[domain.pk]))
    assert response.status_code == 302
    assert not OrganisationDomain.objects.filter(pk=domain.pk).exists()
    person.refresh_from_db()
    assert person.organisation_id == council.pk
    assert organisation_for_email("new@dudley.gov.uk") is None
    assert client.get(reverse("organisations:domain_remove", args=[domain.pk])).status_code == 405


def test_the_list_takes_a_constant_number_of_queries(client, lead, django_assert_max_num_queries):
    for n in range(6):
        org = OrganisationFactory(name=f"Partner {n}")
        OrganisationDomainFactory(organisation=org, domain=f"p{n}.org.uk")
        OrganisationDomainFactory(organisation=org, domain=f"p{n}.nhs.uk")
    client.force_login(lead)
    with django_assert_max_num_queries(10):
        response = client.get(LIST)
    assert response.content.decode().count("/remove/") == 12


def test_only_the_lead_may_use_the_pages(client, practitioner, trainer, org_manager, council):
    domain = OrganisationDomainFactory(organisation=council, domain="dudley.gov.uk")
    for person in (practitioner, trainer, org_manager):
        client.force_login(person)
        assert client.get(LIST).status_code == 403
        data = {"organisation": council.pk, "domain": "sneaky.org.uk"}
        assert client.post(LIST, data).status_code == 403
        remove = reverse("organisations:domain_remove", args=[domain.pk])
        assert client.post(remove).status_code == 403
    assert list(OrganisationDomain.objects.values_list("domain", flat=True)) == ["dudley.gov.uk"]


def test_a_domain_added_between_the_check_and_the_save_is_refused_on_the_field(
    client, lead, council, monkeypatch
):
    from people import domains

    other = OrganisationFactory(name="Police")
    checked = domains.organisation_domain_validate

    def late_rival(*, domain):
        found = checked(domain=domain)
        if not OrganisationDomain.objects.filter(domain=found).exists():
            OrganisationDomain.objects.create(organisation=other, domain=found)
        return found

    client.force_login(lead)
    monkeypatch.setattr(domains, "organisation_domain_validate", late_rival)
    response = client.post(LIST, {"organisation": council.pk, "domain": "shared.org.uk"})
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "domain": [DOMAIN_TAKEN.format(domain="shared.org.uk", organisation="Police")]
    }
    assert not council.domains.exists()


def test_adding_and_removing_a_domain_are_in_the_organisations_log_and_on_the_page(
    client, lead, council
):
    from people.models import OrganisationLog

    client.force_login(lead)
    client.post(LIST, {"organisation": council.pk, "domain": "dudley.gov.uk"})
    domain = council.domains.get()
    client.post(reverse("organisations:domain_remove", args=[domain.pk]))
    # A refused domain changes nothing, so it logs nothing.
    client.post(LIST, {"organisation": council.pk, "domain": "gmail.com"})

    log = list(OrganisationLog.objects.filter(organisation=council).order_by("at", "id"))
    assert [(e.action, e.detail, e.actor) for e in log] == [
        (OrganisationLog.Action.DOMAIN_ADDED, "dudley.gov.uk", lead),
        (OrganisationLog.Action.DOMAIN_REMOVED, "dudley.gov.uk", lead),
    ]
    page = client.get(LIST).content.decode()
    changes = page[page.index('id="changes"') :]
    assert changes.index("Email domain removed: dudley.gov.uk") < changes.index(
        "Email domain added: dudley.gov.uk"
    )  # newest first
    assert lead.get_full_name() in changes and "Dudley Council" in changes
