"""Figures per group: computed for all groups at once, equal to each group's figures alone."""

import numpy as np
import pandas as pd
import pytest

from evaluations import metrics
from tests.evaluations.test_metrics import NAN, bookings_frame, of, responses_frame

LATER = pd.Timestamp("2024-05-02 10:00", tz="UTC")


def three_courses_and_none():
    """Courses 10, 11, 12 and bookings without a course, with every kind of answer."""
    bookings = bookings_frame(
        (1, "attended", 10),
        (2, "partial", 10),
        (3, "no_show", 10),
        (4, "cancelled", 10),
        (5, "attended", 11),
        (6, "attended", 11),
        (7, "confirmed", 11),
        (8, "attended", 12),
        (9, "attended", None),
        (10, "no_show", None),
    )
    responses = responses_frame(
        (1, "pre", 2.0),
        (1, "post", 4.5, 1.5),
        (2, "pre", 3.25),
        (2, "post", 4.0, 2.0),
        (2, "stage2", 4.0),
        (3, "pre", 1.0),  # a no-show's pre answer counts
        (4, "pre", 3.0),  # cancelled: counts nowhere
        (5, "post", 5.0, NAN),  # only post
        (5, "pre", NAN),  # returned without a score
        (6, "pre", 4.0),
        (6, "post", 3.0, 3.0, "delegate", LATER),
        (6, "post", 2.0, 1.0),  # replaced by the later answer
        (6, "stage2", 5.0, NAN, "manager"),  # a line manager's answer does not count
        (8, "pre", 5.0),  # at the ceiling
        (8, "post", 5.0),
        (9, "pre", 2.5),
        (9, "post", 3.5, 2.0, "delegate", None),  # not submitted
        (10, "pre", 1.5),
    )
    return bookings, responses


def group_alone(bookings, responses, key):
    rows = bookings["course_id"].isna() if key is None else bookings["course_id"] == key
    group = bookings[rows.to_numpy(dtype=bool, na_value=False)]
    return group, responses[responses["booking_id"].isin(group["booking_id"])]


def test_each_groups_figures_are_the_figures_of_its_bookings_alone():
    bookings, responses = three_courses_and_none()

    rows = metrics.evaluation_summary_by(of(bookings, responses), bookings["course_id"])

    assert [row["group"] for row in rows] == [10, 11, 12, None]
    for row in rows:
        alone = metrics.evaluation_summary(of(*group_alone(bookings, responses, row["group"])))
        assert row == {"group": row["group"]} | alone


def test_one_group_per_booking_row_is_needed():
    bookings, responses = three_courses_and_none()

    with pytest.raises(ValueError, match="one group per booking row"):
        metrics.evaluation_summary_by(of(bookings, responses), bookings["course_id"][:3])


def test_a_booking_listed_twice_is_counted_once():
    bookings = bookings_frame((1, "attended", 10), (1, "attended", 10), (2, "no_show", 10))
    responses = responses_frame((1, "pre", 2.0), (1, "post", 4.0), (2, "pre", 3.0))

    summary = metrics.evaluation_summary(of(bookings, responses))
    (row,) = metrics.evaluation_summary_by(of(bookings, responses), bookings["course_id"])

    assert summary["bookings"] == 2
    assert summary["evaluations"]["pre"] == {"invited": 2, "completed": 2, "rate": 100.0}
    assert summary["funnel"]["attended"] == 1
    assert row == {"group": 10} | summary


def test_evaluations_within_some_bookings_give_the_summary_of_those_bookings_alone():
    bookings, responses = three_courses_and_none()
    evaluations = of(bookings, responses)
    some = bookings[bookings["course_id"].isin([10, 11]).to_numpy(dtype=bool, na_value=False)]

    summary = metrics.evaluation_summary(evaluations.within(some["booking_id"]))

    alone = responses[responses["booking_id"].isin(some["booking_id"])]
    assert summary == metrics.evaluation_summary(of(some, alone))
    assert summary["evaluations"]["post"] == {"invited": 4, "completed": 4, "rate": 100.0}


def test_positions_find_each_id_or_minus_one():
    among = np.array([30, 10, 20])

    assert metrics._positions(np.array([20, 5, 30, 99, 10]), among).tolist() == [2, -1, 0, -1, 1]
    assert metrics._positions(np.array([1, 2]), np.array([], dtype=int)).tolist() == [-1, -1]
    assert metrics._among(np.array([4, 5, 6]), np.array([6, 4, 6])).tolist() == [True, False, True]
