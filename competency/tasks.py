"""django-q2 entry points for the competency framework: ids only, safe to run more than once."""

from competency import reminders


def remind_expiring() -> int:
    """Scheduled daily: owe one reminder for each achievement running out soon (once each)."""
    return reminders.expiry_reminders_owe()


def send_expiry_reminder(person_id: int, purpose: str) -> bool:
    """Send one owed expiry reminder (the outbox makes it once)."""
    return reminders.send_expiry_reminder(person_id, purpose)
