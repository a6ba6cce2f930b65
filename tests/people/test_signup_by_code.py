from django.urls import reverse

from people.models import Organisation, User
from tests.people.conftest import code_from


def _signup(client, **overrides):
    data = {
        "full_name": "Sam Constable",
        "email": "sam.constable@cid.westmidlands.police.uk",
        "job_title": "Detective constable",
        "organisation": "",  # "Match it from my work email address"
        "organisation_name": "",
        "password1": "",
        "password2": "",
    }
    data.update(overrides)
    return client.post(reverse("account_signup"), data)


def test_signup_by_code_signs_in_with_name_job_and_organisation_matched_by_domain(
    client, mailoutbox, police
):
    response = _signup(client)

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["sam.constable@cid.westmidlands.police.uk"]
    code = code_from(mailoutbox[0])
    assert not code.isdigit()

    page = client.get(response.url)
    assert page.status_code == 200
    assert "Confirm your email address" in page.content.decode()
    assert "_auth_user_id" not in client.session

    confirmed = client.post(response.url, {"code": code})

    assert confirmed.status_code == 302
    person = User.objects.get(email="sam.constable@cid.westmidlands.police.uk")
    assert client.session["_auth_user_id"] == str(person.pk)
    assert person.full_name == "Sam Constable"
    assert person.job_title == "Detective constable"
    assert person.organisation == police
    assert not person.has_usable_password()
    assert person.emailaddress_set.get().verified


def test_wrong_code_keeps_the_person_signed_out_and_names_the_code_field(
    client, mailoutbox, police
):
    response = _signup(client)
    code = code_from(mailoutbox[0])
    wrong = "AAAA-AAAA" if code != "AAAA-AAAA" else "BBBB-BBBB"

    page = client.post(response.url, {"code": wrong})

    assert page.status_code == 200
    assert "_auth_user_id" not in client.session
    html = page.content.decode()
    assert 'href="#id_code"' in html  # the error summary links to the field
    assert "govuk-error-message" in html


def test_signup_with_a_password_also_works_and_still_verifies_by_code(client, mailoutbox, police):
    response = _signup(
        client, password1="a-long-safe-passphrase", password2="a-long-safe-passphrase"
    )
    assert response.status_code == 302
    client.post(response.url, {"code": code_from(mailoutbox[0])})

    person = User.objects.get(email="sam.constable@cid.westmidlands.police.uk")
    assert person.check_password("a-long-safe-passphrase")
    assert client.session["_auth_user_id"] == str(person.pk)


def test_organisation_not_listed_creates_an_unlisted_one_for_review(client, mailoutbox, police):
    response = _signup(
        client,
        email="kim@brightfutures.example",
        organisation="other",
        organisation_name="  Bright   Futures  Charity ",
    )
    assert response.status_code == 302
    client.post(response.url, {"code": code_from(mailoutbox[0])})

    person = User.objects.get(email="kim@brightfutures.example")
    assert person.organisation.name == "Bright Futures Charity"
    assert person.organisation.is_partner is False
    assert person.organisation.sector == Organisation.Sector.OTHER


def test_choosing_a_partner_from_the_list_overrides_the_domain(client, mailoutbox, police, council):
    response = _signup(client, organisation=str(council.pk))
    assert response.status_code == 302
    client.post(response.url, {"code": code_from(mailoutbox[0])})

    person = User.objects.get(email="sam.constable@cid.westmidlands.police.uk")
    assert person.organisation == council


def test_signup_form_offers_partners_and_the_two_special_choices(client, police, council):
    html = client.get(reverse("account_signup")).content.decode()

    assert '<option value="" selected>Match it from my work email address</option>' in html
    assert f'<option value="{police.pk}">West Midlands Police</option>' in html
    assert '<option value="other">My organisation is not listed</option>' in html
