"""The annual section's .docx: house template, A4 and en-GB, title and author, figures with alt
text and short captions, whole words in tables, chosen quotes, and the same words as the page."""

import html
import io
import re
from datetime import date

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.urls import reverse
from docx import Document
from docx.shared import Cm, Inches

from evaluations.models import Answer
from reports.annual import QUOTES_INTRO, annual_section, quotes_chosen
from reports.charts import chart_text_alternative
from reports.document import CM_PER_CHARACTER, annual_docx, column_widths_cm
from reports.tables import Table

PERIOD = {"start": "2022-04-01", "end": "2023-03-31"}
START, END = date(2022, 4, 1), date(2023, 3, 31)
OLD_INTRO = "Attendees reported improved knowledge"


def _docx(section=None):
    section = section or annual_section(start=START, end=END, min_group=4)
    return Document(io.BytesIO(annual_docx(section))), section


def test_a4_english_uk_arial_and_the_partnership_as_author(data, settings):
    document, section = _docx()
    page = document.sections[0]
    assert (round(page.page_width.cm, 1), round(page.page_height.cm, 1)) == (21.0, 29.7)
    styles = document.styles.element.xml
    assert 'w:lang w:val="en-GB"' in styles and "en-US" not in styles
    assert document.styles["Normal"].font.name == "Arial"
    assert document.styles["Heading 1"].font.name == "Arial"
    assert document.styles["Heading 1"].font.bold
    props = document.core_properties
    assert props.author == settings.PARTNERSHIP_NAME
    assert props.title == "Multi-agency training and its impact, 01/04/2022 to 31/03/2023"
    assert props.language == "en-GB"
    assert "python-docx" not in (props.author + props.last_modified_by + props.comments)
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings[:2] == ["Multi-agency training and its impact", "Training data"]


def test_the_template_the_partnership_puts_in_is_used(data, settings, tmp_path):
    template = Document()
    page = template.sections[0]
    page.page_width, page.page_height = Inches(8.5), Inches(11)
    page.header.paragraphs[0].text = "Partnership annual report 2023"
    template.add_paragraph("Sample text to be replaced")
    template.styles["Normal"].font.name = "Verdana"
    path = tmp_path / "ours.docx"
    template.save(str(path))
    settings.ANNUAL_DOCX_TEMPLATE = str(path)
    document, _ = _docx()
    assert round(document.sections[0].page_width.inches, 1) == 8.5
    assert document.sections[0].header.paragraphs[0].text == "Partnership annual report 2023"
    assert document.styles["Normal"].font.name == "Verdana"
    texts = [p.text for p in document.paragraphs]
    assert "Sample text to be replaced" not in texts
    assert texts[0] == "Multi-agency training and its impact"


def test_a_missing_template_is_a_clear_message(data, settings, tmp_path):
    settings.ANNUAL_DOCX_TEMPLATE = str(tmp_path / "nowhere.docx")
    section = annual_section(start=START, end=END)
    with pytest.raises(ImproperlyConfigured, match="ANNUAL_DOCX_TEMPLATE: no Word template"):
        annual_docx(section)
    with pytest.raises(CommandError, match="ANNUAL_DOCX_TEMPLATE"):
        call_command(
            "annual_report", "--start", PERIOD["start"], "--end", PERIOD["end"],
            "--output", str(tmp_path / "out.docx"), stdout=io.StringIO(),
        )  # fmt: skip


def test_each_chart_has_alt_text_and_a_short_numbered_caption(data):
    document, section = _docx()
    assert len(section.charts) >= 2
    shapes = document.inline_shapes
    assert len(shapes) == len(section.charts)
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption"]
    for n, (shape, table) in enumerate(zip(shapes, section.charts, strict=True), start=1):
        alt = shape._inline.docPr.get("descr")
        assert alt == chart_text_alternative(table) and len(alt) > 40
        assert captions[n - 1] == f"Figure {n}: {table.chart.title}"
    texts = [p.text for p in document.paragraphs]
    assert not any(chart_text_alternative(t) in texts for t in section.charts)
    assert all(len(c) < 100 for c in captions)


def test_table_columns_fit_their_longest_word_and_the_page(data):
    table = Table(
        "t", "T",
        [("priority", "Priority area"), ("n", "e-Learning completions"), ("f", "Fill rate (%)")],
        [{"priority": "Child Exploitation", "n": 1, "f": 10.0}],
    )  # fmt: skip
    widths = column_widths_cm(table, 17.0)
    assert sum(widths) == pytest.approx(17.0)
    assert widths[0] > len("Exploitation") * CM_PER_CHARACTER
    assert widths[1] > len("completions") * CM_PER_CHARACTER
    # Word's cells carry those widths (LibreOffice's rendering: test_libreoffice_renders.py).
    document, section = _docx()
    grid = document.tables[0]
    usable = 21.0 - 2 * 2.0  # A4 less the template's 2 cm margins
    assert sum(c.width for c in grid.rows[0].cells) == pytest.approx(Cm(usable), rel=0.01)
    first_column = grid.rows[0].cells[0].width
    assert first_column > Cm(len("Exploitation") * CM_PER_CHARACTER)


def test_quotes_are_deduplicated_and_limited():
    quotes = [
        {"text": "Really useful.", "course": "A"},
        {"text": "really  useful", "course": "B"},
        {"text": "“Really useful!”", "course": "C"},
        {"text": "Too long a day.", "course": "A"},
        {"text": "Good trainer", "course": "D"},
        {"text": "Clear examples", "course": "E"},
    ]
    chosen, marked = quotes_chosen(quotes, 3)
    assert [q["text"] for q in chosen] == ["Really useful.", "Too long a day.", "Good trainer"]
    assert marked == 4
    assert quotes_chosen(quotes, 0) == ([], 4)


@pytest.fixture
def more_quotes(data):
    """Three comments marked publishable in the period, one said twice."""
    Answer.objects.exclude(text="").update(is_publishable=True)
    stage2 = Answer.objects.get(text="I used it at a home visit.")
    stage2.text = "The best course I have been on!"  # the same comment again
    stage2.save()
    return data


def test_the_section_quotes_the_lead_s_choice_once_each_up_to_the_setting(more_quotes, settings):
    settings.ANNUAL_REPORT_QUOTES = 3
    section = annual_section(start=START, end=END, min_group=4)
    texts = [q["text"] for q in section.quotes]
    assert texts.count("The best course I have been on.") == 1
    assert "The best course I have been on!" not in texts
    assert len(texts) == section.quotes_marked == 2
    settings.ANNUAL_REPORT_QUOTES = 1
    section = annual_section(start=START, end=END, min_group=4)
    assert len(section.quotes) == 1 and section.quotes_marked == 2
    document, _ = _docx(section)
    paragraphs = [p.text for p in document.paragraphs]
    assert QUOTES_INTRO in paragraphs
    assert not any(OLD_INTRO in p for p in paragraphs)
    assert len([p for p in document.paragraphs if p.style.name == "Quote"]) == 1


def _page_text(content: bytes) -> str:
    text = re.sub(r"<[^>]+>", " ", content.decode())
    return " ".join(html.unescape(text).split())


def test_the_page_and_the_docx_say_the_same(more_quotes, client, lead, settings):
    settings.ANNUAL_REPORT_QUOTES = 2
    client.force_login(lead)
    page = _page_text(client.get(reverse("reports:annual"), PERIOD).content)
    download = client.get(reverse("reports:annual_docx"), PERIOD)
    document = Document(io.BytesIO(download.content))
    said = [p.text for p in document.paragraphs if p.text.strip()]
    said += [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert len(said) > 30
    missing = [text for text in said if " ".join(text.split()) not in page]
    assert missing == []
    assert QUOTES_INTRO in page and OLD_INTRO not in page
    assert "Figure 1: " in page
    assert "2 of the 2 different comments marked publishable are quoted" in page
