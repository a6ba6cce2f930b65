"""Charts: drawn with Figure (no pyplot), byte-stable SVG, cached by the data they draw."""

import sys

from django.core.cache import cache

from reports.charts import chart_image, chart_key, chart_text_alternative
from reports.tables import Chart, Table


def table(values):
    return Table(
        "t",
        "Test",
        [("area", "Priority area"), ("used", "Used")],
        [{"area": name, "used": value} for name, value in values],
        chart=Chart("barh", "area", ["used"], "Places used"),
    )


def test_svg_is_byte_stable_and_pyplot_is_never_imported(db):
    cache.clear()
    first = chart_image(table([("Neglect", 6)]), "svg")
    cache.clear()
    second = chart_image(table([("Neglect", 6)]), "svg")
    assert first == second
    assert first.lstrip().startswith(b"<?xml") and b"<svg" in first
    assert "matplotlib.pyplot" not in sys.modules


def test_the_cache_key_changes_when_the_data_changes_and_is_used(db):
    cache.clear()
    before, after = table([("Neglect", 6)]), table([("Neglect", 7)])
    assert chart_key(before, "svg") != chart_key(after, "svg")
    assert chart_key(before, "svg") != chart_key(before, "png")
    image = chart_image(before, "svg")
    assert cache.get(chart_key(before, "svg")) == image
    cache.set(chart_key(before, "svg"), b"<svg>cached</svg>")
    assert chart_image(before, "svg") == b"<svg>cached</svg>"


def test_the_text_alternative_names_every_value(db):
    text = chart_text_alternative(table([("Neglect", 6), ("Exploitation", 2)]))
    assert text == "Bar chart: Places used. Used: Neglect 6, Exploitation 2."


def test_no_rows_no_chart(db):
    assert chart_image(table([])) is None
    assert chart_text_alternative(table([])) == ""


def test_a_value_not_shown_is_a_gap_and_said_so_not_drawn_as_zero(db):
    """A small group's hidden figure (None) must not read as 0 in the chart or its text."""
    chart = table([("Neglect", 4), ("Exploitation", None)])
    text = chart_text_alternative(chart)
    assert "Exploitation not shown" in text
    assert "Exploitation 0" not in text
    assert chart_image(chart, "svg")
