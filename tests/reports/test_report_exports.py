"""CSV per table, the XLSX of the whole report, and the annual-report .docx (page and command)."""

import csv
import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from reports.annual import annual_section
from reports.document import annual_docx
from reports.exporters import escape_cell
from tests.reports.dataset import HYPERLINK_ORG

PERIOD = {"start": "2022-04-01", "end": "2023-03-31"}
SENTENCE = (
    "We offered a total of 40 places, of which 8 were used, and out of that 5 delegates "
    "attended the courses."
)


@pytest.fixture
def lead_client(client, lead):
    client.force_login(lead)
    return client


def test_each_table_downloads_as_csv(data, lead_client):
    response = lead_client.get(reverse("reports:uptake_csv", args=["by_priority"]), PERIOD)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Priority area", "Events", "Places offered", "Used"]
    assert rows[1][:4] == ["Exploitation", "1", "20", "2"]
    assert rows[1][-1] == "Yes"  # low uptake
    assert rows[2][:5] == ["Neglect", "2", "20", "6", "4"]


def test_csv_escapes_formula_like_text(data, lead_client):
    response = lead_client.get(reverse("reports:uptake_csv", args=["by_organisation"]), PERIOD)
    names = [row[0] for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig")))]
    assert "'" + HYPERLINK_ORG in names
    assert HYPERLINK_ORG not in names


def test_an_unknown_table_is_404(data, lead_client):
    assert lead_client.get(reverse("reports:uptake_csv", args=["nope"]), PERIOD).status_code == 404


def test_the_whole_report_downloads_as_xlsx_one_sheet_per_table(data, lead_client):
    response = lead_client.get(reverse("reports:uptake_xlsx"), PERIOD)
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert "Headline figures" in workbook.sheetnames
    assert "Uptake by priority area" in workbook.sheetnames  # cut at a whole word
    assert len(workbook.sheetnames) >= 10
    summary = {
        row[0]: row[1] for row in workbook["Headline figures"].iter_rows(values_only=True) if row
    }
    assert summary["Places offered"] == 40
    assert summary["Post-course evaluations returned (% of attended)"] == 80.0
    organisations = [
        row[0] for row in workbook["Places lost by organisation"].iter_rows(values_only=True)
    ]
    assert HYPERLINK_ORG in organisations  # shown as typed: the quote prefix keeps it text
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"


@pytest.mark.parametrize(
    "value, expected",
    [("=1+1", "'=1+1"), ("+44", "'+44"), ("-2", "'-2"), ("@SUM", "'@SUM"), ("Ok", "Ok"), (-2, -2)],
)
def test_escape_cell(value, expected):
    assert escape_cell(value) == expected


def test_the_annual_section_docx_opens_and_has_the_sentences(data):
    # The section is published, so small groups are hidden; this year's 4 pre-course answers are
    # shown here with a minimum of 4 (tests/reports/test_small_groups.py covers the hiding).
    section = annual_section(start=date(2022, 4, 1), end=date(2023, 3, 31), min_group=4)
    document = Document(io.BytesIO(annual_docx(section)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Multi-agency training and its impact" in text
    assert SENTENCE in text
    assert (
        "3 total training events (both adults and children courses) were delivered through the "
        "partnership between 1st April 2022 and 31st March 2023." in text
    )
    assert "67% of our training was half day or less and 33% was full day." in text
    assert "Delegates representing 3 different services or organisations" in text
    assert "50.0% of people complete pre-evaluation" in text
    assert "only 80.0% of people complete post course evaluation" in text
    # The publishable quote, with its course; not the one from outside the period.
    assert "“The best course I have been on.”" in text
    assert "Neglect Basics" in text
    assert "Outside the period quote" not in text
    tables = [[cell.text for cell in row.cells] for t in document.tables for row in t.rows]
    assert ["Pre-booked average", "Post event average", "Learning gain"] in tables
    assert ["3.00", "4.00", "1.00"] in tables
    assert len(document.inline_shapes) >= 1  # the charts


def test_the_annual_page_and_its_docx_download(data, lead_client):
    page = lead_client.get(reverse("reports:annual"), PERIOD)
    assert page.status_code == 200
    assert SENTENCE in page.content.decode()
    assert "Uptake of our Exploitation courses was low" in page.content.decode()
    download = lead_client.get(reverse("reports:annual_docx"), PERIOD)
    assert download.status_code == 200
    document = Document(io.BytesIO(download.content))
    assert SENTENCE in "\n".join(p.text for p in document.paragraphs)


def test_annual_report_command_writes_the_docx(data, tmp_path):
    target = tmp_path / "section.docx"
    call_command(
        "annual_report", "--start", "2022-04-01", "--end", "2023-03-31", "--output", str(target),
        stdout=io.StringIO(),
    )  # fmt: skip
    document = Document(str(target))
    assert SENTENCE in "\n".join(p.text for p in document.paragraphs)


def test_annual_report_command_refuses_bad_input(db, tmp_path):
    with pytest.raises(CommandError, match="before the start date"):
        call_command(
            "annual_report", "--start", "2023-04-01", "--end", "2023-03-31",
            "--output", str(tmp_path / "x.docx"),
        )  # fmt: skip
    with pytest.raises(CommandError, match="must end in .docx"):
        call_command(
            "annual_report", "--start", "2022-04-01", "--end", "2023-03-31",
            "--output", str(tmp_path / "x.pdf"),
        )  # fmt: skip
