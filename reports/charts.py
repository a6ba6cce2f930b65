"""Charts for the report: matplotlib Figure objects (never pyplot), rendered server-side, cached.

Legible where they are shown (issue 17): drawn 3.75 inches (360 CSS px) wide with 12 pt (16 px)
text, and shown no wider than that (reports.css), so the text is 16 px on a desktop and in print
and stays at least 12 px on a 320 px phone (the image then 288 px wide: 12.8 px). Each chart is on
its own row above its table, never squeezed beside it. Value axes are labelled (the unit, or what
is counted), category axes name their column, 1-5 scores start at 1, and long labels wrap onto
more lines instead of being cut.

Cache key: a SHA-256 of everything drawn (chart kind, title, labels, values, format). The key
changes exactly when the plotted data changes, and costs no query: the figures are computed for
the table beside the chart anyway, and drawing - not computing - is the slow part. A key built
from "max(updated_at)" markers would need a column the bookings do not have (status changes leave
no timestamp on the row) and would miss organiser edits; hashing the data cannot go stale.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import math
import textwrap

import matplotlib

matplotlib.use("Agg")
from django.core.cache import cache  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from reports.tables import Table  # noqa: E402

CACHE_SECONDS = 60 * 60 * 24
CACHE_PREFIX = "reports:chart:v2:"  # v2: the legible style (a new style draws afresh)
WIDTH_INCHES = 3.75  # 360 CSS px: reports.css shows the image at most this wide
FONT_SIZE = 12  # points: 16 CSS px at full size, 12.8 px at 288 px wide (a 320 px phone)
WRAP = 20  # characters per line of a label (never cut)
COLOURS = ["#1d70b8", "#f47738", "#00703c", "#912b88", "#505a5f"]  # GOV.UK palette
RC = {
    "svg.hashsalt": "learning-loop",  # stable ids: identical data gives identical bytes
    "svg.fonttype": "none",  # text stays text (smaller, selectable)
    "font.family": "sans-serif",
    "font.sans-serif": ["Arial", "Liberation Sans", "DejaVu Sans"],
    "font.size": FONT_SIZE,
}


def _series(table: Table) -> tuple[list[str], dict[str, list[float]]]:
    chart = table.chart
    rows = table.rows[: chart.limit] if chart.limit else table.rows
    headings = dict(table.columns)
    labels = [str(row.get(chart.label_column) or "") for row in rows]
    # A value not shown (None: no data, or hidden as a small group) is drawn as a gap, not as 0.
    series = {
        headings.get(key, key): [
            math.nan if row.get(key) is None else float(row.get(key)) for row in rows
        ]
        for key in chart.value_columns
    }
    return labels, series


def _wrap(label: str, width: int = WRAP) -> str:
    """The whole label, on as many lines as it needs (a word longer than a line is broken)."""
    return "\n".join(textwrap.wrap(label, width, break_on_hyphens=False)) or label


def _draw(
    kind: str,
    title: str,
    labels: list[str],
    series: dict,
    unit: str,
    *,
    axis: str = "",
    category: str = "",
    scale: tuple[float, float] | None = None,
) -> Figure:
    # Horizontal bars have the width of a label; columns share the width between them.
    width = WRAP if kind == "barh" or len(labels) > 4 else max(8, 36 // max(len(labels), 1))
    short = [_wrap(label, width) for label in labels]
    lines = sum(label.count("\n") + 1 for label in short)
    if kind == "barh":
        rows = max(len(labels) * max(len(series), 1) * 0.28, lines * 0.2)
        height = max(3.0, rows + 1.6 + 0.25 * len(series))
    else:
        tallest = max((label.count("\n") + 1 for label in short), default=1)
        height = 3.6 + 0.2 * tallest
    fig = Figure(figsize=(WIDTH_INCHES, min(height, 24)), layout="constrained")
    ax = fig.add_subplot()
    value_label = axis or ("Per cent" if unit == "%" else unit)
    width = 0.8 / max(len(series), 1)
    positions = list(range(len(labels)))
    for i, (name, values) in enumerate(series.items()):
        colour = COLOURS[i % len(COLOURS)]
        offset = [p - 0.4 + width * (i + 0.5) for p in positions]
        if kind == "barh":
            ax.barh(offset, values, height=width, label=name, color=colour)
        elif kind == "bar":
            ax.bar(offset, values, width=width, label=name, color=colour)
        else:
            ax.plot(positions, values, marker="o", label=name, color=colour)
    if kind == "barh":
        ax.set_yticks(positions, short)
        ax.invert_yaxis()
        ax.set_xlabel(value_label)
        ax.set_ylabel(category)
        ax.grid(axis="x", color="#b1b4b6", linewidth=0.5)
    else:
        crowded = len(labels) > 4
        ax.set_xticks(
            positions, short, rotation=30 if crowded else 0, ha="right" if crowded else "center"
        )
        ax.set_ylabel(value_label)
        ax.set_xlabel(category)
        ax.grid(axis="y", color="#b1b4b6", linewidth=0.5)
    ax.set_axisbelow(True)
    ax.spines[["top", "right"]].set_visible(False)
    # The title over the whole width (an axes title starts after the labels and was cut off).
    fig.suptitle("\n".join(textwrap.wrap(title, 30)), x=0.02, ha="left", fontsize=FONT_SIZE + 1)
    low, high = scale if scale else (0, None)
    if kind == "barh":
        ax.set_xlim(left=low, right=high)
    else:
        ax.set_ylim(bottom=low, top=high)
    if len(series) > 1:
        # Below the plot, not beside it: the chart is narrow.
        fig.legend(frameon=False, loc="outside lower left", ncols=1)
    return fig


def _render(fig: Figure, fmt: str) -> bytes:
    buf = io.BytesIO()
    with matplotlib.rc_context(RC):
        metadata = {"Date": None} if fmt == "svg" else None
        fig.savefig(buf, format=fmt, metadata=metadata, dpi=150 if fmt == "png" else None)
    return buf.getvalue()


def _category(table: Table) -> str:
    """The category axis's label: the heading of the column the chart's labels come from."""
    return dict(table.columns).get(table.chart.label_column, "")


def chart_key(table: Table, fmt: str) -> str:
    labels, series = _series(table)
    payload = json.dumps(
        [
            fmt,
            table.chart.kind,
            table.chart.title,
            table.chart.unit,
            table.chart.axis,
            table.chart.scale,
            _category(table),
            labels,
            series,
        ],
        sort_keys=True,
    )
    return CACHE_PREFIX + hashlib.sha256(payload.encode()).hexdigest()


def chart_image(table: Table, fmt: str = "svg") -> bytes | None:
    """The table's chart as SVG or PNG bytes (cached by the data drawn); None without a chart."""
    if table.chart is None or not table.rows:
        return None
    key = chart_key(table, fmt)
    image = cache.get(key)
    if image is None:
        labels, series = _series(table)
        with matplotlib.rc_context(RC):
            fig = _draw(
                table.chart.kind,
                table.chart.title,
                labels,
                series,
                table.chart.unit,
                axis=table.chart.axis,
                category=_category(table),
                scale=table.chart.scale,
            )
        image = _render(fig, fmt)
        cache.set(key, image, CACHE_SECONDS)
    return image


def chart_data_uri(table: Table) -> str | None:
    """The SVG as a data: URI for an <img>. Inline SVG would break under the site's
    Content-Security-Policy (matplotlib writes style attributes; style-src is 'self' only),
    while an image document keeps its own styles. The alt text is chart_text_alternative()."""
    image = chart_image(table, "svg")
    if image is None:
        return None
    return "data:image/svg+xml;base64," + base64.b64encode(image).decode("ascii")


def _number(value: float, unit: str) -> str:
    if math.isnan(value):
        return "not shown"
    text = f"{value:g}"
    return f"{text}{unit}" if unit else text


def chart_text_alternative(table: Table) -> str:
    """A sentence saying what the chart shows, with every value drawn."""
    if table.chart is None or not table.rows:
        return ""
    labels, series = _series(table)
    kind = {"bar": "Bar chart", "barh": "Bar chart", "line": "Line chart"}[table.chart.kind]
    parts = []
    for name, values in series.items():
        pairs = ", ".join(
            f"{label} {_number(value, table.chart.unit)}"
            for label, value in zip(labels, values, strict=True)
        )
        parts.append(f"{name}: {pairs}.")
    return f"{kind}: {table.chart.title}. " + " ".join(parts)
