import pytest
from django.urls import reverse

from people import roles
from people.forms import MERGE_TARGET_REQUIRED
from people.models import Organisation
from people.services import (
    UNKNOWN_ROLE,
    PersonError,
    organisation_get_or_create_by_name,
    person_set_roles,
)
from tests.factories import BookingFactory, UserFactory

REVIEW = reverse("people:organisations_review")


@pytest.fixture
def typed_in(db):
    org = organisation_get_or_create_by_name(name="Bright Futures")
    UserFactory.create_batch(2, organisation=org)
    return org


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(REVIEW)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_practitioner_gets_403_on_the_review_page(client, practitioner):
    client.force_login(practitioner)

    assert client.get(REVIEW).status_code == 403


@pytest.mark.parametrize("role", [roles.TRAINER, roles.ORG_MANAGER])
def test_other_roles_get_403_on_the_review_page(client, role):
    client.force_login(UserFactory(roles=[role]))

    assert client.get(REVIEW).status_code == 403


def test_lead_sees_unlisted_organisations_with_their_people_count(
    client, lead, typed_in, council, django_assert_max_num_queries
):
    client.force_login(lead)
    organisation_get_or_create_by_name(name="Another Charity")

    with django_assert_max_num_queries(10):
        response = client.get(REVIEW)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Bright Futures" in html
    assert "Another Charity" in html
    assert 'data-people-count="2"' in html
    # Partners are merge targets, not rows to review.
    assert f'<option value="{council.pk}">Dudley Council</option>' in html
    assert f'id="org-{council.pk}-title">Dudley Council' not in html


def test_lead_merges_an_unlisted_organisation_into_a_partner(client, lead, typed_in, council):
    booking = BookingFactory(person=typed_in.people.first())
    client.force_login(lead)

    response = client.post(
        reverse("people:organisation_merge", args=[typed_in.pk]), {"target": council.pk}
    )

    assert response.status_code == 302
    assert not Organisation.objects.filter(pk=typed_in.pk).exists()
    assert council.people.count() == 2
    booking.refresh_from_db()
    assert booking.organisation == council


def test_merge_without_a_target_names_the_field(client, lead, typed_in):
    client.force_login(lead)

    response = client.post(reverse("people:organisation_merge", args=[typed_in.pk]), {})

    assert response.status_code == 400
    assert f'<a href="#merge-target-{typed_in.pk}">{MERGE_TARGET_REQUIRED}</a>' in (
        response.content.decode()
    )
    assert Organisation.objects.filter(pk=typed_in.pk).exists()


def test_lead_accepts_an_unlisted_organisation_as_a_partner(client, lead, typed_in):
    client.force_login(lead)

    response = client.post(
        reverse("people:organisation_accept", args=[typed_in.pk]), {"sector": "voluntary"}
    )

    assert response.status_code == 302
    typed_in.refresh_from_db()
    assert typed_in.is_partner is True
    assert typed_in.sector == "voluntary"


def test_practitioner_cannot_merge(client, practitioner, typed_in, council):
    client.force_login(practitioner)

    response = client.post(
        reverse("people:organisation_merge", args=[typed_in.pk]), {"target": council.pk}
    )

    assert response.status_code == 403
    assert Organisation.objects.filter(pk=typed_in.pk).exists()


def test_person_set_roles_replaces_role_groups(practitioner):
    person_set_roles(person=practitioner, roles=[roles.TRAINER, roles.LEAD])
    assert practitioner.is_trainer and practitioner.is_lead

    person_set_roles(person=practitioner, roles=[roles.ORG_MANAGER])
    assert not practitioner.is_trainer and not practitioner.is_lead
    assert practitioner.is_org_manager


def test_person_set_roles_refuses_unknown_roles(practitioner):
    with pytest.raises(PersonError, match=UNKNOWN_ROLE.format(role="Wizard")):
        person_set_roles(person=practitioner, roles=["Wizard"])
    assert not practitioner.groups.exists()
