"""Issue 14: allauth's emails (sign-in code, address confirmation, password reset) come in the
partnership's base template with both parts and the same headers as every other email. They
used to say "Hello from 127.0.0.1:8000!" (the request's host) with a Message-ID @localhost."""

import email
from email import policy

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from tests.people.conftest import code_from

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://training.example.org"
    settings.LEAD_MAILBOX = "ld-team@partnership.example.org"
    settings.PARTNERSHIP_NAME = "Dudley Safeguarding People Partnership"


def _verified_person(email_address):
    person = UserFactory(email=email_address)
    person.emailaddress_set.create(email=email_address, verified=True, primary=True)
    return person


def _check(message):
    parsed = email.message_from_bytes(message.message().as_bytes(), policy=policy.default)
    text = parsed.get_body(("plain",)).get_content()
    html = parsed.get_body(("html",)).get_content()
    for part in (text, html):
        assert "Dudley Safeguarding People Partnership" in part
        assert "Hello from" not in part and "testserver" not in part and "127.0.0.1" not in part
    assert '<html lang="en-GB">' in html
    assert parsed["Reply-To"] == "ld-team@partnership.example.org"
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parsed["Message-ID"].endswith("@training.example.org>")
    assert parsed["List-Unsubscribe"] is None
    return text, html


def test_the_sign_in_code_email(client, mailoutbox):
    _verified_person("pat@dudley.gov.uk")
    client.post(reverse("account_request_login_code"), {"email": "pat@dudley.gov.uk"})

    (message,) = mailoutbox
    text, html = _check(message)
    assert message.subject == "[Learning Loop] Your sign-in code"
    code = code_from(message)
    assert code in text and code in html


def test_the_sign_up_confirmation_email(client, mailoutbox, police):
    client.post(
        reverse("account_signup"),
        {
            "full_name": "Pat Jones",
            "email": "pat.jones@westmidlands.police.uk",
            "job_title": "Officer",
            "organisation": "",
            "organisation_name": "",
            "password1": "",
            "password2": "",
        },
    )
    (message,) = mailoutbox
    text, _ = _check(message)
    assert message.subject == "[Learning Loop] Confirm your email address"
    assert "training site of Dudley Safeguarding People Partnership" in text
    assert "https://training.example.org" in text
    assert code_from(message)


def test_the_password_reset_email(client, mailoutbox):
    _verified_person("pat@dudley.gov.uk")
    client.post(reverse("account_reset_password"), {"email": "pat@dudley.gov.uk"})

    (message,) = mailoutbox
    _check(message)
    assert "password" in message.subject.lower()
    assert "https://training.example.org/accounts/password/reset/key/" in message.body
