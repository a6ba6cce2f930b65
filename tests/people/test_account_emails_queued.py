"""Sign-in emails are sent by the worker, never from the request (people/account_mail.py): the
request stashes the rendered message and queues a task that holds only the stash's key, so no
code or address sits in the queue or in a task row."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django_q.conf import Conf
from django_q.models import OrmQ, Task

from people import account_mail
from people.tasks import send_account_email
from tests.factories import UserFactory
from tests.people.conftest import code_from

pytestmark = pytest.mark.django_db


def _verified_person(email):
    person = UserFactory(email=email)
    person.emailaddress_set.create(email=email, verified=True, primary=True)
    return person


@pytest.fixture
def queued(monkeypatch, settings):
    """Tasks go to the broker (the ORM queue of the test database) instead of running inline;
    the SMTP relay is a closed port, so a send from the request would fail it."""
    if settings.Q_CLUSTER.get("redis"):
        pytest.skip("the queue is read back from the ORM broker")
    monkeypatch.setattr(Conf, "SYNC", False)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1


def _queued_tasks() -> list[dict]:
    return [row.task for row in OrmQ.objects.all()]


def test_the_request_queues_the_code_and_sends_nothing_itself(client, queued, settings):
    _verified_person("pat@dudley.gov.uk")
    response = client.post(reverse("account_request_login_code"), {"email": "pat@dudley.gov.uk"})

    assert response.status_code == 302  # the relay is down, and the person is not told so
    assert mail.outbox == []
    [task] = _queued_tasks()
    assert task["func"] == account_mail.TASK
    [key] = task["args"]
    assert key.startswith(account_mail.STASH_PREFIX) and task["kwargs"] == {}
    assert task["save"] is False  # a sent email leaves no task row
    message = cache.get(key)
    assert message.to == ["pat@dudley.gov.uk"]
    # The queue holds no address and no code: only the key.
    assert "pat@dudley.gov.uk" not in repr(task) and code_from(message) not in repr(task)

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_account_email(key) == "sent"
    [sent] = mail.outbox
    assert sent.to == ["pat@dudley.gov.uk"] and code_from(sent) == code_from(message)
    assert cache.get(key) is None
    # The code the worker sent signs the person in.
    signed_in = client.post(response.url, {"code": code_from(sent)})
    assert signed_in.status_code == 302 and "_auth_user_id" in client.session


def test_a_password_reset_for_an_unknown_address_is_queued_like_any_other(client, queued):
    response = client.post(reverse("account_reset_password"), {"email": "nobody@dudley.gov.uk"})
    assert response.status_code == 302 and mail.outbox == []
    [task] = _queued_tasks()
    assert task["func"] == account_mail.TASK
    assert cache.get(task["args"][0]).to == ["nobody@dudley.gov.uk"]


def test_an_email_that_waited_past_its_stash_is_dropped_not_sent(queued, settings):
    message = mail.EmailMessage("Your code", "ABCD-EFGH", to=["pat@dudley.gov.uk"])
    key = account_mail.account_email_queue(message)
    cache.delete(key)  # what the stash's expiry does after ACCOUNT_EMAIL_STASH_SECONDS
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_account_email(key) == "expired"
    assert mail.outbox == []


def test_a_relay_failure_fails_the_task_and_keeps_the_message_for_a_rerun(queued):
    message = mail.EmailMessage("Your code", "ABCD-EFGH", to=["pat@dudley.gov.uk"])
    key = account_mail.account_email_queue(message)
    with pytest.raises(OSError):
        send_account_email(key)  # port 9: connection refused
    assert cache.get(key) is not None


def test_the_task_refuses_a_key_that_is_not_a_sign_in_email(queued):
    cache.set("something-else", mail.EmailMessage("x", "y", to=["a@b.c"]))
    with pytest.raises(ValueError):
        send_account_email("something-else")
    assert Task.objects.count() == 0
