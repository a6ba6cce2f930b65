"""django-q2 entry points for reports."""

from reports import warm


def report_charts_draw() -> dict:
    """Draw the opening report pages' charts not yet in the cache (after imports, scheduled)."""
    return warm.report_charts_draw()
