"""django-q2 entry points. They carry ids only and are safe to run more than once."""

from bookings import emails, services


def send_booking_email(booking_id: int, purpose: str, recipient_role: str = "delegate") -> bool:
    return emails.send_booking_email(booking_id, purpose, recipient_role)


def send_due_reminders() -> int:
    """Scheduled: owe and queue the reminder for bookings whose event is near (each sent once)."""
    due = emails.reminders_due()
    for booking_id in due:
        emails.outbox_enqueue(emails.outbox_record(booking_id=booking_id, purpose="reminder"))
    return len(due)


def expire_offers() -> int:
    """Scheduled: lapse unanswered waiting-list offers and pass places on."""
    return services.offers_expire()


def requeue_stuck_emails() -> int:
    """Scheduled: queue again any email still owed (lost by a broker, a dead worker, SMTP down)."""
    return emails.requeue_stuck()
