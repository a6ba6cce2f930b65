"""Place rates (issue 13, item 8): for one organisation a fill rate (its places over the whole
programme's) means nothing; every group gets places booked and the used, attended, did-not-attend
and late-cancellation rates, each a percent of places booked (used + cancelled beforehand).

tests/reports/dataset.py, worked by hand:
- everyone: used 8 (attended 5, did not attend 3), cancelled beforehand 2 (1 late): booked 10.
- West Midlands Police: used 3 (b3 partial, b10 attended, b14 no-show), cancelled 1 (b5, late):
  booked 4.
- Neglect (E1, E2): used 6, attended 4, did not attend 2, cancelled 2 (1 late): booked 8.
- Exploitation (E3): used 2, attended 1, did not attend 1: booked 2.
"""

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from people import roles
from tests.factories import UserFactory

PERIOD = {"start": "2022-04-01", "end": "2023-03-31"}
RATES = ("used_rate", "attended_rate", "did_not_attend_rate", "cancelled_late_rate")


def table(client, slug, **params):
    response = client.get(reverse("reports:uptake_csv", args=[slug]), PERIOD | params)
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def by_first_column(rows):
    headings = rows[0]
    return {row[0]: dict(zip(headings, row, strict=True)) for row in rows[1:]}


@pytest.fixture
def report(data):
    out = io.StringIO()
    call_command(
        "training_report", "--start", "2022-04-01", "--end", "2023-03-31", "--format", "json",
        stdout=out,
    )  # fmt: skip
    return json.loads(out.getvalue())


def rates(row):
    return [row["booked"], *(row[k] for k in RATES)]


def test_the_json_gives_rates_for_the_headline_priority_areas_courses_and_organisations(report):
    assert rates(report["places"]) == [10, 80.0, 50.0, 30.0, 10.0]
    # The old keys are still there, with the old values.
    assert report["places"]["fill_rate"] == 20.0
    areas = {r["priority"]: r for r in report["by_priority"]}
    assert rates(areas["Neglect"]) == [8, 75.0, 50.0, 25.0, 12.5]
    assert rates(areas["Exploitation"]) == [2, 100.0, 50.0, 50.0, 0.0]
    courses = {r["course"]: r for r in report["by_course"]}
    assert rates(courses["Neglect Basics"]) == [8, 75.0, 50.0, 25.0, 12.5]
    organisations = {r["organisation"]: r for r in report["by_organisation"]}
    assert rates(organisations["West Midlands Police"]) == [4, 75.0, 50.0, 25.0, 25.0]
    assert sum(q["booked"] for q in report["quarters"]) == 10


def test_the_lead_gets_the_rates_in_the_tables_and_downloads(data, client, lead):
    client.force_login(lead)
    areas = by_first_column(table(client, "by_priority"))
    assert areas["Neglect"]["Attended (% of booked)"] == "50.0"
    assert areas["Neglect"]["Late cancellations (% of booked)"] == "12.5"
    assert areas["Neglect"]["Fill rate (%)"] == "30.0"  # the lead keeps the fill rate
    organisations = by_first_column(table(client, "by_organisation"))
    assert organisations["West Midlands Police"]["Did not attend (% of booked)"] == "25.0"
    courses = by_first_column(table(client, "by_course"))
    assert courses["Neglect Basics"]["Used (% of booked)"] == "75.0"


def test_a_manager_sees_their_organisations_rates_not_a_fill_rate_of_the_whole_programme(
    data, client
):
    client.force_login(UserFactory(organisation=data.police, roles=[roles.ORG_MANAGER]))
    summary = {row[0]: row[1] for row in table(client, "summary")}
    assert summary["Places booked (used + cancelled beforehand)"] == "4"
    assert summary["Places used (% of places booked)"] == "75.0"
    assert summary["Attended (% of places booked)"] == "50.0"
    assert summary["Did not attend (% of places booked)"] == "25.0"
    assert summary["Late cancellations (% of places booked)"] == "25.0"
    # 3 used of the programme's 40 places (7.5%) said nothing about the organisation.
    assert not [measure for measure in summary if measure.startswith(("Fill rate", "Places off"))]
    for slug in ("by_priority", "by_course", "quarters"):
        assert "Fill rate (%)" not in table(client, slug)[0], slug
    assert "Fill rate" not in {row[0] for row in table(client, "comparison")}
    page = client.get(reverse("reports:uptake"), PERIOD).content.decode()
    assert "Fill rate" not in page
    assert "Attended (% of booked)" in page
