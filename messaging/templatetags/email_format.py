"""Dates and times in emails, written one way: "Monday 12 January 2026" and "09:30" (24-hour,
London's clock). Every email template uses these filters, never its own `date` format."""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.utils.dateformat import format as date_format

from core.clock import london_time

register = template.Library()

DAY_FORMAT = "l j F Y"  # Monday 12 January 2026
TIME_FORMAT = "H:i"  # 09:30


def _london(value):
    if isinstance(value, datetime) and value.tzinfo is not None:
        return london_time(value)
    return value


@register.filter
def email_day(value: date | datetime | None) -> str:
    """'Monday 12 January 2026'."""
    return date_format(_london(value), DAY_FORMAT) if value else ""


@register.filter
def email_time(value: datetime | None) -> str:
    """'09:30'."""
    return date_format(_london(value), TIME_FORMAT) if value else ""


@register.filter
def email_when(value: datetime | None) -> str:
    """'Monday 12 January 2026 at 09:30'."""
    return f"{email_day(value)} at {email_time(value)}" if value else ""
