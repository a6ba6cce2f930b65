"""django-q2 entry points for privacy: ids only, idempotent."""

from privacy import retention


def anonymise_expired() -> int:
    """Scheduled daily: anonymise people whose last activity is past the retention period."""
    return len(retention.retention_run())
