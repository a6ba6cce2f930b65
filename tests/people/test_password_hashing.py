"""Passwords are hashed with Argon2id at OWASP's parameters; older hashes upgrade at sign-in.

The suite runs with a fast MD5 hasher (config/settings.py, TESTING); these tests put the
production list back, so they exercise what a deployment runs.
"""

import pytest
from django.contrib.auth.hashers import check_password, identify_hasher, make_password
from django.urls import reverse

from tests.factories import UserFactory


@pytest.fixture
def production_hashers(settings):
    settings.PASSWORD_HASHERS = settings.PRODUCTION_PASSWORD_HASHERS


def _person_with_password(email, password, *, hasher):
    person = UserFactory(email=email)
    person.password = make_password(password, hasher=hasher)
    person.save(update_fields=["password"])
    person.emailaddress_set.create(email=email, verified=True, primary=True)
    return person


def test_new_passwords_are_argon2id_with_owasp_parameters(production_hashers):
    hashed = make_password("correct-horse-battery")

    assert hashed.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert check_password("correct-horse-battery", hashed)
    assert not check_password("wrong-horse-battery", hashed)


@pytest.mark.parametrize("old", ["pbkdf2_sha256", "pbkdf2_sha1", "scrypt"])
def test_an_older_hash_still_signs_in_and_is_rehashed_with_argon2id(
    client, production_hashers, old
):
    person = _person_with_password("pat@dudley.gov.uk", "correct-horse-battery", hasher=old)
    assert identify_hasher(person.password).algorithm == old

    response = client.post(
        reverse("account_login"),
        {"login": "pat@dudley.gov.uk", "password": "correct-horse-battery"},
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(person.pk)
    person.refresh_from_db()
    assert person.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


def test_a_wrong_password_does_not_sign_in_or_touch_the_hash(client, production_hashers):
    person = _person_with_password(
        "pat@dudley.gov.uk", "correct-horse-battery", hasher="pbkdf2_sha256"
    )
    before = person.password

    response = client.post(
        reverse("account_login"),
        {"login": "pat@dudley.gov.uk", "password": "not-my-password"},
    )

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    person.refresh_from_db()
    assert person.password == before
