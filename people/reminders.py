"""Reminder emails a person can turn off: the signed links in each reminder (RFC 8058 one-click
unsubscribe, and the preference page), and the check every reminder's build makes.

A link names the person by a signed id, so it works without signing in and cannot be made for
someone else. It does not expire: an old reminder's link must still work.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from people.models import User

SALT = "people.reminder-emails"


class ReminderLinkInvalid(Exception):
    """A tampered, truncated or unknown link: one friendly page for all."""


def reminder_token(person: User) -> str:
    return signing.Signer(salt=SALT).sign(str(person.pk))


def person_from_reminder_token(token: str) -> User:
    try:
        pk = signing.Signer(salt=SALT).unsign(token)
    except signing.BadSignature as exc:
        raise ReminderLinkInvalid from exc
    person = User.objects.filter(pk=pk, is_active=True).first() if pk.isdigit() else None
    if person is None:
        raise ReminderLinkInvalid
    return person


def reminder_preferences_url(person: User) -> str:
    """The page where the person turns reminder emails off or on (no sign-in needed)."""
    return settings.SITE_URL + reverse("people:reminders", args=[reminder_token(person)])


def reminder_unsubscribe_url(person: User) -> str:
    """The List-Unsubscribe address: a POST to it turns reminders off at once (RFC 8058)."""
    return settings.SITE_URL + reverse("people:reminders_one_click", args=[reminder_token(person)])


def reminder_links(person: User | None) -> dict[str, str]:
    """What `core.mail.compose` takes for a reminder to this person; nothing for no person."""
    if person is None:
        return {}
    return {
        "unsubscribe_url": reminder_unsubscribe_url(person),
        "preferences_url": reminder_preferences_url(person),
    }


def reminders_wanted(person: User | None) -> bool:
    """False when the person turned reminder emails off (read fresh: a reminder's build runs
    after the claim, so a change made a moment ago counts)."""
    if person is None:
        return True
    return User.objects.filter(pk=person.pk, reminder_emails=True).exists()


def person_for_address(email: str) -> User | None:
    """The person who has this address (a line manager may have an account), if any."""
    return User.objects.filter(email__iexact=email.strip()).first() if email else None
