"""The needs report as CSV (UTF-8 with a BOM, CRLF) and XLSX (openpyxl, imported when first
used), from the report as assembled: its small groups already blanked (needs_report shared)."""

from __future__ import annotations

import csv
import io
import math

from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify

from core.text import spreadsheet_cell, spreadsheet_value

HEADINGS = [
    "Rank",
    "Priority area",
    "Group",
    "Average confidence (1-5)",
    "Respondents",
    "Asked",
    "Pre-course knowledge (1-5)",
    "Pre-course answers",
    "Staff out of date or missing the level",
    "Staff whose role requires it",
    "Waiting for dates",
    "On waiting lists",
    "Rank: confidence",
    "Rank: pre-course knowledge",
    "Rank: staff out of date or missing",
    "Rank: demand",
    "Sum of ranks",
]
TOPIC_HEADINGS = [
    "Priority area",
    "Topic",
    "Average confidence (1-5)",
    "Respondents",
    "Not relevant",
]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _two(value):
    return round(value, 2) if value is not None else None


def rows(report) -> list[list]:
    out = []
    for r in report.rows:
        out.append(
            [
                r.position,
                r.area,
                r.group,
                _two(r.confidence),
                r.n_confidence,
                r.invited,
                _two(r.pre_knowledge),
                r.n_pre,
                r.staff_gaps,
                r.staff_required,
                r.interest,
                r.waiting,
                r.ranks["confidence"],
                r.ranks["pre_knowledge"],
                r.ranks["staff_gaps"],
                r.ranks["demand"],
                r.score,
            ]
        )
    return out


def topic_rows(report) -> list[list]:
    return [
        [t["area"], t["topic"], _two(t["confidence"]), t["n"], t["not_relevant"]]
        for t in report.topics
    ]


def topic_group_headings(report) -> list[str]:
    return ["Priority area", "Topic", report.grouping.capitalize(), *TOPIC_HEADINGS[2:]]


def topic_group_rows(report) -> list[list]:
    return [
        [t["area"], t["topic"], t["group"], _two(t["confidence"]), t["n"], t["not_relevant"]]
        for t in report.topic_groups
    ]


def _notes(report) -> list[str]:
    rate = report.rate
    answered = f"{rate['answered']} of {rate['invited']} answered"
    if rate["rate"] is not None:
        answered += f" ({rate['rate']}%)"
    return [
        report.survey.title,
        f"Pre-course answers from {report.start:%-d %B %Y} to {report.end:%-d %B %Y}",
        answered,
        report.rule,
        report.suppression_note,
    ]


def _filename(report, ext: str) -> str:
    name = slugify(report.survey.title) or "survey"
    return f"training-needs_{name}_{timezone.localdate().isoformat()}.{ext}"


def report_csv(report) -> HttpResponse:
    buf = io.StringIO()
    buf.write("\ufeff")  # Excel on Windows reads UTF-8 only with a byte order mark
    writer = csv.writer(buf, lineterminator="\r\n")
    heading = HEADINGS[:2] + [report.grouping.capitalize()] + HEADINGS[3:]
    writer.writerow(heading)
    for row in rows(report):
        writer.writerow([spreadsheet_cell(v) for v in row])
    writer.writerow([])
    writer.writerow(TOPIC_HEADINGS)
    for row in topic_rows(report):
        writer.writerow([spreadsheet_cell(v) for v in row])
    writer.writerow([])
    writer.writerow(topic_group_headings(report))
    for row in topic_group_rows(report):
        writer.writerow([spreadsheet_cell(v) for v in row])
    writer.writerow([])
    for note in _notes(report):
        writer.writerow([spreadsheet_cell(note)])
    response = HttpResponse(buf.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(report, "csv")}"'
    return response


def _put(ws, row: int, column: int, value, fmt: str | None = None):
    """One cell, as reports.workbook writes them: formula-like text kept as text."""
    value, formula_like = spreadsheet_value(value)
    if isinstance(value, float) and not math.isfinite(value):
        value = None
    cell = ws.cell(row=row, column=column, value=value)
    if formula_like:
        cell.data_type = "s"
        cell.quotePrefix = True
    if fmt and isinstance(value, float):
        cell.number_format = fmt
    return cell


def _sheet(ws, headings, body, decimal_columns):
    from openpyxl.styles import Font

    for c, heading in enumerate(headings, start=1):
        _put(ws, 1, c, heading).font = Font(bold=True)
    for r, values in enumerate(body, start=2):
        for c, value in enumerate(values, start=1):
            _put(ws, r, c, value, "0.00" if c in decimal_columns else None)
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    for c, heading in enumerate(headings, start=1):
        ws.column_dimensions[ws.cell(row=1, column=c).column_letter].width = min(
            max(len(heading), 10) + 2, 40
        )


def report_xlsx(report) -> HttpResponse:
    from openpyxl import Workbook

    book = Workbook()
    ranking = book.active
    ranking.title = "Gaps ranked"
    heading = HEADINGS[:2] + [report.grouping.capitalize()] + HEADINGS[3:]
    _sheet(ranking, heading, rows(report), decimal_columns={4, 7})
    _sheet(book.create_sheet("Topics"), TOPIC_HEADINGS, topic_rows(report), decimal_columns={3})
    _sheet(
        book.create_sheet(f"Topics by {report.grouping}"),
        topic_group_headings(report),
        topic_group_rows(report),
        decimal_columns={4},
    )
    notes = book.create_sheet("About")
    for r, note in enumerate(_notes(report), start=1):
        _put(notes, r, 1, note)
    notes.column_dimensions["A"].width = 100
    buf = io.BytesIO()
    book.save(buf)
    response = HttpResponse(buf.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{_filename(report, "xlsx")}"'
    return response
