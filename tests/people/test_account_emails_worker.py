"""A sign-in code as it arrives: the request queues it, a real `qcluster` sends it to a real SMTP
server (aiosmtpd), and the code in that email signs the person in. The relay is down while the
request runs, and the request does not notice. Marked `worker`
(tests/messaging/test_outbox_worker.py has the worker and the server)."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse
from django_q.conf import Conf
from django_q.models import Task

from tests.bookings.test_calendar_worker import FullInbox
from tests.factories import UserFactory
from tests.messaging import test_outbox_worker as outbox_worker
from tests.messaging.test_outbox_worker import SmtpServer, _free_port
from tests.people.conftest import CODE_RE

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
worker = outbox_worker.worker  # the fixture that starts a qcluster on the test database


def _wait(done, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if done():
            return True
        time.sleep(0.2)
    return done()


def test_the_worker_sends_the_sign_in_code_the_request_queued(client, worker, monkeypatch):
    monkeypatch.setattr(Conf, "SYNC", False)  # queue for the real worker, not inline
    person = UserFactory(email="pat@dudley.gov.uk")
    person.emailaddress_set.create(email=person.email, verified=True, primary=True)
    inbox = FullInbox()
    server = SmtpServer(inbox, _free_port())
    # No server listens yet, and no worker runs: the request must not try to send.
    response = client.post(reverse("account_request_login_code"), {"email": person.email})
    assert response.status_code == 302
    server.start()
    try:
        worker(server.port)
        assert _wait(lambda: len(inbox.messages) == 1, timeout=60), "no sign-in email arrived"
    finally:
        server.stop()

    [message] = inbox.messages
    assert message["To"] == person.email
    assert message["Auto-Submitted"] == "auto-generated"
    text = message.get_body(("plain",)).get_content()
    code = CODE_RE.search(text).group(1)
    signed_in = client.post(response.url, {"code": code})
    assert signed_in.status_code == 302
    assert client.session["_auth_user_id"] == str(person.pk)
    # Sent, and no task row keeps the message or its key (queued with save=False).
    assert not Task.objects.filter(func="people.tasks.send_account_email").exists()
