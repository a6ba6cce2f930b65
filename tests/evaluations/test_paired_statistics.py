"""Paired statistics on scores that are not exact in binary (means of three items: thirds)."""

import math

import numpy as np
import pytest

from evaluations import metrics
from reports.tables import HAKE_G, MEAN_C, MEAN_G, NO_INTERVAL, learning_gain_rows, show
from tests.evaluations.test_metrics import bookings_frame, of, responses_frame

THIRD = 1 / 3


def thirds(*numerators: int) -> np.ndarray:
    """Scores as the mean of three 1-5 items: numerator / 3, as the database would give them."""
    return np.array([n / 3 for n in numerators])


def test_equal_differences_not_exact_in_binary_count_as_no_spread():
    before = np.array([2.0, 3.0, 1.0, 4.0, 2.0, 3.0, 1.0])
    after = thirds(7, 10, 4, 13, 7, 10, 4)  # everyone gains a third
    differences = after - before
    assert 0 < differences.std(ddof=1) < 1e-15  # binary rounding, not spread

    paired = metrics.paired_statistics(before, after)

    assert (paired["n"], paired["mean_gain"], paired["sd_gain"]) == (7, 0.33, 0.0)
    for key in ("effect_size_dz", "t", "df", "t_p", "ci95_low", "ci95_high"):
        assert paired[key] is None, key  # not d_z 1e15, p 1e-91 and a point "interval"
    # The signed-rank test still stands: all seven positive, exact p = 2 / 2**7.
    assert paired["wilcoxon_w"] == 0.0
    assert paired["wilcoxon_p"] == pytest.approx(2 / 128)


def test_when_every_difference_is_the_same_there_is_no_interval():
    same = metrics.paired_statistics(np.array([2.0, 3.0, 4.0]), np.array([3.0, 4.0, 5.0]))
    none = metrics.paired_statistics(np.array([3.0, 4.0]), np.array([3.0, 4.0]))

    for paired in (same, none):
        assert (paired["ci95_low"], paired["ci95_high"]) == (None, None)
    assert same["mean_gain"] == 1.0


def test_t_degrees_of_freedom_and_w_are_given_beside_the_p_values():
    before = np.array([2.0, 3.0, 4.0, 1.0])
    after = before + thirds(1, -2, 3, 4)  # differences 1/3, -2/3, 1, 4/3

    paired = metrics.paired_statistics(before, after)

    # mean 1/2; squared deviations 1/36 + 49/36 + 9/36 + 25/36 = 7/3; sd = sqrt(7/9)
    # t = (1/2) / (sqrt(7) / 3 / 2) = 3 / sqrt 7 = 1.134 on 3 df
    assert (paired["t"], paired["df"]) == (1.13, 3)
    assert paired["t_p"] == pytest.approx(2 * (1 - _t_cdf(3 / math.sqrt(7), 3)), rel=1e-9)
    # ranks of |d|: 1, 2, 3, 4; the negative one (-2/3) has rank 2: W = min(8, 2) = 2.
    # P(W- <= 2) = #{{}, {1}, {2}} / 16; two-sided 6 / 16.
    assert paired["wilcoxon_w"] == 2.0
    assert paired["wilcoxon_p"] == pytest.approx(6 / 16)


def _t_cdf(t: float, df: int) -> float:
    """Student's t CDF for 3 df in closed form (not scipy, which the figure itself uses)."""
    assert df == 3
    x = t / math.sqrt(3)
    return 0.5 + (math.atan(x) + x / (1 + x * x)) / math.pi


def test_one_big_loss_bounds_the_mean_normalised_change_and_hake_g_is_headlined():
    # Nine delegates go from 2 to 11/3; one goes from 4.8 to 1.
    before = np.array([2.0] * 9 + [4.8])
    after = np.concatenate([thirds(*[11] * 9), [1.0]])

    paired = metrics.paired_statistics(before, after)

    # Per person: g = (5/3) / 3 = 5/9 each, and (1 - 4.8) / (5 - 4.8) = -19: <g> = (5 - 19) / 10
    assert paired["normalised_gain"] == -1.4
    # On the means: pre 2.28, post 3.4: (3.4 - 2.28) / (5 - 2.28) = 0.41176
    assert paired["class_normalised_gain"] == 0.412
    # Marx and Cummings: the loss is scaled by its room to fall, (1 - 4.8) / (4.8 - 1) = -1:
    # <c> = (9 * 5/9 - 1) / 10 = 0.4
    assert (paired["normalised_change"], paired["n_normalised_change"]) == (0.4, 10)


def test_normalised_change_is_zero_when_unchanged_and_leaves_out_no_room_to_move():
    before = np.array([5.0, 1.0, 10 / 3, 4.0, 2.0])
    after = np.array([5.0, 1.0, 10 / 3, 5.0, 1.0])

    change = metrics.normalised_change(before, after)

    # (5, 5) and (1, 1) are left out; 10/3 unchanged is 0; 4 -> 5 is 1; 2 -> 1 is -1.
    assert change == {"normalised_change": 0.0, "n_normalised_change": 3}
    assert metrics.normalised_change(np.array([4.8]), np.array([1.0]))["normalised_change"] == -1


def test_the_learning_gain_of_answers_in_thirds_carries_the_new_figures():
    bookings = bookings_frame(*((i, "attended") for i in range(1, 4)))
    responses = responses_frame(
        *((i, "pre", 2.0) for i in range(1, 4)), *((i, "post", 7 / 3) for i in range(1, 4))
    )

    paired = metrics.learning_gain(of(bookings, responses))["paired"]

    assert paired["t_p"] is None and paired["ci95_low"] is None
    assert paired["normalised_change"] == pytest.approx(round(THIRD / 3, 3))


def test_the_learning_gain_table_shows_t_df_w_and_labels_each_normalised_figure():
    before = np.array([2.0, 3.0, 4.0, 1.0])
    paired = metrics.paired_statistics(before, before + thirds(1, -2, 3, 4))
    report = {
        "learning_gain": {
            "pre_mean": 2.5,
            "post_mean": 3.0,
            "gain": 0.5,
            "n_pre": 4,
            "n_post": 4,
            "paired": paired,
        },
        "non_response": {
            "returned": {"pre_mean": 2.5, "n": 4},
            "not_returned": {"pre_mean": None, "n": 0},
        },
    }

    rows = {r["measure"]: r for r in learning_gain_rows(report)}
    shown = {m: show(r["value"], r["_decimals"]["value"]) for m, r in rows.items()}

    assert shown["Paired t-test: t"] == "1.13"
    assert shown["Paired t-test: degrees of freedom"] == "3"
    assert shown["Wilcoxon signed-rank: W (smaller rank sum)"] == "2"
    assert shown[HAKE_G] == show(paired["class_normalised_gain"], 3)
    assert (shown[MEAN_C], rows[MEAN_C]["n"]) == (show(paired["normalised_change"], 3), 4)
    assert rows[MEAN_G]["value"] == paired["normalised_gain"]
    names = list(rows)
    assert names.index(HAKE_G) < names.index(MEAN_C) < names.index(MEAN_G)

    report["learning_gain"]["paired"] = metrics.paired_statistics(before, before + THIRD)
    rows = {r["measure"]: r for r in learning_gain_rows(report)}
    assert rows["Paired: 95% confidence interval, low"]["value"] == NO_INTERVAL
