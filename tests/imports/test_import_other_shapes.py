"""Issue 19: files as partnerships hold them (other systems' column names and values, UK dates,
.xlsx) import exactly like our own layout, and what cannot be read safely is refused by file and
line (or sheet and row)."""

import csv
import io
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse_lazy

from bookings.models import Booking
from core.clock import LONDON
from imports import forms, readers
from imports.models import ImportRun
from imports.services import import_history
from people.models import User
from tests.imports.test_import import (  # noqa: F401 - fixtures
    GOOD,
    nothing_imported,
    post_upload,
    snapshot,
    upload,
)

pytestmark = pytest.mark.django_db

UPLOAD_URL = reverse_lazy("imports:upload")


@pytest.fixture
def files(tmp_path):
    """A writable copy of the good files."""
    directory = tmp_path / "import"
    shutil.copytree(GOOD, directory)
    return directory


# Our columns -> the names another system's export gives them (None: split into First/Last name).
HEADERS = {
    "events.csv": {
        "event_ref": "Event ID",
        "course": "Event name",
        "priority": "Priority",
        "audience": "AUDIENCE",
        "mode": "Mode",
        "start": "Start date",
        "end": "Ends",
        "capacity": "Places",
        "status": "Status",
    },
    "bookings.csv": {
        "booking_ref": "Order #",
        "event_ref": "Event reference",
        "email": "Attendee email",
        "name": None,
        "organisation": "Employer",
        "booked_at": "Order date",
        "status": " status ",
        "cancelled_at": "Cancellation date",
        "cancellation_reason": "Cancellation-Reason",
    },
    "evaluations.csv": {
        "booking_ref": "Booking reference",
        "stage": "Stage",
        "submitted_at": "Date submitted",
        "score": "Rating",
        "comment": "Comments",
    },
    "elearning.csv": {
        "module": "Module",
        "priority": "priority",
        "email": "Email address",
        "name": "Full name",
        "organisation": "Organization",
        "enrolled_at": "Enrolment date",
        "completed_at": "Completion date",
    },
}
# Our values -> another system's words for them (any case).
VALUES = {
    "mode": {"face_to_face": "In person", "virtual": "Live online"},
    "events.csv status": {"delivered": "Ran", "cancelled": "Canceled"},
    "bookings.csv status": {
        "attended": "Checked in",
        "no_show": "DNA",
        "cancelled": "Not attending",
        "waitlisted": "waiting list",
    },
    "stage": {"pre": "Pre-course", "post": "POST", "stage2": "Follow-up"},
}


def good_rows(name: str) -> tuple[list[str], list[dict[str, str]]]:
    with open(GOOD / name, newline="", encoding="utf-8") as file:
        reader = csv.DictReader(file)
        return list(reader.fieldnames), list(reader)


def other_shape(name: str, date=None) -> tuple[list[str], list[list]]:
    """The good file as another system exports it: its header and rows (cells as `date` makes
    the date columns, text otherwise), with a column the import does not use."""
    fields, rows = good_rows(name)
    header = []
    for field in fields:
        alias = HEADERS[name][field]
        header += ["First name", "Last name"] if alias is None else [alias]
    header.append("Notes")
    out = []
    for row in rows:
        cells = []
        for field in fields:
            value = row[field]
            words = VALUES.get(f"{name} {field}") or VALUES.get(field) or {}
            value = words.get(value, value)
            if date and value and field in DATE_FIELDS:
                value = date(value)
            if HEADERS[name][field] is None:
                first, _, last = value.partition(" ")
                cells += [first, last]
            else:
                cells.append(value)
        out.append([*cells, "not imported"])
    return header, out


DATE_FIELDS = {
    *("start", "end", "booked_at", "cancelled_at", "submitted_at", "enrolled_at", "completed_at")
}


def write_csvs(directory: Path, date=None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name in HEADERS:
        header, rows = other_shape(name, date)
        with open(directory / name, "w", newline="", encoding="utf-8") as file:
            writer = csv.writer(file)
            writer.writerow(header)
            writer.writerows(rows)
    return directory


def errors_of(directory) -> list[str]:
    with pytest.raises(CommandError) as caught:
        call_command("import_history", str(directory), stdout=io.StringIO())
    return str(caught.value).splitlines()


def imports_like_the_good_files(directory) -> None:
    """The files hold what the good files hold: importing the good files after them finds every
    row unchanged and changes nothing."""
    import_history(directory)
    before = snapshot()
    summary = import_history(GOOD)
    assert all(c.imported == c.updated == 0 for c in summary.files.values()), summary.lines()
    assert snapshot() == before


def test_other_systems_column_names_and_values_import_like_our_own(catalogue, tmp_path):
    imports_like_the_good_files(write_csvs(tmp_path / "other"))


def test_two_columns_for_one_field_are_refused_naming_the_file_and_both(catalogue, files):
    text = (files / "events.csv").read_text()
    header, rest = text.split("\n", 1)
    (files / "events.csv").write_text(header + ",Start Date\n" + rest)

    assert errors_of(files) == [
        "events.csv line 1: columns 'start' and 'Start Date' are both start: keep one of them",
        "Nothing was imported: 1 problem found.",
    ]
    assert nothing_imported()


def test_first_and_last_name_are_not_used_beside_a_name_column(catalogue, files):
    text = (files / "bookings.csv").read_text()
    lines = text.split("\n")
    lines[0] += ",First name,Last name"
    lines[2] += ",Someone,Else"
    (files / "bookings.csv").write_text("\n".join(lines))

    import_history(files)

    assert User.objects.get(email="ann.new@barnardos.org.uk").full_name == "Ann New"


def test_a_status_nobody_recognises_names_file_line_and_value(catalogue, files):
    text = (files / "bookings.csv").read_text()
    (files / "bookings.csv").write_text(text.replace(",no_show,", ",Turned up late,", 1))

    assert errors_of(files)[0] == (
        "bookings.csv line 3: status 'Turned up late' is not one of attended, no_show, "
        "cancelled, booked, waitlisted"
    )
    assert nothing_imported()


# --- dates ------------------------------------------------------------------------------------


def uk(value: str) -> str:
    """2022-07-12T09:30 -> 12/07/2022 09:30, as Excel writes it in the UK."""
    moment = datetime.fromisoformat(value)
    return f"{moment:%d/%m/%Y %H:%M}"


def uk_short(value: str) -> str:
    """2022-07-12T09:30 -> 12/7/2022 09:30:00 (no leading zeros, with seconds)."""
    moment = datetime.fromisoformat(value)
    return f"{moment.day}/{moment.month}/{moment.year} {moment:%H:%M:%S}"


@pytest.mark.parametrize("date", [uk, uk_short], ids=["dd/mm/yyyy HH:MM", "d/m/yyyy HH:MM:SS"])
def test_uk_dates_import_like_iso_ones(catalogue, tmp_path, date):
    imports_like_the_good_files(write_csvs(tmp_path / "uk", date))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("14/06/2021", datetime(2021, 6, 14, 0, 0, tzinfo=LONDON)),
        ("14/06/2021 09:30", datetime(2021, 6, 14, 9, 30, tzinfo=LONDON)),
        ("4/6/2021 9:30:15", datetime(2021, 6, 4, 9, 30, 15, tzinfo=LONDON)),
        ("14/01/2021 09:30", datetime(2021, 1, 14, 9, 30, tzinfo=LONDON)),
        ("2021-06-14T09:30", datetime(2021, 6, 14, 9, 30, tzinfo=LONDON)),
        ("2021-06-14T08:30+00:00", datetime(2021, 6, 14, 9, 30, tzinfo=LONDON)),
        ("06/14/2021", None),
        ("14/06/21", None),
        ("31/02/2021", None),
        ("14-06-2021", None),
    ],
)
def test_dates_are_iso_or_uk_in_london_time(value, expected):
    assert readers.parse_datetime(value) == expected


def test_a_time_in_the_hour_repeated_when_the_clocks_go_back_imports_twice_unchanged(
    catalogue, files
):
    # 30 October 2022: 01:00-02:00 happens twice in London. Read as the first (BST) one.
    text = (files / "evaluations.csv").read_text()
    (files / "evaluations.csv").write_text(text.replace("2022-10-13T09:00", "30/10/2022 01:30"))
    import_history(files)

    again = import_history(files)

    assert again.files["evaluations.csv"].updated == 0
    assert again.files["evaluations.csv"].unchanged == 5
    assert readers.parse_datetime("30/10/2022 01:30") == datetime(2022, 10, 30, 0, 30, tzinfo=UTC)


def test_summer_and_winter_uk_times_are_london_time():
    summer = readers.parse_datetime("14/06/2021 09:30")
    winter = readers.parse_datetime("14/01/2021 09:30")
    assert summer.astimezone(UTC) == datetime(2021, 6, 14, 8, 30, tzinfo=UTC)
    assert winter.astimezone(UTC) == datetime(2021, 1, 14, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "07/14/2022 09:30",
            "events.csv line 2: start '07/14/2022 09:30' looks like a US date (month/day): "
            "write it as day/month/year (31/03/2023 09:30) or 2023-03-31T09:30",
        ),
        (
            "12/07/22 09:30",
            "events.csv line 2: start '12/07/22 09:30' has a two-digit year: write the year in "
            "full (31/03/2023 09:30)",
        ),
    ],
    ids=["US date", "two-digit year"],
)
def test_a_date_that_would_be_a_guess_is_refused_by_file_line_and_value(
    catalogue, files, value, message
):
    text = (files / "events.csv").read_text()
    (files / "events.csv").write_text(text.replace("2022-07-12T09:30", value, 1))

    assert errors_of(files) == [message, "Nothing was imported: 1 problem found."]
    assert nothing_imported()


# --- .xlsx ------------------------------------------------------------------------------------

NUMBERS = {"capacity": int, "score": float}


def excel_date(value: str) -> datetime:
    """A date cell, as Excel stores a date typed into a cell (no time zone: local time)."""
    return datetime.fromisoformat(value)


def workbook(header: list, rows: list, *, title: str = "Sheet1", before: str | None = None):
    from openpyxl import Workbook

    book = Workbook()
    first = book.active
    if before:
        first.title = before
        first.append(["booking_ref", "status"])  # a sheet of notes, not the data
        first.append(["not", "this one"])
        ws = book.create_sheet(title)
    else:
        first.title = title
        ws = first
    ws.append(header)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_rows(name: str, date) -> tuple[list, list]:
    header, rows = other_shape(name, date)
    fields = [f for f in good_rows(name)[0] for _ in ((0, 1) if HEADERS[name][f] is None else (0,))]
    typed = [
        [NUMBERS[f](v) if f in NUMBERS and v else v for f, v in zip(fields, row, strict=False)]
        + row[len(fields) :]
        for row in rows
    ]
    return header, typed


def write_xlsx(directory: Path, date=excel_date, **sheets) -> Path:
    """The good files as .xlsx workbooks of another system's export (alias headers)."""
    directory.mkdir(parents=True, exist_ok=True)
    for name in HEADERS:
        header, rows = xlsx_rows(name, date)
        stem = name.removesuffix(".csv")
        (directory / f"{stem}.xlsx").write_bytes(workbook(header, rows, **sheets.get(stem, {})))
    return directory


@pytest.mark.parametrize("date", [excel_date, uk], ids=["date cells", "UK dates as text"])
def test_xlsx_files_import_like_the_csv_ones(catalogue, tmp_path, date):
    imports_like_the_good_files(write_xlsx(tmp_path / "xlsx", date))


def test_the_sheet_named_like_the_file_is_read_else_the_first(catalogue, tmp_path):
    directory = write_xlsx(
        tmp_path / "xlsx",
        bookings={"title": "BOOKINGS", "before": "Read me"},
        events={"title": "Export 2022"},
    )
    imports_like_the_good_files(directory)


def test_xlsx_problems_are_named_by_file_sheet_and_row(catalogue, tmp_path):
    directory = write_xlsx(tmp_path / "xlsx", bookings={"title": "Bookings", "before": "Notes"})
    header, rows = xlsx_rows("bookings.csv", excel_date)
    rows[1][header.index(" status ")] = "Turned up late"
    rows[2][header.index("Order date")] = "06/14/2022 09:00"
    (directory / "bookings.xlsx").write_bytes(
        workbook(header, rows, title="Bookings", before="Notes")
    )

    assert errors_of(directory) == [
        "bookings.xlsx, sheet Bookings, row 3: status 'Turned up late' is not one of attended, "
        "no_show, cancelled, booked, waitlisted",
        "bookings.xlsx, sheet Bookings, row 4: booked_at '06/14/2022 09:00' looks like a US "
        "date (month/day): write it as day/month/year (31/03/2023 09:30) or 2023-03-31T09:30",
        "Nothing was imported: 2 problems found.",
    ]
    assert nothing_imported()


def test_two_xlsx_columns_for_one_field_are_refused(catalogue, tmp_path):
    directory = write_xlsx(tmp_path / "xlsx")
    header, rows = xlsx_rows("events.csv", excel_date)
    (directory / "events.xlsx").write_bytes(
        workbook([*header, "Event reference"], [[*r, "x"] for r in rows], title="Events")
    )

    assert errors_of(directory)[0] == (
        "events.xlsx, sheet Events, row 1: columns 'Event ID' and 'Event reference' are both "
        "event_ref: keep one of them"
    )
    assert nothing_imported()


def test_a_file_that_is_not_a_workbook_is_refused(catalogue, files):
    (files / "events.csv").rename(files / "events.xlsx")

    assert errors_of(files)[0] == (
        "events.xlsx: is not an Excel workbook that can be opened; save it again as .xlsx"
    )
    assert nothing_imported()


def test_the_same_file_as_csv_and_xlsx_is_refused(catalogue, files, tmp_path):
    write_xlsx(tmp_path / "xlsx")
    shutil.copy(tmp_path / "xlsx" / "events.xlsx", files)

    assert errors_of(files)[0] == "events.csv and events.xlsx are the same file: keep one of them"
    assert nothing_imported()


def test_a_folder_holding_only_xlsx_files_is_imported(catalogue, tmp_path):
    directory = write_xlsx(tmp_path / "xlsx")
    out = io.StringIO()

    call_command("import_history", str(directory), stdout=out)

    assert "bookings.xlsx: 7 rows: 7 imported, 0 updated, 0 unchanged" in out.getvalue()


# --- the upload page --------------------------------------------------------------------------


def test_uploaded_xlsx_files_are_imported(
    client,
    lead,
    catalogue,
    tmp_path,
    post_upload,  # noqa: F811
):
    directory = write_xlsx(tmp_path / "xlsx")
    client.force_login(lead)

    response = post_upload(
        UPLOAD_URL, {"files": [upload(p.name, p.read_bytes()) for p in directory.iterdir()]}
    )

    assert "bookings.xlsx: 7 rows: 7 imported, 0 updated, 0 unchanged" in response.text
    assert Booking.objects.count() == 7


def test_an_xlsx_with_too_many_rows_is_refused_before_it_is_read(
    client,
    lead,
    catalogue,
    tmp_path,
    monkeypatch,
):
    monkeypatch.setattr(forms, "MAX_UPLOAD_ROWS", 5)
    directory = write_xlsx(tmp_path / "xlsx")
    client.force_login(lead)

    response = client.post(
        UPLOAD_URL, {"files": upload("bookings.xlsx", (directory / "bookings.xlsx").read_bytes())}
    )

    assert "The files have too many lines to upload (8; the limit is 5)" in response.text
    assert not ImportRun.objects.exists()


def test_an_xlsx_that_unpacks_too_large_is_refused(
    client,
    lead,
    catalogue,
    tmp_path,
    monkeypatch,
):
    monkeypatch.setattr(forms, "MAX_XLSX_UNPACKED_BYTES", 1024)
    directory = write_xlsx(tmp_path / "xlsx")
    client.force_login(lead)

    response = client.post(
        UPLOAD_URL, {"files": upload("events.xlsx", (directory / "events.xlsx").read_bytes())}
    )

    assert "‘events.xlsx’ unpacks to" in response.text
    assert not ImportRun.objects.exists()


def test_an_upload_named_xlsx_that_is_not_a_workbook_is_refused(client, lead, catalogue):
    client.force_login(lead)

    response = client.post(UPLOAD_URL, {"files": upload("events.xlsx", b"event_ref,course\n")})

    assert "‘events.xlsx’ is not an Excel workbook that can be opened" in response.text
    assert not ImportRun.objects.exists()
