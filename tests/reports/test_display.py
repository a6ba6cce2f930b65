from reports.tables import learning_gain_rows, show


def test_p_values_below_a_thousandth_are_shown_as_such():
    assert show(7.4e-217, "p") == "< 0.001"
    assert show(0.0421, "p") == "0.042"


def test_means_show_two_decimals_even_when_round():
    assert show(4.3, 2) == "4.30"


def test_learning_gain_rows_carry_their_display_places():
    report = {
        "learning_gain": {
            "pre_mean": 3.01,
            "post_mean": 4.3,
            "gain": 1.29,
            "n_pre": 10,
            "n_post": 9,
            "paired": {
                "mean_pre": 3.0,
                "mean_post": 4.3,
                "mean_gain": 1.3,
                "n": 9,
                "ci95_low": 1.1,
                "ci95_high": 1.5,
                "effect_size_dz": 2.7,
                "t_p": 1e-9,
                "wilcoxon_p": 0.002,
                "normalised_gain": 0.68,
                "n_normalised": 9,
                "class_normalised_gain": 0.65,
                "n_at_ceiling": 0,
            },
        },
        "non_response": {
            "returned": {"pre_mean": 3.0, "n": 9},
            "not_returned": {"pre_mean": 2.9, "n": 1},
        },
    }
    shown = {
        r["measure"]: show(r["value"], r["_decimals"]["value"]) for r in learning_gain_rows(report)
    }
    assert shown["Post-course average (all counted post answers)"] == "4.30"
    assert shown["Paired t-test p-value"] == "< 0.001"
    assert shown["Wilcoxon signed-rank p-value"] == "0.002"
    assert shown["Normalised gain on the means (Hake's g)"] == "0.650"
    assert shown["Normalised gain, mean per delegate (Hake's <g>, unbounded below)"] == "0.680"


def test_annual_sentences_agree_in_number():
    from datetime import date

    from reports.annual import training_sentences

    report = {
        "events": {
            "delivered": 1,
            "cancelled": 0,
            "half_day_or_less_percent": 100.0,
            "full_day_percent": 0.0,
        },
        "places": {"offered": 1, "used": 1, "attended": 1, "cancelled": 1, "did_not_attend": 0},
        "organisations": {"attended": 1},
        "reasons": {"cancellation": [], "did_not_attend": []},
    }
    text = " ".join(training_sentences(report, date(2022, 4, 1), date(2023, 3, 31)))
    assert "1 training event (both adults and children courses) was delivered" in text
    assert "a total of 1 place, of which 1 was used" in text
    assert "1 delegate attended" in text and "1 delegate cancelled" in text
