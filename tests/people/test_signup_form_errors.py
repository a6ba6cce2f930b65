from django.urls import reverse

from people.adapters import EMAIL_DOMAIN_NOT_ALLOWED
from people.forms import (
    FULL_NAME_REQUIRED,
    JOB_TITLE_REQUIRED,
    NO_DOMAIN_MATCH,
    ORGANISATION_NAME_REQUIRED,
)
from people.models import User

VALID = {
    "full_name": "Sam Constable",
    "email": "sam@westmidlands.police.uk",
    "job_title": "Detective constable",
    "organisation": "",
    "organisation_name": "",
    "password1": "",
    "password2": "",
}


def _post(client, **overrides):
    return client.post(reverse("account_signup"), VALID | overrides)


def _assert_error_on(response, field_id, message):
    """The error is shown at the field and listed in the summary with a link to the field."""
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<a href="#{field_id}">{message}</a>' in html.replace("&#x27;", "'")
    assert f'id="{field_id}-error"' in html
    assert f'aria-describedby="{field_id}-hint {field_id}-error"' in html or (
        f'aria-describedby="{field_id}-error"' in html
    )
    assert "<title>Error: " in html


def test_the_valid_data_is_accepted(client, police, mailoutbox):
    # The same data as the failure cases below, so each of them fails for its own reason.
    assert _post(client).status_code == 302
    assert User.objects.filter(email=VALID["email"]).exists()


def test_an_unmatched_domain_with_no_organisation_chosen_names_the_organisation_field(
    client, police
):
    response = _post(client, email="sam@unknown.example")

    _assert_error_on(response, "id_organisation", NO_DOMAIN_MATCH)
    assert not User.objects.exists()


def test_not_listed_without_a_name_names_the_name_field(client, police):
    response = _post(client, organisation="other")

    _assert_error_on(response, "id_organisation_name", ORGANISATION_NAME_REQUIRED)


def test_missing_name_and_job_title_name_their_fields(client, police):
    response = _post(client, full_name="", job_title="  ")

    _assert_error_on(response, "id_full_name", FULL_NAME_REQUIRED)
    _assert_error_on(response, "id_job_title", JOB_TITLE_REQUIRED)


def test_an_invalid_email_is_not_also_blamed_on_the_organisation(client, police):
    response = _post(client, email="not-an-email")

    html = response.content.decode()
    assert 'href="#id_email"' in html
    assert 'href="#id_organisation"' not in html


def test_sign_up_can_be_limited_to_listed_domains(client, police, settings):
    settings.SIGNUP_ALLOWED_DOMAINS = ["westmidlands.police.uk", "dudley.gov.uk"]

    refused = _post(client, email="sam@gmail.com", organisation="other", organisation_name="X")
    _assert_error_on(refused, "id_email", EMAIL_DOMAIN_NOT_ALLOWED)

    allowed = _post(client, email="sam@cid.westmidlands.police.uk")
    assert allowed.status_code == 302
