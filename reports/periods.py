"""Reporting periods: parsing dates from the command line and forms, the default year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.utils import timezone

from courses.models import Event, reporting_year_of

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


def reporting_year(year: int) -> tuple[date, date]:
    """1 April `year` - 31 March the year after."""
    return date(year, 4, 1), date(year + 1, 3, 31)


def current_reporting_year(today: date | None = None) -> tuple[date, date]:
    """1 April - 31 March of the reporting year today falls in (Europe/London)."""
    return reporting_year(reporting_year_of(today or timezone.localdate()))


def last_complete_quarter(today: date | None = None) -> tuple[date, date]:
    """The last quarter (Apr-Jun, Jul-Sep, Oct-Dec, Jan-Mar) that ended before today."""
    today = today or timezone.localdate()
    first_month = (today.month - 1) // 3 * 3 + 1  # the quarter today is in starts here
    year, month = (today.year, first_month - 3) if first_month > 1 else (today.year - 1, 10)
    end_year, end_month = (year, month + 3) if month < 10 else (year + 1, 1)
    return date(year, month, 1), date.fromordinal(date(end_year, end_month, 1).toordinal() - 1)


def year_label(start: date) -> str:
    """2022/23 for the year starting 1 April 2022."""
    return f"{start.year}/{(start.year + 1) % 100:02d}"


@dataclass(frozen=True)
class Preset:
    key: str
    label: str
    start: date
    end: date


def presets(today: date | None = None) -> list[Preset]:
    """The periods a report offers in one click: this year, last year, last quarter."""
    today = today or timezone.localdate()
    this_start, this_end = current_reporting_year(today)
    last_start, last_end = reporting_year(this_start.year - 1)
    quarter_start, quarter_end = last_complete_quarter(today)
    quarter = f"{quarter_start:%b}–{quarter_end:%b} {quarter_end.year}"
    return [
        Preset("this-year", f"This year ({year_label(this_start)})", this_start, this_end),
        Preset("last-year", f"Last year ({year_label(last_start)})", last_start, last_end),
        Preset("last-quarter", f"Last quarter ({quarter})", quarter_start, quarter_end),
    ]


@dataclass(frozen=True)
class DefaultPeriod:
    start: date
    end: date
    # Why the report opened on last year rather than this one ("" when it did not).
    reason: str = ""


def _events_started(start: date, end: date, today: date) -> int:
    """Events (not cancelled, not drafts) starting between the dates and no later than today."""
    return (
        Event.objects.starting_between(start, min(end, today))
        .exclude(status__in=[Event.Status.CANCELLED, Event.Status.DRAFT])
        .count()
    )


def default_period(today: date | None = None) -> DefaultPeriod:
    """The period a report opens on: this reporting year, or the last complete one while this
    year has almost no data yet (fewer than REPORT_CURRENT_YEAR_MIN_EVENTS events so far, and
    fewer than last year had)."""
    today = today or timezone.localdate()
    start, end = current_reporting_year(today)
    so_far = _events_started(start, end, today)
    if so_far >= settings.REPORT_CURRENT_YEAR_MIN_EVENTS:
        return DefaultPeriod(start, end)
    last_start, last_end = reporting_year(start.year - 1)
    if _events_started(last_start, last_end, today) <= so_far:
        return DefaultPeriod(start, end)
    events = "1 event" if so_far == 1 else f"{so_far} events"
    reason = (
        f"This report opens on {year_label(last_start)}, the last complete reporting year: "
        f"{year_label(start)} has only {events} so far."
    )
    return DefaultPeriod(last_start, last_end, reason)
