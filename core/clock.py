"""Time and the calendar, in one place: the partnership works in Europe/London.

Times are stored in UTC; days, working days and bank holidays are London's. Nothing here imports
an app, so every app may use it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from django.utils import timezone

TIME_ZONE_NAME = "Europe/London"
LONDON = ZoneInfo(TIME_ZONE_NAME)

# The years a date typed into any form may fall in: beyond them, arithmetic on the date (the
# next day, a London midnight) runs out of Python's calendar, and no course or report is there.
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100
YEAR_OUT_OF_RANGE = f"Enter a date between the years {EARLIEST_YEAR} and {LATEST_YEAR}"


def year_in_range(day: date) -> None:
    """A form validator: a ValidationError for a date outside EARLIEST_YEAR to LATEST_YEAR."""
    from django.core.exceptions import ValidationError

    if day is not None and not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
        raise ValidationError(YEAR_OUT_OF_RANGE, code="year_out_of_range")


def london_time(moment: datetime) -> datetime:
    """An aware datetime as London's wall clock."""
    return timezone.localtime(moment, LONDON)


def london_today() -> date:
    """Today's date in London."""
    return timezone.localdate(timezone=LONDON)


def day_start(day: date) -> datetime:
    """The first instant of a London day, as an aware datetime."""
    return datetime.combine(day, time.min, tzinfo=LONDON)


def day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """[first instant of `first`, first instant after `last`) in London, as aware datetimes."""
    return day_start(first), day_start(last + timedelta(days=1))


def working_days_before(moment: datetime, days: int) -> datetime:
    """The same London time `days` working days (Monday-Friday) before `moment`.

    Bank holidays count as working days here: that is the notice period bookings have always
    used (see `is_bank_holiday` for the calendar itself).
    """
    local = london_time(moment)
    day = local.date()
    remaining = days
    while remaining > 0:
        day -= timedelta(days=1)
        if day.weekday() < 5:
            remaining -= 1
    return local.replace(year=day.year, month=day.month, day=day.day)


@cache
def _england(year: int) -> dict[date, str]:
    import holidays  # when first needed: it takes about 50 ms to import (start-up time)

    return dict(holidays.UK(subdiv="ENG", years=year))


def bank_holidays(years: int | Iterable[int]) -> dict[date, str]:
    """England's bank holidays (substitute days included) in the given years: date -> name."""
    found: dict[date, str] = {}
    for year in [years] if isinstance(years, int) else years:
        found.update(_england(year))
    return dict(sorted(found.items()))


def is_bank_holiday(day: date) -> bool:
    """Whether `day` is a bank holiday in England (a substitute day is one too)."""
    return day in _england(day.year)
