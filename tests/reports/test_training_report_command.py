"""`manage.py training_report`: the JSON contract, CSV and text, and clear errors for bad input."""

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.reports.dataset import EXPECTED

ROOT = Path(__file__).resolve().parents[2]


def run(*args) -> str:
    out = io.StringIO()
    call_command("training_report", *args, stdout=out)
    return out.getvalue()


def period_json():
    return json.loads(run("--start", "2022-04-01", "--end", "2023-03-31", "--format", "json"))


def test_json_has_the_contract_keys_with_numbers_as_numbers(data):
    report = period_json()
    assert report["period"] == {"start": "2022-04-01", "end": "2023-03-31"}
    for section in ("events", "places", "organisations"):
        for key, value in EXPECTED[section].items():
            assert report[section][key] == value
            assert type(report[section][key]) is int
    for stage in ("pre", "post", "stage2"):
        figures = report["evaluations"][stage]
        assert set(figures) >= {"invited", "completed", "rate"}
        assert type(figures["invited"]) is int and type(figures["completed"]) is int
        assert type(figures["rate"]) is float
    assert report["evaluations"] == EXPECTED["evaluations"]
    gain = report["learning_gain"]
    for key in ("pre_mean", "post_mean", "gain"):
        assert type(gain[key]) is float
        assert gain[key] == EXPECTED["learning_gain"][key]
    assert type(gain["paired"]["n"]) is int
    assert {k: gain["paired"][k] for k in ("n", "mean_gain", "normalised_gain")} == EXPECTED[
        "paired"
    ]
    assert [row["priority"] for row in report["by_priority"]] == ["Exploitation", "Neglect"]
    for row in report["by_priority"]:
        assert list(row)[:6] == [
            "priority", "events", "offered", "used", "attended", "elearning_completed"
        ]  # fmt: skip
        assert all(type(row[k]) is int for k in list(row)[1:6])
    neglect = report["by_priority"][1]
    assert (neglect["events"], neglect["offered"], neglect["used"], neglect["attended"]) == (
        2, 20, 6, 4,
    )  # fmt: skip
    assert neglect["elearning_completed"] == 1


def test_json_rounds_rates_to_one_decimal_and_normalised_gain_to_three(data):
    text = run("--start", "2022-04-01", "--end", "2023-03-31", "--format", "json")
    report = json.loads(text)
    assert report["places"]["fill_rate"] == 20.0
    assert report["learning_gain"]["paired"]["mean_gain"] == 1.33
    assert '"normalised_gain": 0.556' in text


def test_csv_lists_the_figures_as_key_value_rows(data):
    rows = dict(
        csv.reader(
            io.StringIO(run("--start", "2022-04-01", "--end", "2023-03-31", "--format", "csv"))
        )
    )
    assert rows["places.offered"] == "40"
    assert rows["evaluations.post.rate"] == "80.0"
    assert rows["by_priority.Neglect.used"] == "6"


def test_text_is_readable(data):
    text = run("--start", "2022-04-01", "--end", "2023-03-31", "--format", "text")
    assert "Training report 2022-04-01 to 2023-03-31" in text
    assert "Places offered" in text and " 40" in text
    assert "Uptake by priority area" in text


@pytest.mark.parametrize(
    "args, message",
    [
        (["--start", "2022-04-31", "--end", "2023-03-31"], "--start must be a date"),
        (["--start", "2022-04-01", "--end", "31/03/2023"], "--end must be a date"),
        (["--start", "2023-04-01", "--end", "2023-03-31"], "is before the start date"),
    ],
)
def test_bad_dates_are_a_command_error(db, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_bad_input_exits_non_zero_without_a_traceback():
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "training_report",
            "--start",
            "2023-04-01",
            "--end",
            "2023-03-31",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "is before the start date" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unknown_format_is_refused(db):
    with pytest.raises(CommandError):
        run("--start", "2022-04-01", "--end", "2023-03-31", "--format", "pdf")
