"""django-q2 entry points. They carry ids only and are safe to run more than once."""

from django_q.tasks import async_task

from bookings import emails, services


def enqueue_booking_email(booking_id: int, purpose: str, recipient_role: str = "delegate"):
    async_task(
        "bookings.tasks.send_booking_email",
        booking_id,
        purpose,
        recipient_role,
        task_name=f"booking-email-{booking_id}-{purpose}-{recipient_role}",
    )


def send_booking_email(booking_id: int, purpose: str, recipient_role: str = "delegate") -> bool:
    return emails.send_booking_email(booking_id, purpose, recipient_role)


def send_due_reminders() -> int:
    """Scheduled: queue the reminder for bookings whose event is near (each sent once)."""
    due = emails.reminders_due()
    for booking_id in due:
        enqueue_booking_email(booking_id, "reminder")
    return len(due)


def expire_offers() -> int:
    """Scheduled: lapse unanswered waiting-list offers and pass places on."""
    return services.offers_expire()
