"""Formatting for catalogue pages, in the GOV.UK style ("9:30am", "Tuesday 8 December 2026")."""

from django import template
from django.utils import timezone

from core.clock import LONDON

register = template.Library()


def _time(value) -> str:
    if value.hour == 12 and value.minute == 0:
        return "midday"
    if value.hour == 0 and value.minute == 0:
        return "midnight"
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    return f"{hour}:{value.minute:02d}{suffix}" if value.minute else f"{hour}{suffix}"


@register.filter
def london_date(value) -> str:
    """A date in Europe/London: Tuesday 8 December 2026."""
    if not value:
        return ""
    local = timezone.localtime(value, LONDON)
    return f"{local:%A} {local.day} {local:%B %Y}"


@register.filter
def event_when(event) -> str:
    """An event's date and times in Europe/London, the end date only when it differs."""
    start = timezone.localtime(event.start, LONDON)
    end = timezone.localtime(event.end, LONDON)
    if start.date() == end.date():
        return f"{london_date(event.start)}, {_time(start)} to {_time(end)}"
    return f"{london_date(event.start)}, {_time(start)} to {london_date(event.end)}, {_time(end)}"
