"""The report written out: JSON (the command's contract), CSV and text.

The workbook is reports.workbook, the annual section's .docx reports.document. CSV cells that
start with = + - @ (full-width too, or a tab or line break) are prefixed with an apostrophe
(core.text.spreadsheet_cell), so a course title or organisation name typed as "=HYPERLINK(...)"
is shown as text, never run as a formula. Numbers are written as numbers. Every text written
goes through core.text.clean_text, so a control character stored before it was cleaned on the
way in cannot break a file.
"""

from __future__ import annotations

import csv
import io
import json
import math
import textwrap
from typing import Any

from core.text import FORMULA_STARTS, clean_text, spreadsheet_cell
from reports.tables import Table

__all__ = ["FORMULA_STARTS", "escape_cell"]

# The command's contract (issue 5): these keys come first and always exist.
CONTRACT_KEYS = (
    "period",
    "events",
    "places",
    "organisations",
    "evaluations",
    "learning_gain",
    "by_priority",
)


def escape_cell(value: Any) -> Any:
    """Text cleaned; text that a spreadsheet would run as a formula gets a leading apostrophe."""
    return spreadsheet_cell(value)


def _plain(value: Any) -> Any:
    """JSON-safe: NaN and infinities become null; numpy scalars become Python numbers."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def report_json(report: dict) -> dict:
    """The report as the JSON contract: the contract keys first, then the rest."""
    data = {key: report[key] for key in CONTRACT_KEYS}
    data["by_priority"] = [
        {
            "priority": row["priority"],
            "events": row["events"],
            "offered": row["offered"],
            "used": row["used"],
            "attended": row["attended"],
            "elearning_completed": row["elearning_completed"],
        }
        | row
        for row in report["by_priority"]
    ]
    skip = {"filter_labels", "shared"}
    data.update({k: v for k, v in report.items() if k not in data and k not in skip})
    return _plain(data)


def report_json_text(report: dict) -> str:
    return json.dumps(report_json(report), indent=2, ensure_ascii=False, allow_nan=False)


def _flatten(prefix: str, value: Any, out: list[tuple[str, Any]]) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _flatten(f"{prefix}.{key}" if prefix else str(key), inner, out)
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            label = None
            if isinstance(inner, dict):
                label = inner.get("priority") or inner.get("course")
            _flatten(f"{prefix}.{label or i}", inner, out)
    else:
        out.append((prefix, value))


# Excel on Windows reads a CSV file as UTF-8 only when it starts with a byte order mark
# (otherwise "Q1 Apr–Jun" and "£" come out garbled); CSV's own line ending is CRLF (RFC 4180).
BOM = "\ufeff"
CSV_LINE_END = "\r\n"


def report_csv_text(report: dict) -> str:
    """The headline figures and the priority areas as `key,value` rows (dotted keys), starting
    with a byte order mark, lines ending CRLF."""
    data = report_json(report)
    rows: list[tuple[str, Any]] = []
    for key in CONTRACT_KEYS:
        _flatten(key, data[key], rows)
    buf = io.StringIO(BOM)
    buf.seek(len(BOM))
    writer = csv.writer(buf, lineterminator=CSV_LINE_END)
    writer.writerow(["key", "value"])
    for key, value in rows:
        writer.writerow([escape_cell(key), "" if value is None else escape_cell(value)])
    return buf.getvalue()


TEXT_COLUMN_WIDTH = 48  # characters; longer cells wrap onto more lines, never cut


def _wrapped(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False) or [""]


def report_text(report: dict, tables: list[Table]) -> str:
    """A readable plain-text report: every table, aligned; long cells wrap at whole words."""
    lines = [f"Training report {report['period']['start']} to {report['period']['end']}"]
    for label, value in report.get("filter_labels", {}).items():
        lines.append(f"  {label}: {value}")
    for table in tables:
        lines += ["", table.title, "=" * len(table.title)]
        cells = [table.headings] + [[text for text, _ in row] for row in table.display()]
        wrapped = [[_wrapped(clean_text(c), TEXT_COLUMN_WIDTH) for c in row] for row in cells]
        widths = [
            max(len(line) for row in wrapped for line in row[i]) for i in range(len(table.columns))
        ]
        for n, row in enumerate(wrapped):
            for k in range(max(len(cell) for cell in row)):
                parts = (
                    (cell[k] if k < len(cell) else "").ljust(w)
                    for cell, w in zip(row, widths, strict=True)
                )
                lines.append("  ".join(parts).rstrip())
            if n == 0:
                lines.append("  ".join("-" * w for w in widths))
        if table.description:
            lines.append(table.description)
    return "\n".join(lines) + "\n"


def table_csv(table: Table) -> str:
    """One table as CSV: a byte order mark, headings, then rows; formula-like text escaped."""
    buf = io.StringIO(BOM)
    buf.seek(len(BOM))
    writer = csv.writer(buf, lineterminator=CSV_LINE_END)
    writer.writerow([escape_cell(h) for h in table.headings])
    for row in table.values():
        writer.writerow(["" if v is None else escape_cell(v) for v in row])
    return buf.getvalue()
