"""The .xlsx workbook: number formats, print setup, quote prefix, sheet names, "No data"."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reports.workbook import sheet_title
from tests.reports.dataset import HYPERLINK_ORG

PERIOD = {"start": "2022-04-01", "end": "2023-03-31"}


@pytest.fixture
def workbook(data, client, lead):
    client.force_login(lead)
    response = client.get(reverse("reports:uptake_xlsx"), PERIOD)
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def _cells(workbook):
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                yield sheet, cell


def test_no_decimal_cell_is_left_general(workbook):
    decimals = [(s.title, c) for s, c in _cells(workbook) if isinstance(c.value, float)]
    assert len(decimals) > 20  # (a whole float such as 20.0 reads back as an int)
    general = [f"{title}!{c.coordinate}" for title, c in decimals if c.number_format == "General"]
    assert general == []


def test_rates_have_one_place_and_averages_two(workbook):
    summary = {
        row[0].value: row[1] for row in workbook["Headline figures"].iter_rows() if row[0].value
    }
    assert summary["Post-course evaluations returned (% of attended)"].number_format == "0.0"
    assert summary["Fill rate (% of places offered that were used)"].number_format == "0.0"
    assert summary["Pre-course average"].number_format == "0.00"
    assert summary["Learning gain (post average - pre average)"].number_format == "0.00"
    by_priority = workbook["Evaluations and learning gain"]
    rows = list(by_priority.iter_rows())
    headings = [c.value for c in rows[2]]
    neglect = next(r for r in rows if r[0].value == "Neglect")
    assert neglect[headings.index("Post average")].value == 4.33
    for heading in ("Pre average", "Post average", "Learning gain", "Paired mean gain"):
        assert neglect[headings.index(heading)].number_format == "0.00", heading
    for heading in ("Pre: rate (%)", "Post: rate (%)", "Stage 2: rate (%)"):
        assert neglect[headings.index(heading)].number_format == "0.0", heading
    assert neglect[headings.index("Normalised change, mean per delegate (c)")].number_format == (
        "0.000"
    )


def test_every_sheet_prints_landscape_on_a4_fitted_to_width_with_its_headings_repeated(workbook):
    for sheet in workbook.worksheets:
        assert sheet.page_setup.orientation == "landscape", sheet.title
        assert int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4), sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        assert int(sheet.page_setup.fitToWidth) == 1, sheet.title
        assert int(sheet.page_setup.fitToHeight) == 0, sheet.title
        header_row = sheet.freeze_panes and int(sheet.freeze_panes[1:]) - 1
        assert sheet.print_title_rows == f"${header_row}:${header_row}", sheet.title
        headings = [c.value for c in sheet[header_row] if c.value]
        assert headings and all(c.font.bold for c in sheet[header_row] if c.value)


def test_formula_like_text_keeps_its_words_and_gets_the_quote_prefix(workbook):
    sheet = workbook["Places lost by organisation"]
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == HYPERLINK_ORG)
    assert cell.data_type == "s"
    assert cell.quotePrefix
    plain = next(c for row in sheet.iter_rows() for c in row if c.value == "Organisation")
    assert not plain.quotePrefix
    assert not any(
        isinstance(c.value, str) and c.value.startswith("'") for _, c in _cells(workbook)
    )


def test_sheet_names_are_cut_at_whole_words_and_unique(workbook):
    names = workbook.sheetnames
    assert len(names) == len({n.lower() for n in names})
    assert all(len(n) <= 31 for n in names)
    assert "Uptake by priority area" in names  # not "Uptake by priority area: traini"
    assert "Evaluations and learning gain" in names
    assert "Evaluations and learning (2)" in names  # the same words, by course


@pytest.mark.parametrize(
    "title, expected",
    [
        ("Headline figures", "Headline figures"),
        ("Uptake by priority area: training and e-learning", "Uptake by priority area"),
        ("Supercalifragilisticexpialidociousnesses", "Supercalifragilisticexpialidoci"),
        ("What? [draft] a/b", "What draft ab"),
        ("", "Sheet"),
    ],
)
def test_sheet_title(title, expected):
    assert sheet_title(title, set()) == expected


def test_sheet_titles_repeated_get_a_number_within_31_characters():
    used: set[str] = set()
    title = "Evaluations and learning gain by priority area"
    names = [sheet_title(title, used) for _ in range(3)]
    assert names == [
        "Evaluations and learning gain",
        "Evaluations and learning (2)",
        "Evaluations and learning (3)",
    ]


EARLIER = {"start": "2021-04-01", "end": "2022-03-31"}  # its previous year has nothing


def test_a_previous_period_without_data_says_no_data_not_zero_and_no_change(data, client, lead):
    client.force_login(lead)
    response = client.get(reverse("reports:uptake_xlsx"), EARLIER)
    sheet = load_workbook(io.BytesIO(response.content))["This period against the"]
    rows = {r[0]: r for r in sheet.iter_rows(values_only=True) if r and r[0]}
    assert rows["Places offered"][1] == 17
    assert rows["Places offered"][2] == "No data"
    assert rows["Places offered"][3] is None
    assert rows["Learning gain"][2] == "No data"


def test_a_previous_period_with_data_keeps_its_figures(workbook):
    sheet = workbook["This period against the"]
    rows = {r[0]: r for r in sheet.iter_rows(values_only=True) if r and r[0]}
    assert rows["Places offered"][1:] == (40, 17, 23)
    assert rows["Cancelled beforehand"][1:] == (2, 0, 2)  # a real zero stays a zero


def test_the_page_says_no_data_too(data, client, lead):
    client.force_login(lead)
    page = client.get(reverse("reports:uptake"), EARLIER).content.decode()
    assert "No data" in page
    assert "No data" not in client.get(reverse("reports:uptake"), PERIOD).content.decode()


def test_a_long_name_wraps_in_its_cell_instead_of_being_cut():
    from reports.tables import Table
    from reports.workbook import WIDEST_COLUMN, report_xlsx

    name = "Exploitation: County Lines and Criminal Exploitation (advanced)"
    table = Table("t", "Courses", [("course", "Course"), ("n", "Events")],
                  [{"course": name, "n": 3}, {"course": "Neglect", "n": 1}])  # fmt: skip
    report = {"period": {"start": "2022-04-01", "end": "2023-03-31"}}
    sheet = load_workbook(io.BytesIO(report_xlsx(report, [table])))["Courses"]
    long_cell = next(c for row in sheet.iter_rows() for c in row if c.value == name)
    assert long_cell.alignment.wrap_text
    assert sheet.column_dimensions["A"].width == WIDEST_COLUMN
    short = next(c for row in sheet.iter_rows() for c in row if c.value == "Neglect")
    assert not short.alignment.wrap_text


def test_the_json_gives_null_not_zero_and_no_change_for_a_previous_period_without_data(data):
    from datetime import date

    from reports.report import report_build

    def offered(start, end, **kwargs):
        rows = report_build(start=start, end=end, **kwargs)["comparison"]
        row = next(r for r in rows if r["key"] == "offered")
        return row["this"], row["previous"], row["change"]

    assert offered(date(2021, 4, 1), date(2022, 3, 31)) == (17, None, None)
    assert offered(date(2021, 4, 1), date(2022, 3, 31), shared=True) == (17, None, None)
    assert offered(date(2022, 4, 1), date(2023, 3, 31)) == (40, 17, 23)
