"""The evaluation metric definitions on small frames worked out by hand (no database)."""

import math

import numpy as np
import pandas as pd
import pytest

from evaluations import metrics

NAN = float("nan")
SUBMITTED = pd.Timestamp("2024-05-01 10:00", tz="UTC")


def bookings_frame(*rows):
    """rows: (booking_id, status) or (booking_id, status, course_id, priority_area_id, org_id)."""
    records = []
    for row in rows:
        booking_id, status, *rest = row
        course_id, priority_area_id, organisation_id = (*rest, None, None, None)[:3]
        records.append(
            {
                "booking_id": booking_id,
                "status": status,
                "event_id": 1,
                "course_id": course_id,
                "priority_area_id": priority_area_id,
                "organisation_id": organisation_id,
                "person_id": booking_id,
            }
        )
    frame = pd.DataFrame.from_records(
        records,
        columns=[
            "booking_id",
            "status",
            "event_id",
            "course_id",
            "priority_area_id",
            "organisation_id",
            "person_id",
        ],
    )
    return frame.astype(
        {
            "booking_id": "int64",
            "course_id": "Int64",
            "priority_area_id": "Int64",
            "organisation_id": "Int64",
        }
    )


def responses_frame(*rows):
    """rows: (booking_id, stage, score[, retro_score[, respondent[, submitted_at]]])."""
    records = []
    for row in rows:
        booking_id, stage, score, *rest = row
        defaults = (NAN, "delegate", SUBMITTED)
        retro, respondent, submitted_at = (*rest, *defaults[len(rest) :])
        records.append(
            {
                "booking_id": booking_id,
                "stage": stage,
                "respondent": respondent,
                "submitted_at": submitted_at,
                "score": score,
                "retro_score": retro,
            }
        )
    frame = pd.DataFrame.from_records(
        records,
        columns=["booking_id", "stage", "respondent", "submitted_at", "score", "retro_score"],
    )
    frame["submitted_at"] = pd.to_datetime(frame["submitted_at"], utc=True)
    return frame.astype({"booking_id": "int64", "score": "float64", "retro_score": "float64"})


def of(bookings, responses):
    """The figures' input: the bookings and their counted answers."""
    return metrics.Evaluations.from_frames(bookings, responses)


# --- return rates --------------------------------------------------------------------------------


def test_pre_rate_is_over_places_used_and_post_and_stage2_over_attended():
    bookings = bookings_frame(
        (1, "attended"),
        (2, "partial"),
        (3, "no_show"),
        (4, "cancelled"),
        (5, "confirmed"),
        (6, "waitlisted"),
    )
    responses = responses_frame(
        (1, "pre", 3.0),
        (3, "pre", 2.0),
        (4, "pre", 1.0),
        (5, "pre", 4.0),
        (1, "post", 4.0),
        (2, "post", 4.0),
        (4, "post", 5.0),
        (2, "stage2", NAN),
    )

    rates = metrics.return_rates(of(bookings, responses))

    # pre: used = 1, 2, 3; answered 1 and 3 -> 2 / 3
    assert rates["pre"] == {"invited": 3, "completed": 2, "rate": 66.7}
    # post: attended = 1, 2; both answered; the cancelled booking's answer is not counted
    assert rates["post"] == {"invited": 2, "completed": 2, "rate": 100.0}
    # stage 2: attended 1, 2; answered 2 (an answer without a score still counts as returned)
    assert rates["stage2"] == {"invited": 2, "completed": 1, "rate": 50.0}


def test_a_no_shows_pre_answer_counts_in_the_pre_rate_and_mean_but_not_in_post():
    bookings = bookings_frame((1, "attended"), (2, "no_show"))
    responses = responses_frame(
        (1, "pre", 2.0),
        (1, "post", 4.0),
        (2, "pre", 3.0),
        (2, "post", 5.0),  # a stray post answer from someone who did not come
    )

    rates = metrics.return_rates(of(bookings, responses))
    gain = metrics.learning_gain(of(bookings, responses))

    assert rates["pre"] == {"invited": 2, "completed": 2, "rate": 100.0}
    assert rates["post"] == {"invited": 1, "completed": 1, "rate": 100.0}
    assert (gain["pre_mean"], gain["n_pre"]) == (2.5, 2)  # (2 + 3) / 2
    assert (gain["post_mean"], gain["n_post"]) == (4.0, 1)  # the no-show's 5 is left out
    assert gain["paired"]["n"] == 1


def test_a_cancelled_bookings_answers_count_nowhere():
    bookings = bookings_frame((1, "attended"), (2, "cancelled"))
    responses = responses_frame(
        (1, "pre", 2.0),
        (1, "post", 4.0),
        (2, "pre", 1.0),
        (2, "post", 5.0),
        (2, "stage2", 5.0),
    )

    summary = metrics.evaluation_summary(of(bookings, responses))

    assert summary["evaluations"] == {
        "pre": {"invited": 1, "completed": 1, "rate": 100.0},
        "post": {"invited": 1, "completed": 1, "rate": 100.0},
        "stage2": {"invited": 1, "completed": 0, "rate": 0.0},
    }
    gain = summary["learning_gain"]
    assert (gain["pre_mean"], gain["post_mean"], gain["gain"]) == (2.0, 4.0, 2.0)
    assert gain["paired"]["n"] == 1
    assert summary["funnel"] == {
        "booked": 2,  # the booking held a place, so it is in "booked" ...
        "attended": 1,
        "pre_answered": 1,  # ... but none of its answers count
        "post_answered": 1,
        "stage2_answered": 0,
    }
    assert summary["non_response"]["returned"] == {"n": 1, "pre_mean": 2.0}


def test_rates_with_zero_denominators_are_none_not_zero():
    nobody = metrics.return_rates(of(bookings_frame(), responses_frame()))
    not_yet_run = metrics.return_rates(
        of(bookings_frame((1, "confirmed"), (2, "cancelled")), responses_frame((1, "pre", 3.0)))
    )
    nobody_came = metrics.return_rates(
        of(bookings_frame((1, "no_show")), responses_frame((1, "pre", 3.0)))
    )

    for stage in ("pre", "post", "stage2"):
        assert nobody[stage] == {"invited": 0, "completed": 0, "rate": None}
        assert not_yet_run[stage] == {"invited": 0, "completed": 0, "rate": None}
    assert nobody_came["pre"] == {"invited": 1, "completed": 1, "rate": 100.0}
    assert nobody_came["post"] == {"invited": 0, "completed": 0, "rate": None}


def test_only_the_delegates_own_submitted_answers_count():
    bookings = bookings_frame((1, "attended"), (2, "attended"))
    responses = responses_frame(
        (1, "stage2", 4.0, NAN, "line_manager"),
        (2, "stage2", 4.0, NAN, "delegate", pd.NaT),  # saved, not sent
        (2, "post", 4.0),
    )

    rates = metrics.return_rates(of(bookings, responses))

    assert rates["stage2"] == {"invited": 2, "completed": 0, "rate": 0.0}
    assert rates["post"] == {"invited": 2, "completed": 1, "rate": 50.0}


def test_rates_round_half_up_to_one_decimal():
    assert metrics.percent(1, 16) == 6.3  # 6.25; Python's round() would give 6.2
    assert metrics.percent(2, 3) == 66.7
    assert metrics.percent(0, 7) == 0.0
    assert metrics.percent(3, 0) is None
    assert metrics.round_half_up(0.125, 2) == 0.13


# --- learning gain -------------------------------------------------------------------------------


def worked_example():
    """Seven attendees worked out by hand.

    booking  pre  post  post-pre  (post-pre)/(5-pre)
       1      2    4       2          2/3
       2      3    4       1          1/2
       3      4    4       0          0
       4      5    5       0          at the ceiling: left out
       5      1    3       2          2/4
       6      -    5      only post: in the post mean, not paired
       7      3    -      only pre: in the pre mean, not paired
    """
    bookings = bookings_frame(*((i, "attended") for i in range(1, 8)))
    responses = responses_frame(
        *(
            (i, "pre", pre)
            for i, pre in [(1, 2.0), (2, 3.0), (3, 4.0), (4, 5.0), (5, 1.0), (7, 3.0)]
        ),
        *(
            (i, "post", post)
            for i, post in [(1, 4.0), (2, 4.0), (3, 4.0), (4, 5.0), (5, 3.0), (6, 5.0)]
        ),
    )
    return bookings, responses


def test_published_gain_is_post_mean_minus_pre_mean_over_everyone_who_answered():
    gain = metrics.learning_gain(of(*worked_example()))

    assert (gain["n_pre"], gain["pre_mean"]) == (6, 3.0)  # 18 / 6
    assert (gain["n_post"], gain["post_mean"]) == (6, 4.17)  # 25 / 6 = 4.1667
    assert gain["gain"] == 1.17  # 25/6 - 3 = 1.1667, from the unrounded means


def test_paired_gain_uses_only_bookings_with_both_answers():
    paired = metrics.learning_gain(of(*worked_example()))["paired"]

    assert paired["n"] == 5  # 6 (post only) and 7 (pre only) are out
    assert (paired["mean_pre"], paired["mean_post"]) == (3.0, 4.0)
    assert paired["mean_gain"] == 1.0  # (2 + 1 + 0 + 0 + 2) / 5


def test_a_delegate_at_the_ceiling_is_counted_but_left_out_of_the_individual_normalised_gain():
    paired = metrics.learning_gain(of(*worked_example()))["paired"]

    assert paired["n_at_ceiling"] == 1
    assert paired["n_normalised"] == 4
    # (2/3 + 1/2 + 0 + 2/4) / 4 = 0.41667; with booking 4 it would be 0/0
    assert paired["normalised_gain"] == 0.417


def test_individual_and_class_average_normalised_gains_differ():
    paired = metrics.learning_gain(of(*worked_example()))["paired"]
    # class average over all five paired: (4.0 - 3.0) / (5 - 3.0)
    assert paired["class_normalised_gain"] == 0.5
    assert paired["normalised_gain"] != paired["class_normalised_gain"]

    three = metrics.paired_statistics(np.array([1.0, 4.0, 5.0]), np.array([3.0, 5.0, 4.0]))
    assert three["normalised_gain"] == 0.75  # (2/4 + 1/1) / 2, booking 3 at the ceiling
    # over all three: mean pre 10/3, mean post 12/3: (4 - 10/3) / (5 - 10/3) = 0.4
    # (without the delegate at the ceiling it would be (4 - 2.5) / (5 - 2.5) = 0.6)
    assert three["class_normalised_gain"] == 0.4


def test_confidence_interval_effect_size_and_paired_t_test():
    paired = metrics.learning_gain(of(*worked_example()))["paired"]

    # differences 2, 1, 0, 0, 2: mean 1, squared deviations 1+0+1+1+1 = 4, sd = sqrt(4/4) = 1
    assert paired["sd_gain"] == 1.0
    # t(0.975, 4) = 2.776445; half width = 2.776445 * 1 / sqrt(5) = 1.241664
    assert (paired["ci95_low"], paired["ci95_high"]) == (-0.24, 2.24)
    assert paired["effect_size_dz"] == 1.0  # mean 1 / sd 1
    # t = 1 / (1 / sqrt 5) = 2.2361 on 4 df: two-sided p = 0.0890
    assert paired["t_p"] == pytest.approx(0.0890093, abs=1e-6)


def test_wilcoxon_with_zeros_and_ties_drops_zeros_and_averages_tied_ranks():
    paired = metrics.learning_gain(of(*worked_example()))["paired"]

    # differences 2, 1, 0, 0, 2: zeros dropped; |d| 1 -> rank 1, 2 and 2 -> ranks 2.5 and 2.5.
    # All positive: T+ = 6. Under H0 each sign is +/- with equal chance: the 8 sign patterns
    # give T+ = 0, 1, 2.5, 2.5, 3.5, 3.5, 5, 6, so P(T+ >= 6) = 1/8 and two-sided p = 2/8.
    assert paired["wilcoxon_p"] == pytest.approx(0.25)


def test_wilcoxon_ties_in_a_larger_sample_use_the_tie_corrected_normal_approximation():
    differences = [1.0] * 6 + [2.0] * 4 + [-1.0] * 4
    pre = np.array([2.0] * 14)
    post = pre + np.array(differences)

    paired = metrics.paired_statistics(pre, post)

    # |d|: ten 1s share ranks 1..10 (5.5 each), four 2s share ranks 11..14 (12.5 each).
    # T+ = 6 * 5.5 + 4 * 12.5 = 83; E = 14 * 15 / 4 = 52.5;
    # Var = (14 * 15 * 29 - ((10**3 - 10) + (4**3 - 4)) / 2) / 24 = (6090 - 525) / 24
    z = (83 - 52.5) / math.sqrt((6090 - 525) / 24)
    assert paired["wilcoxon_p"] == pytest.approx(math.erfc(z / math.sqrt(2)))  # 0.04518
    assert paired["wilcoxon_p"] == pytest.approx(0.045181, abs=1e-6)


def test_wilcoxon_drops_zero_differences_before_ranking():
    differences = [1.0] * 8 + [2.0] * 3 + [-1.0] * 3 + [0.0] * 2
    pre = np.array([3.0] * 16)
    post = pre + np.array(differences)

    paired = metrics.paired_statistics(pre, post)

    # the two zeros go; 14 remain. Eleven 1s share ranks 1..11 (6 each), three 2s 12..14 (13).
    # T+ = 8 * 6 + 3 * 13 = 87; E = 52.5; Var = (6090 - ((11**3 - 11) + (3**3 - 3)) / 2) / 24
    z = (87 - 52.5) / math.sqrt((6090 - 672) / 24)
    assert paired["wilcoxon_p"] == pytest.approx(math.erfc(z / math.sqrt(2)))  # 0.02166


def test_all_zero_differences_give_a_zero_gain_and_no_tests_without_raising():
    pre = np.array([3.0, 4.0, 2.0])

    paired = metrics.paired_statistics(pre, pre.copy())

    assert paired["n"] == 3
    assert paired["mean_gain"] == 0.0
    assert (paired["ci95_low"], paired["ci95_high"]) == (None, None)  # a point is no interval
    assert paired["effect_size_dz"] is None
    assert paired["t_p"] is None
    assert paired["wilcoxon_p"] is None


def test_one_pair_has_a_gain_but_no_interval_or_tests_and_none_has_nothing():
    one = metrics.paired_statistics(np.array([2.0]), np.array([4.0]))
    none = metrics.paired_statistics(np.array([]), np.array([]))

    assert (one["n"], one["mean_gain"], one["normalised_gain"]) == (1, 2.0, 0.667)
    for key in ("sd_gain", "ci95_low", "ci95_high", "effect_size_dz", "t_p", "wilcoxon_p"):
        assert one[key] is None, key
    assert none["n"] == 0
    assert all(none[key] is None for key in ("mean_gain", "normalised_gain", "t_p"))


def test_a_delegate_with_only_a_post_response_counts_in_the_post_mean_not_in_paired():
    bookings = bookings_frame((1, "attended"), (2, "attended"))
    responses = responses_frame((1, "pre", 2.0), (1, "post", 4.0), (2, "post", 5.0))

    gain = metrics.learning_gain(of(bookings, responses))

    assert (gain["pre_mean"], gain["post_mean"], gain["gain"]) == (2.0, 4.5, 2.5)
    assert (gain["paired"]["n"], gain["paired"]["mean_gain"]) == (1, 2.0)


def test_answers_without_a_score_are_returned_but_not_averaged():
    bookings = bookings_frame((1, "attended"), (2, "attended"))
    responses = responses_frame((1, "pre", 2.0), (2, "pre", NAN), (1, "post", 3.0))

    gain = metrics.learning_gain(of(bookings, responses))

    assert metrics.return_rates(of(bookings, responses))["pre"]["completed"] == 2
    assert (gain["n_pre"], gain["pre_mean"]) == (1, 2.0)


def test_small_sample_warning_below_ten_pairs():
    few = metrics.learning_gain(of(*worked_example()))
    ten_bookings = bookings_frame(*((i, "attended") for i in range(10)))
    ten = metrics.learning_gain(
        of(
            ten_bookings,
            responses_frame(
                *((i, "pre", 2.0) for i in range(10)), *((i, "post", 3.0) for i in range(10))
            ),
        )
    )

    assert metrics.SMALL_SAMPLE in few["warnings"]
    assert ten["paired"]["n"] == 10
    assert ten["warnings"] == []


def test_low_return_rate_warning_below_half_of_attendees():
    bookings = bookings_frame(*((i, "attended") for i in range(1, 5)))
    quarter = responses_frame((1, "post", 4.0))
    half = responses_frame((1, "post", 4.0), (2, "post", 4.0))

    assert metrics.LOW_RETURN_RATE in metrics.learning_gain(of(bookings, quarter))["warnings"]
    assert metrics.LOW_RETURN_RATE not in metrics.learning_gain(of(bookings, half))["warnings"]


def test_response_shift_sets_the_retrospective_then_mean_beside_the_real_pre_mean():
    bookings = bookings_frame((1, "attended"), (2, "attended"), (3, "attended"))
    responses = responses_frame(
        (1, "pre", 3.0),
        (2, "pre", 4.0),
        (3, "pre", 2.0),
        (1, "post", 4.0, 2.0),
        (2, "post", 5.0, 3.0),
        (3, "post", 4.0),  # no retrospective answer
    )

    shift = metrics.learning_gain(of(bookings, responses))["response_shift"]
    without = metrics.learning_gain(of(bookings, responses.assign(retro_score=NAN)))

    assert shift == {
        "n": 2,
        "then_mean": 2.5,
        "pre_mean": 3.0,  # all three real pre answers
        "paired": {"n": 2, "then_mean": 2.5, "pre_mean": 3.5, "shift": -1.0},
    }
    assert without["response_shift"] is None


# --- attrition and non-response ------------------------------------------------------------------


def test_attrition_funnel_per_course():
    bookings = bookings_frame(
        (1, "attended", 10),
        (2, "partial", 10),
        (3, "no_show", 10),
        (4, "cancelled", 10),
        (5, "confirmed", 10),
        (6, "waitlisted", 10),
        (7, "substituted", 10),
        (8, "expired", 10),
        (9, "attended", 20),
    )
    responses = responses_frame(
        (1, "pre", 3.0),
        (3, "pre", 3.0),
        (1, "post", 4.0),
        (2, "post", 4.0),
        (2, "stage2", 4.0),
        (9, "post", 5.0),
    )

    rows = metrics.evaluation_summary_by(of(bookings, responses), bookings["course_id"])

    assert [{"group": row["group"]} | row["funnel"] for row in rows] == [
        {
            "group": 10,
            "booked": 5,  # attended, partial, no-show, cancelled, confirmed
            "attended": 2,
            "pre_answered": 2,
            "post_answered": 2,
            "stage2_answered": 1,
        },
        {
            "group": 20,
            "booked": 1,
            "attended": 1,
            "pre_answered": 0,
            "post_answered": 1,
            "stage2_answered": 0,
        },
    ]


def test_non_response_bias_compares_pre_means_of_attendees_who_did_and_did_not_return_post():
    bookings = bookings_frame(
        (1, "attended"),
        (2, "attended"),
        (3, "partial"),
        (4, "attended"),
        (5, "no_show"),
        (6, "attended"),
    )
    responses = responses_frame(
        (1, "pre", 2.0),
        (1, "post", 4.0),
        (2, "pre", 4.0),
        (2, "post", NAN),  # returned, even without a score
        (3, "pre", 3.0),
        (4, "pre", 5.0),
        (5, "pre", 1.0),  # did not attend: not asked for a post evaluation
        (6, "post", 4.0),  # no pre answer
    )

    assert metrics.non_response(of(bookings, responses)) == {
        "returned": {"n": 2, "pre_mean": 3.0},
        "not_returned": {"n": 2, "pre_mean": 4.0},
        "difference": -1.0,
    }


# --- groups and suppression ----------------------------------------------------------------------


def test_figures_per_priority_area_use_only_that_areas_bookings_and_put_no_area_last():
    bookings = bookings_frame(
        (1, "attended", 10, 2),
        (2, "attended", 10, 2),
        (3, "attended", 11, 1),
        (4, "no_show", 12, None),
    )
    responses = responses_frame(
        (1, "pre", 2.0),
        (1, "post", 4.0),
        (2, "post", 3.0),
        (3, "pre", 1.0),
        (3, "post", 5.0),
        (4, "pre", 3.0),
    )

    rows = metrics.evaluation_summary_by(of(bookings, responses), bookings["priority_area_id"])

    assert [row["group"] for row in rows] == [1, 2, None]
    assert [row["bookings"] for row in rows] == [1, 2, 1]
    area_1, area_2, no_area = rows
    assert (area_1["learning_gain"]["gain"], area_1["learning_gain"]["paired"]["n"]) == (4.0, 1)
    assert area_2["evaluations"]["post"] == {"invited": 2, "completed": 2, "rate": 100.0}
    assert (area_2["learning_gain"]["post_mean"], area_2["learning_gain"]["gain"]) == (3.5, 1.5)
    assert no_area["evaluations"]["pre"] == {"invited": 1, "completed": 1, "rate": 100.0}
    assert no_area["evaluations"]["post"]["rate"] is None


def test_suppress_small_groups_blanks_groups_below_the_minimum():
    rows = [
        {"group": "Neglect", "n": 4, "gain": 0.8},
        {"group": "Exploitation", "n": 5, "gain": 1.1},
        {"group": "Think Family", "n": None, "gain": 0.2},
    ]

    shown = metrics.suppress_small_groups(rows, 5)

    assert shown == [
        {"group": "Neglect", "n": None, "gain": None, "suppressed": True},
        {"group": "Exploitation", "n": 5, "gain": 1.1, "suppressed": False},
        {"group": "Think Family", "n": None, "gain": None, "suppressed": True},
    ]
    assert rows[0]["gain"] == 0.8  # the input is left alone


def test_suppress_small_groups_reads_the_minimum_from_settings_and_a_nested_size(settings):
    rows = [
        {"group": 1, "learning_gain": {"paired": {"n": 3}}},
        {"group": 2, "learning_gain": {"paired": {"n": 2}}},
    ]

    settings.REPORT_MIN_GROUP_SIZE = 3
    configured = metrics.suppress_small_groups(rows, size="learning_gain.paired.n")
    del settings.REPORT_MIN_GROUP_SIZE
    default = metrics.suppress_small_groups(rows, size="learning_gain.paired.n")

    assert [row["suppressed"] for row in configured] == [False, True]
    assert configured[1] == {"group": 2, "learning_gain": None, "suppressed": True}
    assert [row["suppressed"] for row in default] == [True, True]  # default minimum 5


def test_results_are_plain_python_for_json():
    import json

    summary = metrics.evaluation_summary(of(*worked_example()))
    bookings, responses = worked_example()
    rows = metrics.evaluation_summary_by(of(bookings, responses), bookings["organisation_id"])

    assert json.loads(json.dumps(summary))["learning_gain"]["paired"]["n"] == 5
    assert json.loads(json.dumps(rows))[0]["group"] is None
    assert not any(isinstance(v, np.generic) for v in summary["learning_gain"]["paired"].values())
