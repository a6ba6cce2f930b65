"""The array helpers of by_quarter: look-ups by id and means per quarter, to the last bit."""

from datetime import date

import numpy as np
import pandas as pd

from evaluations import metrics as em
from reports import metrics, trends


def test_numbering_takes_the_first_match_and_minus_one_for_an_unknown_id():
    number_of = trends._numbering(np.array([5, 7, 5]), np.array([0, 1, 2]))
    nothing = trends._numbering(np.array([], dtype=int), np.array([], dtype=int))

    assert number_of(np.array([7, 5, 9, 5])).tolist() == [1, 0, -1, 0]
    assert nothing(np.array([1, 2])).tolist() == [-1, -1]


def test_means_per_quarter_add_each_quarters_scores_in_their_order_as_pandas_does():
    rng = np.random.default_rng(5)
    scores = rng.uniform(1, 5, 20_000)
    numbers = rng.integers(-1, 4, 20_000)

    means = trends._means_per_quarter(scores, numbers)

    expected = {
        int(number): float(group.mean())
        for number, group in pd.Series(scores).groupby(numbers, sort=False)
    }
    assert means == expected  # equal floats, not approximately equal
    assert trends._means_per_quarter(np.array([]), np.array([], dtype=int)) == {}


def test_mean_of_is_pandas_mean_to_the_last_bit_and_none_when_empty():
    values = np.random.default_rng(7).uniform(1, 5, 100_003)

    assert em.mean_of(values) == float(pd.Series(values).mean())
    assert em.mean_of(values[::3]) == float(pd.Series(values[::3]).mean())
    assert em.mean_of(np.array([])) is None


def test_quarter_of_numbers_days_by_block_and_leaves_days_outside_out():
    blocks = trends.quarters(date(2024, 4, 1), date(2024, 12, 31))
    days = pd.Series(
        [
            date(2024, 3, 31),
            date(2024, 4, 1),
            date(2024, 7, 1),
            date(2024, 12, 31),
            date(2025, 1, 1),
        ],
        dtype=object,
    )

    assert trends._quarter_of(days, blocks).tolist() == [-1, 0, 1, 2, -1]
    assert trends._quarter_of(pd.Series([], dtype=object), blocks).tolist() == []


def test_event_counts_by_group_count_delivered_and_cancelled_events_and_offered_places():
    events = pd.DataFrame(
        {
            "status": ["delivered", "cancelled", "delivered", "scheduled"],
            "capacity": [10, 12, 8, 20],
        }
    )

    counts = metrics._event_counts_by(events, np.array([2, 1, 2, 1]))

    assert counts.index.tolist() == [2, 1]  # in order of appearance
    assert counts.to_dict("index") == {
        2: {"events": 2, "events_cancelled": 0, "offered": 18},
        1: {"events": 0, "events_cancelled": 1, "offered": 0},
    }
    assert metrics._row_or_zeros(counts, 7).tolist() == [0, 0, 0]
