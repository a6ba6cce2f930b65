"""django-q2 entry points. They carry ids only and are safe to run more than once."""

from bookings import emails, services
from messaging import outbox
from messaging.tasks import requeue_stuck_emails as _requeue_stuck_emails


def send_booking_email(booking_id: int, purpose: str, recipient_role: str = "delegate") -> bool:
    return emails.send_booking_email(booking_id, purpose, recipient_role)


def send_due_reminders() -> int:
    """Scheduled: owe and queue the reminder for bookings whose event is near (each sent once)."""
    due = emails.reminders_due()
    for booking_id in due:
        outbox.outbox_enqueue(outbox.outbox_record(booking_id=booking_id, purpose="reminder"))
    return len(due)


def expire_offers() -> int:
    """Scheduled: lapse unanswered waiting-list offers and pass places on."""
    return services.offers_expire()


def requeue_stuck_emails() -> int:
    """The sweeper's old path (now messaging.tasks), kept for tasks queued before the move."""
    return _requeue_stuck_emails()
