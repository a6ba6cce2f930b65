"""Every figure of the training report on the hand-built year (tests/reports/dataset.py)."""

from datetime import date

import pytest

from reports import metrics, trends
from reports.report import report_build
from reports.selectors import ReportFilters
from tests.reports.dataset import EXPECTED

START, END = date(2022, 4, 1), date(2023, 3, 31)


@pytest.fixture
def report(data):
    return report_build(start=START, end=END)


def test_events_delivered_cancelled_and_by_length_count_only_the_period_in_london_time(report):
    events = report["events"]
    assert {k: events[k] for k in EXPECTED["events"]} == EXPECTED["events"]
    # E2 lasts exactly four hours: half a day. The 31 March evening event is in; the 00:30 BST
    # event on 1 April (31 March in UTC) is out.
    assert events["half_day_or_less_percent"] == 66.7
    assert events["by_audience"] == {"children": 2, "adults": 1, "all": 0}


def test_places_ignore_waiting_lists_hand_overs_moves_and_the_organisers_cancellation(report):
    places = report["places"]
    assert {k: places[k] for k in EXPECTED["places"]} == EXPECTED["places"]
    assert places["partial"] == 1
    assert places["attended_in_full"] == 4
    assert places["cancelled_late"] == 1
    assert places["fill_rate"] == 20.0


def test_organisations_among_attendees_are_counted_by_name_ignoring_case_and_spacing(report):
    assert report["organisations"] == {"attended": 3, "sectors": 3}


def test_elearning_completions_count_by_completion_date_in_london(report):
    assert report["elearning"]["completed"] == 2


def test_evaluation_rates_and_learning_gain_count_only_bookings_on_delivered_events(report):
    assert report["evaluations"] == EXPECTED["evaluations"]
    gain = report["learning_gain"]
    assert {k: gain[k] for k in EXPECTED["learning_gain"]} == EXPECTED["learning_gain"]
    paired = gain["paired"]
    assert {k: paired[k] for k in EXPECTED["paired"]} == EXPECTED["paired"]


def test_priority_areas_side_by_side_with_elearning_and_the_low_uptake_flag(report):
    rows = {r["priority"]: r for r in report["by_priority"]}
    n, x = rows["Neglect"], rows["Exploitation"]
    assert (n["events"], n["offered"], n["used"], n["attended"], n["elearning_completed"]) == (
        2, 20, 6, 4, 1,
    )  # fmt: skip
    assert (x["events"], x["offered"], x["used"], x["attended"], x["elearning_completed"]) == (
        1, 20, 2, 1, 1,
    )  # fmt: skip
    assert x["events_cancelled"] == 1
    assert (n["fill_rate"], x["fill_rate"]) == (30.0, 10.0)
    assert x["low_uptake"] is True
    assert n["low_uptake"] is False


def test_cancellation_and_no_show_reasons(report):
    assert report["reasons"]["cancellation"] == [
        {"reason": "Work capacity", "count": 2, "percent": 100.0, "late": 1}
    ]
    assert report["reasons"]["did_not_attend"] == [
        {"reason": "No reason given", "count": 2, "percent": 66.7},
        {"reason": "Sickness", "count": 1, "percent": 33.3},
    ]


def test_places_lost_per_organisation_fall_back_to_the_delegates_organisation(report):
    rows = {r["organisation"]: r for r in report["by_organisation"]}
    assert set(rows) == {
        "West Midlands Police", "Barnardo's", "Dudley Council", '=HYPERLINK("http://example.com","x")'
    }  # fmt: skip
    police, barnardos, council = (
        rows["West Midlands Police"], rows["Barnardo's"], rows["Dudley Council"]
    )  # fmt: skip
    assert (police["booked"], police["did_not_attend"], police["cancelled_late"]) == (4, 1, 1)
    assert police["places_lost"] == 2
    # b11 has no organisation on the booking; the delegate works for Barnardo's.
    assert (barnardos["did_not_attend"], barnardos["places_lost"]) == (2, 2)
    # Both records of Dudley Council are one row.
    assert (council["booked"], council["attended"], council["cancelled"]) == (3, 2, 1)
    assert report["by_organisation"][0]["places_lost"] == 2


def test_evaluations_per_priority_area_and_per_course(report):
    by_priority = {r["priority"]: r for r in report["evaluation_by_priority"]}
    assert by_priority["Neglect"]["evaluations"]["pre"] == {
        "invited": 6,
        "completed": 3,
        "rate": 50.0,
    }
    assert by_priority["Neglect"]["evaluations"]["post"]["completed"] == 3
    assert by_priority["Exploitation"]["learning_gain"]["gain"] == 0.0
    by_course = {r["course"]: r for r in report["evaluation_by_course"]}
    assert set(by_course) == {"Neglect Basics", "Exploitation Awareness"}
    assert by_course["Neglect Basics"]["learning_gain"]["post_mean"] == 4.33


def test_uptake_per_course(report):
    rows = {r["course"]: r for r in report["by_course"]}
    assert rows["Neglect Basics"]["events"] == 2
    assert rows["Exploitation Awareness"]["events_cancelled"] == 1
    assert rows["Exploitation Awareness"]["used"] == 2


def test_quarters_and_the_previous_period(report):
    quarters = report["quarters"]
    assert [q["quarter"] for q in quarters] == [
        "Q1 Apr–Jun 2022", "Q2 Jul–Sep 2022", "Q3 Oct–Dec 2022", "Q4 Jan–Mar 2023"
    ]  # fmt: skip
    assert [q["events"] for q in quarters] == [1, 0, 1, 1]
    assert [q["events_cancelled"] for q in quarters] == [0, 1, 0, 0]
    assert [q["used"] for q in quarters] == [4, 0, 2, 2]
    assert sum(q["offered"] for q in quarters) == 40
    previous = report["previous"]
    assert previous["period"] == {"start": "2021-04-01", "end": "2022-03-31"}
    # The 2021 event and the 31 March 2022 evening event.
    assert previous["events"]["delivered"] == 2
    assert previous["places"]["used"] == 3
    assert previous["elearning"]["completed"] == 1
    change = {r["key"]: r for r in report["comparison"]}
    assert change["events"] == {
        "measure": "Events delivered", "key": "events", "this": 3, "previous": 2, "change": 1
    }  # fmt: skip
    assert change["offered"]["previous"] == 17


@pytest.mark.parametrize(
    "filters, expected",
    [
        ({"priority_area": "exploitation"}, {"delivered": 1, "offered": 20, "used": 2}),
        ({"course": "c1"}, {"delivered": 2, "offered": 20, "used": 6}),
        ({"audience": "adults"}, {"delivered": 1, "offered": 20, "used": 2}),
        ({"delivery_mode": "live_online"}, {"delivered": 1, "offered": 20, "used": 2}),
        # Organisation filters keep the programme's events and places, and count one
        # organisation's bookings (both records of Dudley Council).
        ({"organisation": "council"}, {"delivered": 3, "offered": 40, "used": 2}),
        ({"sector": "police"}, {"delivered": 3, "offered": 40, "used": 3}),
    ],
)
def test_filters(data, filters, expected):
    values = {
        key: getattr(data, value).pk
        if key in ("priority_area", "course", "organisation")
        else value
        for key, value in filters.items()
    }
    report = report_build(start=START, end=END, filters=ReportFilters(**values))
    got = {
        "delivered": report["events"]["delivered"],
        "offered": report["places"]["offered"],
        "used": report["places"]["used"],
    }
    assert got == expected


def test_a_sector_filter_restricts_evaluations_and_elearning_too(data):
    report = report_build(start=START, end=END, filters=ReportFilters(sector="police"))
    assert report["evaluations"]["pre"] == {"invited": 3, "completed": 1, "rate": 33.3}
    assert report["elearning"]["completed"] == 1
    assert report["organisations"]["attended"] == 1


def test_low_uptake_rule_compares_with_the_median_of_the_other_areas():
    rows = [
        {"offered": 10, "fill_rate": 60.0},
        {"offered": 10, "fill_rate": 50.0},
        {"offered": 10, "fill_rate": 37.4},  # < 0.75 * median(60, 50) = 41.25
        {"offered": 10, "fill_rate": 41.3},
        {"offered": 0, "fill_rate": None},  # no places: never flagged
    ]
    flags = [r["low_uptake"] for r in metrics.flag_low_uptake(rows)]
    assert flags == [False, False, True, False, False]
    assert metrics.flag_low_uptake([{"offered": 5, "fill_rate": 1.0}])[0]["low_uptake"] is False


def test_quarters_of_a_short_or_uneven_period():
    assert trends.quarters(date(2022, 4, 1), date(2022, 4, 30)) == [
        (date(2022, 4, 1), date(2022, 4, 30))
    ]
    assert trends.quarters(date(2022, 11, 30), date(2023, 3, 31)) == [
        (date(2022, 11, 30), date(2023, 2, 27)),
        (date(2023, 2, 28), date(2023, 3, 31)),
    ]


def test_an_empty_period_gives_zeros_and_no_rates(db):
    report = report_build(start=START, end=END)
    assert report["events"]["delivered"] == 0
    assert report["places"]["fill_rate"] is None
    assert report["evaluations"]["pre"] == {"invited": 0, "completed": 0, "rate": None}
    assert report["by_priority"] == []
