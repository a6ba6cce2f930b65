"""t, df and W stand beside the p-values, and each normalised figure is labelled, on the page
and in the exports (issue 13, item 7)."""

import csv
import io
from datetime import date

from django.urls import reverse

from reports.report import report_build
from reports.tables import HAKE_G, MEAN_C, MEAN_G, show
from tests.reports.test_report_pages import PERIOD

LABELS = [
    "Paired t-test: t",
    "Paired t-test: degrees of freedom",
    "Paired t-test p-value",
    "Wilcoxon signed-rank: W (smaller rank sum)",
    "Wilcoxon signed-rank p-value",
    HAKE_G,
    MEAN_C,
    MEAN_G,
]


def test_the_learning_gain_csv_and_page_show_t_df_w_and_the_normalised_figures(data, client, lead):
    paired = report_build(start=date(2022, 4, 1), end=date(2023, 3, 31))["learning_gain"]["paired"]
    client.force_login(lead)

    response = client.get(reverse("reports:uptake_csv", args=["learning_gain"]), PERIOD)
    rows = {row[0]: row[1] for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig")))}
    html = client.get(reverse("reports:uptake"), PERIOD).content.decode()

    assert paired["df"] == paired["n"] - 1 and paired["t"] is not None
    assert float(rows["Paired t-test: t"]) == paired["t"]
    assert int(rows["Paired t-test: degrees of freedom"]) == paired["df"]
    assert float(rows["Wilcoxon signed-rank: W (smaller rank sum)"]) == paired["wilcoxon_w"]
    assert float(rows[HAKE_G]) == paired["class_normalised_gain"]
    assert float(rows[MEAN_C]) == paired["normalised_change"]
    for label in LABELS:
        assert label.replace("'", "&#x27;").replace("<", "&lt;").replace(">", "&gt;") in html
    assert show(paired["t"], 2) in html
