"""Reminder emails a line manager without an account can turn off.

A line manager is asked about a delegate's practice at stage 2, by the address the delegate
gave. If that address has an account, the person's own setting applies (people.reminders).
If not, the choice belongs to the address: it is kept on the invitations sent to it
(`Invitation.reminders_off`), so it holds for every delegate who names that manager, a new
invitation to the address inherits it, and it goes when the invitations go (anonymised or
deleted), with no separate list of addresses to keep.

The link names an invitation by its signed id (no address in the URL), and keeps working after
the invitation's answer link is renewed.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse

from evaluations.models import Invitation

SALT = "evaluations.manager-reminders"


class ManagerReminderLinkInvalid(Exception):
    """A tampered, truncated or unknown link, or one for an invitation with no address."""


def manager_reminder_token(invitation: Invitation) -> str:
    return signing.Signer(salt=SALT).sign(str(invitation.pk))


def address_from_manager_reminder_token(token: str) -> str:
    """The address the link's invitation was sent to."""
    try:
        pk = signing.Signer(salt=SALT).unsign(token)
    except signing.BadSignature as exc:
        raise ManagerReminderLinkInvalid from exc
    address = (
        Invitation.objects.filter(pk=pk).values_list("email", flat=True).first()
        if pk.isdigit()
        else None
    )
    if not address:
        raise ManagerReminderLinkInvalid
    return address


def address_reminders_wanted(address: str) -> bool:
    """False once the address turned reminders off (read fresh, after the outbox's claim)."""
    return not Invitation.objects.filter(email__iexact=address.strip(), reminders_off=True).exists()


@transaction.atomic
def address_reminders_set(*, address: str, on: bool) -> int:
    """Turn reminders to this address off or on again; the number of invitations it covers."""
    return Invitation.objects.filter(email__iexact=address.strip()).update(reminders_off=not on)


def manager_reminder_links(invitation: Invitation) -> dict[str, str]:
    """What `core.mail.compose` takes for a reminder to a line manager without an account."""
    token = manager_reminder_token(invitation)
    return {
        "unsubscribe_url": settings.SITE_URL
        + reverse("evaluations:manager_reminders_one_click", args=[token]),
        "preferences_url": settings.SITE_URL
        + reverse("evaluations:manager_reminders", args=[token]),
    }
