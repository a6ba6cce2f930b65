"""Figures per group: computed for all groups at once, equal to each group's figures alone."""

import numpy as np
import pandas as pd
import pytest

from evaluations import metrics
from tests.evaluations.test_metrics import NAN, bookings_frame, responses_frame

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


@pytest.mark.parametrize(
    "figures",
    [
        metrics.evaluation_summary,
        metrics.response_rates,
        metrics.learning_gain,
        metrics.attrition_funnel,
        metrics.non_response_bias,
    ],
)
def test_each_groups_figures_are_the_figures_of_its_bookings_alone(figures):
    bookings, responses = three_courses_and_none()

    rows = metrics.evaluation_figures_by(bookings, responses, "course_id", figures)

    assert [row["group"] for row in rows] == [10, 11, 12, None]
    for row in rows:
        alone = figures(*group_alone(bookings, responses, row["group"]))
        assert row == {"group": row["group"]} | alone


def test_given_counted_answers_are_split_by_group_as_computed_ones():
    bookings, responses = three_courses_and_none()
    counted = metrics.counted_by_stage(bookings, responses)

    given = metrics.evaluation_figures_by(bookings, responses, "course_id", counted=counted)

    assert given == metrics.evaluation_figures_by(bookings, responses, "course_id")


def test_other_figures_get_each_groups_bookings_and_responses():
    bookings, responses = three_courses_and_none()

    def answered(group, group_responses):
        return sorted(set(group_responses["booking_id"]))

    rows = metrics.evaluation_figures_by(bookings, responses, "course_id", answered)

    assert rows == [
        {"group": 10, "figures": [1, 2, 3, 4]},
        {"group": 11, "figures": [5, 6]},
        {"group": 12, "figures": [8]},
        {"group": None, "figures": [9, 10]},
    ]


def test_other_figures_taking_counted_get_each_groups_counted_answers():
    bookings, responses = three_courses_and_none()

    def post_scores(group, group_responses, *, counted):
        return sorted(counted["post"]["score"].items())

    rows = metrics.evaluation_figures_by(bookings, responses, "course_id", post_scores)

    assert [row["figures"] for row in rows] == [
        [(1, 4.5), (2, 4.0)],
        [(5, 5.0), (6, 3.0)],
        [(8, 5.0)],
        [],
    ]


def test_a_booking_listed_twice_is_counted_once():
    bookings = bookings_frame((1, "attended", 10), (1, "attended", 10), (2, "no_show", 10))
    responses = responses_frame((1, "pre", 2.0), (1, "post", 4.0), (2, "pre", 3.0))

    summary = metrics.evaluation_summary(bookings, responses)
    (row,) = metrics.evaluation_figures_by(bookings, responses, "course_id")

    assert summary["bookings"] == 2
    assert summary["evaluations"]["pre"] == {"invited": 2, "completed": 2, "rate": 100.0}
    assert summary["funnel"]["attended"] == 1
    assert row == {"group": 10} | summary


def test_arrays_within_some_bookings_give_the_summary_of_those_bookings_alone():
    bookings, responses = three_courses_and_none()
    arrays = metrics.evaluation_arrays(bookings, responses)
    some = bookings[bookings["course_id"].isin([10, 11]).to_numpy(dtype=bool, na_value=False)]

    summary = metrics.evaluation_summary_of(arrays.within(some["booking_id"]))

    alone = responses[responses["booking_id"].isin(some["booking_id"])]
    assert summary == metrics.evaluation_summary(some, alone)
    assert summary["evaluations"]["post"] == {"invited": 4, "completed": 4, "rate": 100.0}


def test_figures_by_group_from_given_arrays_are_those_from_the_frames():
    bookings, responses = three_courses_and_none()
    arrays = metrics.evaluation_arrays(bookings, responses)

    given = metrics.evaluation_figures_by(bookings, responses, "course_id", arrays=arrays)

    assert given == metrics.evaluation_figures_by(bookings, responses, "course_id")


def test_positions_find_each_id_or_minus_one():
    among = np.array([30, 10, 20])

    assert metrics._positions(np.array([20, 5, 30, 99, 10]), among).tolist() == [2, -1, 0, -1, 1]
    assert metrics._positions(np.array([1, 2]), np.array([], dtype=int)).tolist() == [-1, -1]
    assert metrics._among(np.array([4, 5, 6]), np.array([6, 4, 6])).tolist() == [True, False, True]
