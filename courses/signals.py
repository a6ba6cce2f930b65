"""Signals the courses app sends, for apps that must react without courses importing them.

`event_published(sender=Event, event=...)` is sent after the commit that makes an event visible
and bookable to practitioners: created as scheduled, copied as a series, or a draft published.
Receivers run after the commit, so they may enqueue tasks that read the event.
"""

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

event_published = Signal()


def announce_published(event) -> None:
    """Send `event_published` for `event` once the current transaction commits (if it is live)."""
    if event.status != event.Status.SCHEDULED or event.start <= timezone.now():
        return
    transaction.on_commit(lambda: event_published.send(sender=type(event), event=event))
