"""Reporting periods: parsing dates from the command line and forms, the default year."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from courses.models import reporting_year_of

DATE_INVALID = (
    "{name} must be a date in the form YYYY-MM-DD, for example 2022-04-01 (got {value!r})."
)
END_BEFORE_START = "The end date ({end}) is before the start date ({start})."


class PeriodError(ValueError):
    pass


def parse_day(value: str, name: str) -> date:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        raise PeriodError(DATE_INVALID.format(name=name, value=value)) from None


def parse_period(start: str, end: str) -> tuple[date, date]:
    """Both dates, checked: valid ISO dates with the end on or after the start."""
    first, last = parse_day(start, "--start"), parse_day(end, "--end")
    if last < first:
        raise PeriodError(END_BEFORE_START.format(start=first, end=last))
    return first, last


def current_reporting_year(today: date | None = None) -> tuple[date, date]:
    """1 April - 31 March of the reporting year today falls in (Europe/London)."""
    year = reporting_year_of(today or timezone.localdate())
    return date(year, 4, 1), date(year + 1, 3, 31)
