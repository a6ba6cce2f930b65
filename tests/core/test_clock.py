"""core.clock: London's days, working days and England's bank holidays, in one place."""

from datetime import UTC, date, datetime

from core.clock import (
    LONDON,
    bank_holidays,
    day_bounds,
    day_start,
    is_bank_holiday,
    working_days_before,
)


def test_28_december_2026_is_a_substitute_bank_holiday_for_boxing_day_on_a_saturday():
    assert is_bank_holiday(date(2026, 12, 28))
    assert bank_holidays(2026)[date(2026, 12, 28)] == "Boxing Day (observed)"
    assert not is_bank_holiday(date(2026, 12, 29))


def test_bank_holidays_are_englands_not_scotlands():
    days = bank_holidays([2026, 2027])
    assert date(2026, 8, 31) in days  # England's late summer bank holiday
    assert date(2026, 8, 3) not in days  # Scotland's summer bank holiday
    assert date(2027, 1, 2) not in days  # Scotland only
    assert list(days) == sorted(days)
    assert len([d for d in days if d.year == 2026]) == 9


def test_working_days_skip_weekends_but_not_bank_holidays_as_bookings_always_have():
    friday_after_easter_monday = datetime(2026, 4, 10, 9, 30, tzinfo=LONDON)
    # Three working days before Friday 10 April: Thursday, Wednesday, Tuesday. Easter Monday
    # (6 April) is counted only when four are asked for: bank holidays are not skipped.
    assert working_days_before(friday_after_easter_monday, 3) == datetime(
        2026, 4, 7, 9, 30, tzinfo=LONDON
    )
    assert working_days_before(friday_after_easter_monday, 4) == datetime(
        2026, 4, 6, 9, 30, tzinfo=LONDON
    )
    monday = datetime(2031, 3, 10, 10, 0, tzinfo=LONDON)
    assert working_days_before(monday, 1) == datetime(2031, 3, 7, 10, 0, tzinfo=LONDON)


def test_working_days_keep_the_london_wall_clock_across_the_clock_change():
    # Tuesday 31 March 2026 09:30 BST (08:30 UTC); three working days before is Thursday 26 March,
    # 09:30 GMT (09:30 UTC).
    start = datetime(2026, 3, 31, 8, 30, tzinfo=UTC)
    before = working_days_before(start, 3)
    assert before == datetime(2026, 3, 26, 9, 30, tzinfo=LONDON)
    assert before.astimezone(UTC).hour == 9


def test_day_bounds_are_london_midnights():
    first, after = day_bounds(date(2022, 4, 1), date(2023, 3, 31))
    assert first == datetime(2022, 3, 31, 23, 0, tzinfo=UTC)  # BST
    assert after == datetime(2023, 3, 31, 23, 0, tzinfo=UTC)  # BST again (from 26 March)
    assert day_start(date(2026, 12, 8)) == datetime(2026, 12, 8, tzinfo=LONDON)
