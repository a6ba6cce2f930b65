"""django-q2 entry points for courses: ids only, safe to run more than once."""

from courses import interest


def notify_interested(event_id: int) -> int:
    """An event was published: owe each person waiting to hear about its course one email."""
    return interest.interested_notify(event_id=event_id)


def sweep_interested() -> int:
    """Every 15 minutes: people still waiting although their course has a date (a lost queue)."""
    return interest.interested_sweep()


def send_dates_announced(person_id: int, purpose: str) -> bool:
    """Send one owed dates-announced email (the outbox makes it once)."""
    return interest.send_dates_announced(person_id, purpose)
