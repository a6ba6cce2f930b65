"""The report as an .xlsx workbook: one sheet per table, ready to print and to read.

- Numbers stay numbers, each with a number format: 0.0 for rates and percentages, 0.00 for
  averages and gains, 0.000 for normalised gains and p-values (whatever the table shows on the
  page), so no decimal cell is left "General".
- Each sheet prints landscape on A4, fitted to the page width, its heading row repeated.
- Text a spreadsheet would run as a formula is written as it was typed, with the cell's quote
  prefix set (core.text.spreadsheet_value is the one rule), never with a literal apostrophe.
- Sheet names are cut at whole words (31 characters at most) and unique.
"""

from __future__ import annotations

import io
import math
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from core.text import clean_text, spreadsheet_value
from reports.tables import Table

SHEET_NAME_MAX = 31
FORBIDDEN_IN_SHEET_NAMES = "[]:*?/\\\n\t"
# Columns whose figures are normalised gains (three places, like the JSON).
THREE_PLACES = {"class_normalised_gain", "normalised_change", "normalised_gain"}
WIDEST_COLUMN = 40  # characters; longer text wraps


def number_format(decimals: int | str | None, key: str) -> str:
    """The cell format for a decimal figure: the places the page shows, else one (a rate)."""
    if decimals == "p":
        return "0.000"
    if decimals is None and key in THREE_PLACES:
        decimals = 3
    if decimals is None:
        decimals = 1  # rates and percentages are rounded to one place everywhere
    return "0." + "0" * decimals if decimals else "0"


def _cut_at_word(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit + 1].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut[:limit].rstrip(" ,;-–")


def sheet_title(title: str, used: set[str]) -> str:
    """A sheet name: forbidden characters dropped, cut at a whole word, unique (case-blind)."""
    clean = " ".join(
        "".join(c for c in clean_text(title) if c not in FORBIDDEN_IN_SHEET_NAMES).split()
    ).strip("'")
    clean = clean or "Sheet"
    name, n = _cut_at_word(clean, SHEET_NAME_MAX), 2
    while name.lower() in used:
        suffix = f" ({n})"
        name = _cut_at_word(clean, SHEET_NAME_MAX - len(suffix)) + suffix
        n += 1
    used.add(name.lower())
    return name


def _put(ws, row: int, column: int, value: Any, fmt: str | None = None):
    """Write one cell: text cleaned, formula-like text kept as text by the quote prefix."""
    value, formula_like = spreadsheet_value(value)
    if isinstance(value, float) and not math.isfinite(value):
        value = None
    cell = ws.cell(row=row, column=column, value=value)
    if formula_like:
        cell.data_type = "s"  # openpyxl would otherwise store text starting with = as a formula
        cell.quotePrefix = True
    if fmt and isinstance(value, float):
        cell.number_format = fmt
    return cell


def _write_sheet(ws, report: dict, table: Table) -> None:
    period = report["period"]
    _put(ws, 1, 1, f"{table.title}, {period['start']} to {period['end']}").font = Font(
        bold=True, size=12
    )
    row = 2
    for label, value in report.get("filter_labels", {}).items():
        _put(ws, row, 1, f"{label}: {value}")
        row += 1
    header_row = row + 1
    for column, heading in enumerate(table.headings, start=1):
        cell = _put(ws, header_row, column, heading)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="bottom")
    row = header_row
    for data in table.rows:
        row += 1
        places = data.get("_decimals", {})
        for column, (key, _) in enumerate(table.columns, start=1):
            value = data.get(key)
            fmt = number_format(places.get(key, table.decimals.get(key)), key)
            cell = _put(ws, row, column, value, fmt)
            if isinstance(value, str) and len(value) > WIDEST_COLUMN - 2:
                cell.alignment = Alignment(wrap_text=True, vertical="top")  # never cut
    if table.description:
        row += 2
        last = get_column_letter(max(len(table.columns), 1))
        _put(ws, row, 1, table.description).alignment = Alignment(wrap_text=True, vertical="top")
        if len(table.columns) > 1:
            ws.merge_cells(f"A{row}:{last}{row}")
    _set_widths(ws, table, header_row, row if table.description else None)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    _print_setup(ws, header_row)


def _set_widths(ws, table: Table, header_row: int, description_row: int | None) -> None:
    total = 0.0
    for i, (key, heading) in enumerate(table.columns, start=1):
        longest_word = max((len(w) for w in heading.split()), default=0)
        longest_value = max([len(str(r.get(key) or "")) for r in table.rows] or [0])
        width = min(max(10, longest_word + 2, longest_value + 2), WIDEST_COLUMN)
        ws.column_dimensions[get_column_letter(i)].width = width
        total += width
    if description_row is not None:
        lines = math.ceil(len(table.description) / max(total, 1) * 1.1) or 1
        ws.row_dimensions[description_row].height = 15 * lines
    # A tall heading row when headings wrap (Excel does not grow it by itself).
    lines = [
        math.ceil(len(heading) / max(ws.column_dimensions[get_column_letter(i)].width - 1, 1))
        for i, heading in enumerate(table.headings, start=1)
    ]
    ws.row_dimensions[header_row].height = 15 * max(lines or [1])


def _print_setup(ws, header_row: int) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages tall as it needs
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.print_options.gridLines = True


def report_xlsx(report: dict, tables: list[Table]) -> bytes:
    """The whole report as a workbook: one sheet per table."""
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for table in tables:
        _write_sheet(wb.create_sheet(sheet_title(table.title, used)), report, table)
    wb.properties.creator = "Learning Loop"
    wb.properties.title = (
        f"Training report {report['period']['start']} to {report['period']['end']}"
    )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
