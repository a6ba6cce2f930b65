"""Helpers the journeys share: emails from Django's outbox, screenshots."""

from __future__ import annotations

import re
from pathlib import Path

from tests.browser.conftest import ARTIFACTS


def verified(user):
    """An existing account, as it is after its first sign-in: its email address confirmed."""
    from allauth.account.models import EmailAddress

    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return user


def save_screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def emails_to(address: str) -> list:
    from django.core import mail

    return [m for m in mail.outbox if address in m.to]


def last_email_to(address: str, subject_contains: str = ""):
    from django.core import mail

    found = [m for m in emails_to(address) if subject_contains.lower() in m.subject.lower()]
    assert found, (
        f"no email to {address} with {subject_contains!r} in its subject; outbox has: "
        + "; ".join(f"{m.to} {m.subject!r}" for m in mail.outbox)
    )
    return found[-1]


def code_in(message) -> str:
    """The sign-in or verification code allauth emails (e.g. MTDM-NCBV): its own line."""
    match = re.search(r"listed below\..*?\n\s*\n\s*(\S+)\s*\n", message.body, re.S)
    assert match, f"no code in email {message.subject!r}:\n{message.body}"
    return match.group(1)


def link_in(message, path_part: str) -> str:
    for url in re.findall(r"https?://\S+", message.body):
        if path_part in url:
            return url.rstrip(".,)")
    raise AssertionError(f"no link containing {path_part!r} in email {message.subject!r}")
