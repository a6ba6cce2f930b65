"""Issue 12.4: the sign-up confirmation goes to an address nobody has proved yet, so it must not
carry text the person signing up chose (their "full name", up to 200 characters)."""

from django.urls import reverse

from tests.people.conftest import code_from

PAYLOAD = "Your account is suspended - call 0900 123 456 now " * 3


def test_signup_confirmation_does_not_quote_the_name_typed(client, mailoutbox, police):
    client.post(
        reverse("account_signup"),
        {
            "full_name": PAYLOAD[:200],
            "email": "someone.else@westmidlands.police.uk",
            "job_title": "Officer",
            "organisation": "",
            "organisation_name": "",
            "password1": "",
            "password2": "",
        },
    )
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert code_from(mail)  # still does its job
    assert "suspended" not in mail.body and "suspended" not in mail.subject
    assert "0900" not in mail.body
