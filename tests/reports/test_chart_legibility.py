"""Charts legible as shown (issue 17): text size, axes labelled, 1-5 scales from 1, whole names."""

import re

from django.core.cache import cache

from reports import charts
from reports.charts import FONT_SIZE, WIDTH_INCHES, _draw, chart_image
from reports.tables import Chart, Table

LONG = "Exploitation: recognising and responding to criminal exploitation"


def test_drawn_narrow_with_large_text_so_320_px_still_reads_12_px():
    # Shown at most at the drawn width (reports.css), and 288 px wide on a 320 px phone.
    drawn_px = WIDTH_INCHES * 96
    assert FONT_SIZE * 4 / 3 >= 16
    assert FONT_SIZE * 4 / 3 * 288 / drawn_px >= 12
    css = charts.__file__.rsplit("/", 1)[0] + "/static/reports/reports.css"
    assert f"max-width: {drawn_px:g}px" in open(css).read()


def test_long_course_names_wrap_whole_and_are_never_cut(db):
    cache.clear()
    table = Table(
        "by_course",
        "Uptake by course",
        [("course", "Course"), ("fill_rate", "Fill rate (%)")],
        [{"course": LONG, "fill_rate": 75.0}, {"course": "Neglect", "fill_rate": 50.0}],
        chart=Chart("barh", "course", ["fill_rate"], "Fill rate by course", unit="%"),
    )
    svg = chart_image(table, "svg").decode()
    assert "…" not in svg
    texts = " ".join(re.findall(r"<text[^>]*>([^<]*)</text>", svg))
    for word in LONG.split():
        assert word in texts, word
    assert "Per cent" in texts  # the value axis
    assert "Course" in texts  # the category axis


def test_a_1_to_5_scale_starts_at_1_and_a_count_at_0():
    fig = _draw("bar", "Pre and post", ["Neglect"], {"Pre": [3.0], "Post": [4.0]}, "",
                axis="Average score (1 to 5)", scale=(1, 5))  # fmt: skip
    ax = fig.axes[0]
    assert ax.get_ylim() == (1, 5)
    assert ax.get_ylabel() == "Average score (1 to 5)"
    counts = _draw("barh", "Bookings", ["Booked"], {"Count": [12.0]}, "", axis="Bookings")
    assert counts.axes[0].get_xlim()[0] == 0
    assert counts.axes[0].get_xlabel() == "Bookings"


def test_every_report_chart_labels_its_value_axis(data):
    from datetime import date

    from reports.report import report_build
    from reports.tables import report_tables

    report = report_build(start=date(2022, 4, 1), end=date(2023, 3, 31))
    for table in report_tables(report):
        if table.chart is not None:
            assert table.chart.axis or table.chart.unit == "%", table.slug
