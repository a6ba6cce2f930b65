"""The annual-report section as a Word document, ready to paste into the partnership's report.

Written on the partnership's template (settings.ANNUAL_DOCX_TEMPLATE, built by
reports.house_style: A4, English (UK), Arial, clear headings): its page, header, footer and
styles are kept and its text removed. The content is reports.annual's, the same as the page:
each chart with its text alternative as alt text and a short "Figure n: ..." caption; tables
with columns wide enough for their longest word; the chosen quotes. Every text goes through
core.text.clean_text (Word refuses control characters, stored or not).
"""

from __future__ import annotations

import io

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from core.text import clean_text
from reports.annual import COMPLIANCE_HEADING
from reports.tables import Table

LANGUAGE = "en-GB"
TABLE_FONT_PT = 10
# Arial at 10 pt: about 0.2 cm per character (bold a little more), plus the cell's margins.
CM_PER_CHARACTER = 0.21
CELL_PADDING_CM = 0.45
# The width the charts are drawn at (reports.charts.WIDTH_INCHES, 3.75 in): their 12 pt text stays
# 12 pt in Word (at 16 cm it was 20 pt, and a long chart ran over pages).
CHART_WIDTH_CM = 9.525
TEMPLATE_MISSING = "ANNUAL_DOCX_TEMPLATE: no Word template (.docx) could be opened at {path}."


def _open_template():
    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError
    from docx.oxml.ns import qn

    path = settings.ANNUAL_DOCX_TEMPLATE
    try:
        doc = Document(path)
    except (PackageNotFoundError, OSError, KeyError, ValueError) as error:
        raise ImproperlyConfigured(TEMPLATE_MISSING.format(path=path)) from error
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):  # the template's own text; its last section stays
            body.remove(child)
    return doc


def _style(doc, name: str):
    """The template's style of that name, or None (Normal) if a replaced template lacks it."""
    try:
        return doc.styles[name]
    except KeyError:
        return None


def _usable_width_cm(doc) -> float:
    section = doc.sections[-1]
    return (section.page_width - section.left_margin - section.right_margin) / 360000


def annual_docx(section) -> bytes:
    """The annual-report section as a Word document the lead can paste into the report."""
    from docx.shared import Cm

    from reports.charts import chart_image, chart_text_alternative

    doc = _open_template()
    props = doc.core_properties
    props.title = clean_text(f"{section.title}, {section.start:%d/%m/%Y} to {section.end:%d/%m/%Y}")
    props.author = props.last_modified_by = clean_text(settings.PARTNERSHIP_NAME)
    props.subject = "Annual report"
    props.language = LANGUAGE
    props.comments = ""

    t = clean_text

    def paragraph(text: str, style: str | None = None):
        return doc.add_paragraph(t(text), style=_style(doc, style) if style else None)

    paragraph(section.title, "Heading 1")
    paragraph("Training data", "Heading 2")
    for sentence in section.training_data:
        paragraph(sentence)
    paragraph(section.priority_intro).paragraph_format.keep_with_next = True
    _docx_table(doc, section.priority_table)
    for sentence in section.low_uptake:
        paragraph(sentence).runs[0].bold = True
    width = Cm(min(CHART_WIDTH_CM, _usable_width_cm(doc)))
    for caption, table in section.figures:
        image = chart_image(table, "png")
        if not image:
            continue
        doc.add_picture(io.BytesIO(image), width=width)
        picture = doc.inline_shapes[-1]._inline.docPr
        picture.set("descr", t(chart_text_alternative(table)))  # the alt text
        picture.set("title", t(caption))
        paragraph(caption, "Caption")
    if section.quotes:
        paragraph(section.quotes_intro).paragraph_format.keep_with_next = True
        for quote in section.quotes:
            paragraph(f"“{quote['text']}”", "Quote")
            paragraph(quote["course"])
    if section.compliance:
        paragraph(COMPLIANCE_HEADING, "Heading 2")
        for sentence in section.compliance:
            paragraph(sentence)
    paragraph("Training evaluations", "Heading 2")
    paragraph("What we can see from our data is that:").paragraph_format.keep_with_next = True
    for sentence in section.evaluations:
        paragraph(sentence, "List Bullet")
    paragraph("Learning gain", "Heading 3")
    _docx_table(doc, section.gain_table)
    paragraph(section.gain_note)
    if section.gain_by_priority.rows:
        _docx_table(doc, section.gain_by_priority)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def column_widths_cm(table: Table, usable_cm: float) -> list[float]:
    """Widths that keep every word whole: each column gets its longest word (heading or cell),
    and the room left is shared in proportion to how much text each column holds."""
    cells = [table.headings] + [[text for text, _ in row] for row in table.display()]
    longest_word = [
        max((len(word) for row in cells for word in row[i].split()), default=1)
        for i in range(len(table.columns))
    ]
    minimum = [w * CM_PER_CHARACTER * 1.1 + CELL_PADDING_CM for w in longest_word]
    spare = max(usable_cm - sum(minimum), 0.0)
    text = [max(len(row[i]) for row in cells) for i in range(len(table.columns))]
    return [m + spare * n / max(sum(text), 1) for m, n in zip(minimum, text, strict=True)]


def _docx_table(doc, table: Table) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.oxml import OxmlElement
    from docx.shared import Cm, Pt

    grid = doc.add_table(rows=1, cols=len(table.columns))
    style = _style(doc, "Table Grid")
    if style is not None:
        grid.style = style
    grid.autofit = False
    grid.alignment = WD_TABLE_ALIGNMENT.LEFT
    widths = [Cm(w) for w in column_widths_cm(table, _usable_width_cm(doc))]
    rows = [(table.headings, True)] + [([text for text, _ in r], False) for r in table.display()]
    for n, (values, bold) in enumerate(rows):
        cells = grid.rows[0].cells if n == 0 else grid.add_row().cells
        for cell, text, width in zip(cells, values, widths, strict=True):
            cell.width = width
            run = cell.paragraphs[0].add_run(clean_text(text))
            run.bold = bold
            run.font.size = Pt(TABLE_FONT_PT)
            # A short table stays on one page with its headings.
            cell.paragraphs[0].paragraph_format.keep_with_next = n < len(rows) - 1
    heading_row = grid.rows[0]._tr.get_or_add_trPr()
    heading_row.append(OxmlElement("w:tblHeader"))  # repeated on each page of a long table
    for column, width in zip(grid.columns, widths, strict=True):
        column.width = width
    paragraph_after = doc.add_paragraph()  # Word joins two tables that touch
    paragraph_after.paragraph_format.space_after = 0
