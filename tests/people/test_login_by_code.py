from django.urls import reverse

from tests.factories import UserFactory
from tests.people.conftest import code_from


def _verified_person(email):
    person = UserFactory(email=email)
    person.emailaddress_set.create(email=email, verified=True, primary=True)
    return person


def test_existing_person_signs_in_with_an_emailed_code(client, mailoutbox):
    person = _verified_person("pat@dudley.gov.uk")

    response = client.post(reverse("account_request_login_code"), {"email": "pat@dudley.gov.uk"})
    assert response.status_code == 302
    assert response.url == reverse("account_confirm_login_code")
    assert len(mailoutbox) == 1
    assert "_auth_user_id" not in client.session

    signed_in = client.post(response.url, {"code": code_from(mailoutbox[0])})

    assert signed_in.status_code == 302
    assert client.session["_auth_user_id"] == str(person.pk)


def test_a_wrong_code_does_not_sign_in(client, mailoutbox):
    _verified_person("pat@dudley.gov.uk")
    response = client.post(reverse("account_request_login_code"), {"email": "pat@dudley.gov.uk"})
    code = code_from(mailoutbox[0])

    page = client.post(response.url, {"code": "ZZZZ-ZZZZ" if code != "ZZZZ-ZZZZ" else "YYYY-YYYY"})

    assert page.status_code == 200
    assert "_auth_user_id" not in client.session
    assert 'href="#id_code"' in page.content.decode()


def test_the_login_page_offers_a_code_and_a_password(client):
    html = client.get(reverse("account_login")).content.decode()

    assert f'action="{reverse("account_request_login_code")}"' in html
    assert "Email me a sign-in code" in html
    assert 'name="password"' in html


def test_password_sign_in_still_works(client):
    person = _verified_person("pat@dudley.gov.uk")

    response = client.post(
        reverse("account_login"),
        {"login": "pat@dudley.gov.uk", "password": "correct-horse-battery"},
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(person.pk)
