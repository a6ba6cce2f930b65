import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from people.models import Organisation
from people.services import organisation_get_or_create_by_name
from tests.factories import UserFactory


@pytest.fixture
def admin_client_(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:people_user_changelist",
        "admin:people_user_add",
        "admin:people_organisation_changelist",
        "admin:people_organisation_add",
        "admin:people_organisationdomain_changelist",
        "admin:people_organisationlog_changelist",
    ],
)
def test_admin_pages_load(admin_client_, police, url_name):
    assert admin_client_.get(reverse(url_name)).status_code == 200


def test_user_admin_searches_and_filters(admin_client_, practitioner, police):
    UserFactory(email="sam@westmidlands.police.uk", full_name="Sam Constable", organisation=police)
    url = reverse("admin:people_user_changelist")

    html = admin_client_.get(url, {"q": "constable"}).content.decode()
    assert "sam@westmidlands.police.uk" in html
    assert practitioner.email not in html

    html = admin_client_.get(url, {"organisation__sector__exact": "police"}).content.decode()
    assert "sam@westmidlands.police.uk" in html
    assert practitioner.email not in html


def test_user_admin_change_page_loads_without_username(admin_client_, practitioner):
    response = admin_client_.get(reverse("admin:people_user_change", args=[practitioner.pk]))
    assert response.status_code == 200
    assert 'name="username"' not in response.content.decode()


def test_merge_action_asks_for_a_target_then_merges(admin_client_, council):
    typed = organisation_get_or_create_by_name(name="Dudley MBC")
    person = UserFactory(organisation=typed)
    url = reverse("admin:people_organisation_changelist")

    ask = admin_client_.post(url, {"action": "merge_selected", ACTION_CHECKBOX_NAME: [typed.pk]})
    assert ask.status_code == 200
    assert "Merge the selected organisations into" in ask.content.decode()

    done = admin_client_.post(
        url,
        {
            "action": "merge_selected",
            ACTION_CHECKBOX_NAME: [typed.pk],
            "apply": "1",
            "target": council.pk,
        },
    )
    assert done.status_code == 302
    assert not Organisation.objects.filter(pk=typed.pk).exists()
    person.refresh_from_db()
    assert person.organisation == council
