"""Charts for the report: matplotlib Figure objects (never pyplot), rendered server-side, cached.

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

import matplotlib

matplotlib.use("Agg")
from django.core.cache import cache  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from reports.tables import Table  # noqa: E402

CACHE_SECONDS = 60 * 60 * 24
CACHE_PREFIX = "reports:chart:v1:"
COLOURS = ["#1d70b8", "#f47738", "#00703c", "#912b88", "#505a5f"]  # GOV.UK palette
RC = {
    "svg.hashsalt": "learning-loop",  # stable ids: identical data gives identical bytes
    "svg.fonttype": "none",  # text stays text (smaller, selectable)
    "font.family": "sans-serif",
    "font.sans-serif": ["Arial", "Liberation Sans", "DejaVu Sans"],
    "font.size": 10,
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


def _wrap(label: str, width: int = 28) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"


def _draw(kind: str, title: str, labels: list[str], series: dict, unit: str) -> Figure:
    n = max(len(labels), 1)
    height = max(2.6, 0.32 * n * max(len(series), 1) + 1.2) if kind == "barh" else 3.6
    fig = Figure(figsize=(7.0, min(height, 14)), layout="constrained")
    ax = fig.add_subplot()
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
    short = [_wrap(label) for label in labels]
    if kind == "barh":
        ax.set_yticks(positions, short)
        ax.invert_yaxis()
        ax.set_xlabel(unit and f"Per cent ({unit})")
        ax.grid(axis="x", color="#b1b4b6", linewidth=0.5)
    else:
        crowded = len(labels) > 4
        ax.set_xticks(
            positions, short, rotation=20 if crowded else 0, ha="right" if crowded else "center"
        )
        ax.set_ylabel(unit and f"Per cent ({unit})")
        ax.grid(axis="y", color="#b1b4b6", linewidth=0.5)
    ax.set_axisbelow(True)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(title, loc="left", fontsize=11)
    if kind == "barh":
        ax.set_xlim(left=0)
    else:
        ax.set_ylim(bottom=0)
    if len(series) > 1:
        ax.legend(frameon=False, fontsize=9, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return fig


def _render(fig: Figure, fmt: str) -> bytes:
    buf = io.BytesIO()
    with matplotlib.rc_context(RC):
        metadata = {"Date": None} if fmt == "svg" else None
        fig.savefig(buf, format=fmt, metadata=metadata, dpi=150 if fmt == "png" else None)
    return buf.getvalue()


def chart_key(table: Table, fmt: str) -> str:
    labels, series = _series(table)
    payload = json.dumps(
        [fmt, table.chart.kind, table.chart.title, table.chart.unit, labels, series],
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
            fig = _draw(table.chart.kind, table.chart.title, labels, series, table.chart.unit)
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
