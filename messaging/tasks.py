"""django-q2 entry points for the outbox. The send tasks belong to the apps that owe the email
(bookings.tasks.send_booking_email, evaluations.tasks.send_evaluation_email)."""

from messaging import outbox


def requeue_stuck_emails() -> int:
    """Scheduled: queue again any email still owed (lost by a broker, a dead worker, SMTP down)."""
    return outbox.requeue_stuck()
