import pytest
from django.urls import reverse

from tests.factories import UserFactory


@pytest.mark.parametrize(
    "url_name",
    ["account_login", "account_signup", "account_request_login_code", "account_reset_password"],
)
def test_sign_in_pages_use_the_site_layout_and_govuk_forms(client, url_name):
    html = client.get(reverse(url_name)).content.decode()

    assert 'class="govuk-template"' in html  # our base.html, not allauth's bare layout
    assert 'class="govuk-button"' in html
    assert 'class="govuk-label"' in html


def test_allauth_pages_we_did_not_rewrite_still_get_govuk_markup(client):
    person = UserFactory()
    person.emailaddress_set.create(email=person.email, verified=True, primary=True)
    client.force_login(person)

    html = client.get(reverse("account_email")).content.decode()

    assert 'class="govuk-template"' in html
    assert 'class="govuk-heading-l"' in html
    assert "govuk-radios__item" in html
    assert "govuk-button" in html
