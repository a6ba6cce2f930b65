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

from core.clock import LONDON
from imports import readers
from imports.services import import_history
from people.models import User
from tests.imports.test_import import GOOD, nothing_imported, snapshot

pytestmark = pytest.mark.django_db


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
