"""The lead's people page (/manage/people/): find a person, give them roles, set their
organisation, without the Django admin; every change in the audit trail with the lead as actor."""

import pytest
from django.urls import reverse

from people import roles
from people.models import User
from people.services import (
    LEAD_ROLE_OWN,
    MANAGER_NEEDS_ORGANISATION,
    PERSON_IS_ADMINISTRATOR,
    PersonError,
    person_update_by_lead,
)
from privacy.models import AuditEntry
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def police(db):
    return OrganisationFactory(name="West Midlands Police", sector="police", is_partner=True)


@pytest.fixture
def lead_client(client, lead):
    client.force_login(lead)
    return client


def _person_url(person):
    return reverse("people_manage:person", args=[person.pk])


def test_the_manage_page_links_to_people_and_roles(lead_client):
    page = lead_client.get(reverse("courses:manage")).content.decode()
    assert reverse("people_manage:list") in page and "People and roles" in page


def test_the_list_shows_role_holders_and_a_search_finds_anyone(
    lead_client, trainer, practitioner, django_assert_max_num_queries
):
    practitioner.full_name = "Pat Practitioner"
    practitioner.save()
    UserFactory.create_batch(5, roles=[roles.TRAINER])
    with django_assert_max_num_queries(12):
        page = lead_client.get(reverse("people_manage:list")).content.decode()
    assert _person_url(trainer) in page
    assert _person_url(practitioner) not in page
    found = lead_client.get(reverse("people_manage:list"), {"q": "pat prac"}).content.decode()
    assert _person_url(practitioner) in found and _person_url(trainer) not in found


def test_the_lead_gives_a_role_and_moves_a_person_and_the_audit_trail_says_who(
    lead_client, lead, practitioner, police
):
    response = lead_client.post(
        _person_url(practitioner),
        {"roles": [roles.TRAINER, roles.ORG_MANAGER], "organisation": police.pk},
    )
    assert response.status_code == 302
    practitioner = User.objects.get(pk=practitioner.pk)
    assert practitioner.has_role(roles.TRAINER) and practitioner.has_role(roles.ORG_MANAGER)
    assert practitioner.organisation == police
    moved = AuditEntry.objects.get(action="person.organisation", object_id=str(practitioner.pk))
    assert moved.actor == lead and moved.after["organisation"] == "West Midlands Police"
    given = AuditEntry.objects.filter(action="person.roles", object_id=str(practitioner.pk))
    assert {e.actor for e in given} == {lead} and given.count() >= 1

    # Taking a role away is the same form.
    lead_client.post(_person_url(practitioner), {"roles": [], "organisation": police.pk})
    assert not User.objects.get(pk=practitioner.pk).has_role(roles.TRAINER)


def test_a_manager_needs_an_organisation(lead_client):
    person = UserFactory(organisation=None)
    page = lead_client.post(_person_url(person), {"roles": [roles.ORG_MANAGER]})
    assert page.status_code == 200
    assert page.context["form"].errors == {"organisation": [MANAGER_NEEDS_ORGANISATION]}
    assert not User.objects.get(pk=person.pk).has_role(roles.ORG_MANAGER)


def test_the_lead_cannot_take_the_lead_role_from_themselves(lead_client, lead):
    page = lead_client.post(_person_url(lead), {"roles": [roles.TRAINER]})
    assert page.context["form"].errors == {"roles": [LEAD_ROLE_OWN]}
    lead = User.objects.get(pk=lead.pk)
    assert lead.has_role(roles.LEAD) and not lead.has_role(roles.TRAINER)


def test_an_unknown_role_is_an_error_on_the_field(lead_client, practitioner):
    page = lead_client.post(_person_url(practitioner), {"roles": ["Superuser"]})
    assert page.status_code == 200 and "roles" in page.context["form"].errors
    assert not practitioner.groups.exists()


def test_an_administrator_is_not_the_lead_s_to_change(lead_client, lead, superuser):
    assert lead_client.get(_person_url(superuser)).status_code == 404
    response = lead_client.post(_person_url(superuser), {"roles": [roles.TRAINER]})
    assert response.status_code == 404
    with pytest.raises(PersonError, match=PERSON_IS_ADMINISTRATOR[:30]):
        person_update_by_lead(
            person=superuser, roles=[roles.TRAINER], organisation=None, actor=lead
        )
    assert not superuser.groups.exists()


@pytest.mark.parametrize("who", ["practitioner", "trainer", "org_manager"])
def test_only_the_lead_changes_roles(client, request, who, practitioner):
    user = request.getfixturevalue(who)
    client.force_login(user)
    assert client.get(reverse("people_manage:list")).status_code == 403
    target = UserFactory()
    response = client.post(_person_url(target), {"roles": [roles.LEAD]})
    assert response.status_code == 403
    assert not target.groups.exists()
