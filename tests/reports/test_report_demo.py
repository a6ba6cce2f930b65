"""`load_demo` data through `training_report --format json` gives the 2022/23 annual report."""

import io
import json

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_the_demo_year_reproduces_the_2022_23_figures():
    call_command("load_demo", stdout=io.StringIO())
    out = io.StringIO()
    call_command(
        "training_report", "--start", "2022-04-01", "--end", "2023-03-31", "--format", "json",
        stdout=out,
    )  # fmt: skip
    report = json.loads(out.getvalue())
    assert report["events"]["delivered"] == 68
    places = report["places"]
    assert (places["offered"], places["used"], places["attended"]) == (2068, 1106, 849)
    assert (places["did_not_attend"], places["cancelled"]) == (257, 344)
    assert report["organisations"]["attended"] == 48
    rates = report["evaluations"]
    assert (rates["pre"]["rate"], rates["post"]["rate"], rates["stage2"]["rate"]) == (
        77.7, 59.4, 12.5,
    )  # fmt: skip
    gain = report["learning_gain"]
    assert (gain["pre_mean"], gain["post_mean"], gain["gain"]) == (3.01, 4.30, 1.29)
    assert report["events"]["half_day_or_less_percent"] == pytest.approx(70.6)
    low = [row["priority"] for row in report["by_priority"] if row["low_uptake"]]
    assert low == ["Exploitation"]
