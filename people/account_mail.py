"""Sign-in emails (django-allauth's: sign-in code, sign-up confirmation, password reset) go
through the task queue, never from the request.

They carry a secret (a code or a reset link), so the task's arguments never hold the message:
the rendered message waits in the shared cache under a random key for
`ACCOUNT_EMAIL_STASH_SECONDS`, and the task gets the key alone. The task is queued with
`save=False`, so a sent email leaves no task row; a failed one leaves a row with the key only.
They are not retried: a code that comes late is no use, and the person asks for another.
"""

from __future__ import annotations

import logging
import secrets

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMessage

logger = logging.getLogger(__name__)

STASH_PREFIX = "account-email:"
TASK = "people.tasks.send_account_email"


def account_email_queue(message: EmailMessage) -> str:
    """Stash the rendered message and queue its sending; the stash key (for tests)."""
    from django_q.tasks import async_task

    key = STASH_PREFIX + secrets.token_urlsafe(24)
    cache.set(key, message, timeout=settings.ACCOUNT_EMAIL_STASH_SECONDS)
    async_task(TASK, key, save=False, task_name="account-email")
    return key


def account_email_send(key: str) -> str:
    """Send the stashed message once: "sent", or "expired" when it waited longer than the stash
    keeps it (the worker was down; the code in it has run out too). An SMTP error raises, and
    the failed task records the key, never the address or the code."""
    if not key.startswith(STASH_PREFIX):
        raise ValueError("Not a sign-in email's key.")
    message = cache.get(key)
    if message is None:
        logger.warning("A sign-in email waited too long for the worker and was dropped.")
        return "expired"
    message.send()
    # Dropped once the relay has it. A worker killed between the two sends it again when the
    # queue redelivers the task: a second copy of a code beats no code.
    cache.delete(key)
    return "sent"
