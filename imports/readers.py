"""Reading import files: a directory, a .zip or uploaded files -> text or a workbook's sheet ->
records by line (CSV) or row (.xlsx).

Nothing here looks at what a cell means (imports/checks.py does) or writes (imports/writers.py).
"""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import IO

from core.clock import LONDON
from core.text import clean_text, has_unwanted

# Rows between progress messages (checking and writing).
PROGRESS_EVERY = 10_000

EVENTS, BOOKINGS, EVALUATIONS, ELEARNING = (
    "events.csv",
    "bookings.csv",
    "evaluations.csv",
    "elearning.csv",
)
# The files by the names the checks use; each may come as .csv or as .xlsx (issue 19).
FILE_NAMES = (EVENTS, BOOKINGS, EVALUATIONS, ELEARNING)
XLSX_NAMES = tuple(name.removesuffix(".csv") + ".xlsx" for name in FILE_NAMES)
ACCEPTED_NAMES = FILE_NAMES + XLSX_NAMES
ACCEPTED_LIST = (
    ", ".join(name.removesuffix(".csv") for name in FILE_NAMES) + " (each as .csv or .xlsx)"
)


def file_key(base: str) -> str | None:
    """The name the checks use for an accepted file name (events.xlsx -> events.csv), else None."""
    base = base.lower()
    if base in FILE_NAMES:
        return base
    if base in XLSX_NAMES:
        return base.removesuffix(".xlsx") + ".csv"
    return None


# file -> (columns that must be present, columns that may be left out)
COLUMNS = {
    EVENTS: (
        ("event_ref", "course", "priority", "audience", "mode", "start", "end", "capacity"),
        ("status",),
    ),
    BOOKINGS: (
        ("booking_ref", "event_ref", "email", "name", "organisation", "booked_at", "status"),
        ("cancelled_at", "cancellation_reason"),
    ),
    EVALUATIONS: (("booking_ref", "stage", "submitted_at", "score"), ("comment",)),
    ELEARNING: (
        ("module", "priority", "email", "name", "organisation", "enrolled_at"),
        ("completed_at",),
    ),
}
# events.csv's status is in the contract like the other columns: required too.
COLUMNS[EVENTS] = ((*COLUMNS[EVENTS][0], "status"), ())

# Other names for a column, as other systems' exports and people write them (issue 19). A header
# matches a field when they agree once case, spaces, underscores and punctuation are dropped.
ALIASES: dict[str, tuple[str, ...]] = {
    "event_ref": ("Event reference", "Event ID"),
    "course": ("Course title", "Event name"),
    "start": ("Start date", "Starts"),
    "end": ("End date", "Ends"),
    "capacity": ("Places",),
    "booking_ref": ("Booking reference", "Booking ID", "Order #"),
    "email": ("Email address", "Attendee email"),
    "name": ("Full name", "Attendee name"),
    "organisation": ("Organisation", "Organization", "Agency", "Employer"),
    "booked_at": ("Booked", "Booking date", "Order date"),
    "cancelled_at": ("Cancelled", "Cancellation date"),
    "submitted_at": ("Submitted", "Completed", "Date submitted"),
    "score": ("Rating",),
    "comment": ("Comments",),
    "enrolled_at": ("Enrolled", "Enrolment date"),
    "completed_at": ("Completed", "Completion date"),
}
# A name split in two columns: used only when the file has no name column of its own.
FIRST_NAME, LAST_NAME = "firstname", "lastname"


def header_key(header: str) -> str:
    """A header as it is compared: lower case, letters and digits only."""
    return re.sub(r"[^0-9a-z]", "", header.lower())


def header_fields(name: str) -> dict[str, str]:
    """header_key -> field, for the columns of one file (its own names and their aliases)."""
    required, optional = COLUMNS[name]
    keys = {}
    for field in (*required, *optional):
        keys[header_key(field)] = field
        for alias in ALIASES.get(field, ()):
            keys[header_key(alias)] = field
    return keys


# Messages: "<file> line <n>: " is put in front of the row messages.
ROW_PREFIX = "{file} line {line}: "
# The same place in a workbook: "<file>, sheet <sheet>, row <n>: ".
SHEET_ROW_PREFIX = "{file}, sheet {sheet}, row {line}: "
NOT_UTF8 = "{file}: is not UTF-8 text; in Excel, save it as “CSV UTF-8 (Comma delimited)”"
UNKNOWN_FILE = "{file}: not one of " + ACCEPTED_LIST
BOTH_FORMS = "{first} and {second} are the same file: keep one of them"
NOT_A_WORKBOOK = "{file}: is not an Excel workbook that can be opened; save it again as .xlsx"
MISSING_COLUMNS = "missing column{s} {columns}"
SAME_FIELD = "columns '{first}' and '{second}' are both {field}: keep one of them"
# The csv module's default field_size_limit (128 KB), kept: no cell of these files needs more.
CELL_TOO_LONG = (
    f"a cell is longer than {csv.field_size_limit():,} characters (or a quote is not closed)"
)
NUL = (
    "{column} contains a NUL character: is this file really text? "
    "Save it from Excel as “CSV UTF-8 (Comma delimited)”"
)

Source = str | os.PathLike | Mapping[str, bytes | str | IO]


def read_zip(data: bytes | IO) -> dict[str, bytes]:
    """The import files inside a .zip (in any folder, names in any case)."""
    found: dict[str, bytes] = {}
    with zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes) else data) as archive:
        for info in archive.infolist():
            base = Path(info.filename).name.lower()
            if info.is_dir() or info.filename.startswith("__MACOSX") or not file_key(base):
                continue
            found[base] = archive.read(info)
    return found


def zip_uncompressed_size(data: bytes | IO) -> int:
    """Total size of the import files once unpacked (refuse zip bombs before reading them)."""
    with zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes) else data) as archive:
        return sum(i.file_size for i in archive.infolist() if file_key(Path(i.filename).name))


def xlsx_uncompressed_size(data: bytes) -> int:
    """Everything inside a workbook once unpacked (an .xlsx is a zip: refuse bombs first)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return sum(i.file_size for i in archive.infolist())


@dataclass
class Sheet:
    """An .xlsx file to read: its name as given and its bytes; the sheet is chosen on reading."""

    file: str
    data: bytes
    title: str = ""

    def prefix(self, line: int) -> str:
        return SHEET_ROW_PREFIX.format(file=self.file, sheet=self.title, line=line)


Table = str | Sheet  # a CSV file's text, or a workbook


def where(name: str, table: Table) -> Callable[[int], str]:
    """line -> the prefix of a row's messages: "<file> line <n>: " or the sheet and row."""
    if isinstance(table, Sheet):
        return table.prefix
    return lambda line: ROW_PREFIX.format(file=name, line=line)


def _open_sheet(sheet: Sheet):
    """The workbook and the sheet named like the file (any case), else its first sheet."""
    from openpyxl import load_workbook  # loaded when a workbook comes, not with the URLconf

    book = load_workbook(io.BytesIO(sheet.data), read_only=True, data_only=True)
    stem = header_key(sheet.file.removesuffix(".xlsx"))
    chosen = next((ws for ws in book.worksheets if header_key(ws.title) == stem), None)
    if chosen is None and book.worksheets:
        chosen = book.worksheets[0]
    return book, chosen


def xlsx_row_count(data: bytes) -> int:
    """Rows in the sheet an import would read (as the workbook records it, else counted)."""
    book, ws = _open_sheet(Sheet("x.xlsx", data))
    try:
        if ws is None:
            return 0
        if ws.max_row is not None:
            return ws.max_row
        return sum(1 for _ in ws.iter_rows(values_only=True))
    finally:
        book.close()


def read_texts(source: Source, errors: list[str], unreadable: set[str]) -> dict[str, Table]:
    """file key -> a CSV file's decoded text or a workbook, for the import files present in a
    directory, a .zip or a mapping (keys as in FILE_NAMES, in dependency order)."""
    raw: dict[str, bytes | str] = {}
    if isinstance(source, Mapping):
        for name, content in source.items():
            base = Path(name).name.lower()
            if not file_key(base):
                errors.append(UNKNOWN_FILE.format(file=name))
                continue
            raw[base] = content.read() if hasattr(content, "read") else content
    else:
        directory = Path(source)
        if directory.is_file() and zipfile.is_zipfile(directory):
            raw.update(read_zip(directory.read_bytes()))
        else:
            for entry in sorted(directory.iterdir()):
                if entry.is_file() and file_key(entry.name):
                    raw[entry.name.lower()] = entry.read_bytes()
    given: dict[str, str] = {}  # file key -> the name it came as
    for base in sorted(raw):
        key = file_key(base)
        if key in given:
            errors.append(BOTH_FORMS.format(first=given[key], second=base))
            unreadable.add(key)
        else:
            given[key] = base
    texts: dict[str, Table] = {}
    for name in FILE_NAMES:  # in dependency order
        if name not in given or name in unreadable:
            continue
        base = given[name]
        content = raw[base]
        if base.endswith(".xlsx"):
            data = content.encode() if isinstance(content, str) else content
            texts[name] = Sheet(base, data)
            continue
        if isinstance(content, str):
            texts[name] = content.removeprefix("\ufeff")
            continue
        try:
            texts[name] = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            errors.append(NOT_UTF8.format(file=name))
            unreadable.add(name)
    return texts


def records(
    name: str,
    text: Table,
    errors: list[str],
    unreadable: set[str],
    overrides: Mapping[str, str] | None = None,
) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, {column: value stripped}) for each non-blank record; header problems go to errors.

    A file whose header is wrong is added to `unreadable`: rows of other files that refer to it
    are then not checked against it, so one missing column does not bury the real problem.
    """
    if isinstance(text, Sheet):
        yield from _sheet_records(name, text, errors, unreadable, overrides)
        return
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error:
        unreadable.add(name)
        errors.append(ROW_PREFIX.format(file=name, line=1) + CELL_TOO_LONG)
        return
    if header is None:
        return
    index = _column_index(name, header, errors, unreadable, where(name, text)(1), overrides)
    if index is None:
        return
    split_name = index.pop(FIRST_NAME, None), index.pop(LAST_NAME, None)
    # Most files hold no control character at all: look once, clean cells only when needed.
    dirty = has_unwanted(text)
    line = 1
    while True:
        line += 1
        try:
            record = next(reader, None)
        except csv.Error:
            # The csv module stops at a cell over its limit (or a quote never closed): the rest
            # of the file cannot be read reliably, so it is the file's last problem.
            unreadable.add(name)
            errors.append(ROW_PREFIX.format(file=name, line=line) + CELL_TOO_LONG)
            return
        if record is None:
            return
        if not any(cell.strip() for cell in record):
            continue  # blank lines, and Excel's rows of empty cells
        width = len(record)
        values = {c: record[i].strip() if i < width else "" for c, i in index.items()}
        if split_name[0] is not None:
            values["name"] = " ".join(
                record[i].strip() for i in split_name if i < width and record[i].strip()
            )
        if dirty:
            nul = [c for c, v in values.items() if "\x00" in v]
            if nul:
                errors.append(ROW_PREFIX.format(file=name, line=line) + NUL.format(column=nul[0]))
                continue
            values = {c: clean_text(v).strip() for c, v in values.items()}
        yield line, values


def _cell(value) -> str:
    """A workbook cell as the checks read text: dates as ISO 8601 (local, so Europe/London),
    whole numbers without '.0', text stripped and cleaned of control characters."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = value.strip()
        return clean_text(value).strip() if has_unwanted(value) else value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _sheet_records(
    name: str,
    sheet: Sheet,
    errors: list[str],
    unreadable: set[str],
    overrides: Mapping[str, str] | None = None,
) -> Iterator[tuple[int, dict[str, str]]]:
    """records() for a workbook: rows of the sheet named like the file, or of its first sheet."""
    try:
        book, ws = _open_sheet(sheet)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a file that is not .xlsx
        unreadable.add(name)
        errors.append(NOT_A_WORKBOOK.format(file=sheet.file))
        return
    try:
        if ws is None:
            return
        sheet.title = ws.title
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            return
        index = _column_index(name, list(header), errors, unreadable, sheet.prefix(1), overrides)
        if index is None:
            return
        split_name = index.pop(FIRST_NAME, None), index.pop(LAST_NAME, None)
        for line, row in enumerate(rows, start=2):
            cells = [_cell(value) for value in row]
            if not any(cells):
                continue
            width = len(cells)
            values = {c: cells[i] if i < width else "" for c, i in index.items()}
            if split_name[0] is not None:
                values["name"] = " ".join(cells[i] for i in split_name if i < width and cells[i])
            yield line, values
    finally:
        book.close()


# A saved or chosen mapping: file key -> {column header as in the file -> field, "" to ignore it}.
ColumnMapping = dict[str, dict[str, str]]
UNKNOWN_FIELD = "'{field}' is not a column of {file}"


def mapping_fields(name: str) -> tuple[str, ...]:
    """The fields a column of this file may be mapped to (the name's halves where it has one)."""
    required, optional = COLUMNS[name]
    halves = (FIRST_NAME, LAST_NAME) if "name" in required else ()
    return (*required, *optional, *halves)


def header_mapping(
    name: str, header: list, overrides: Mapping[str, str] | None = None
) -> tuple[list[str | None], list[tuple[int | None, str]]]:
    """The field each column of the header becomes (None: ignored), and the header's problems as
    (position of the column at fault or None, message). `overrides` (column header -> field, ""
    to ignore) is the lead's mapping; other columns are matched by name and alias.

    The one place a header is matched: the import, the preview and a saved mapping use it."""
    fields = header_fields(name)
    required, _ = COLUMNS[name]
    chosen = {header_key(h): f for h, f in (overrides or {}).items()}
    allowed = set(mapping_fields(name))
    mapped: list[str | None] = []
    first_at: dict[str, int] = {}
    problems: list[tuple[int | None, str]] = []
    for position, cell in enumerate(header):
        text = "" if cell is None else str(cell).strip()
        key = header_key(text)
        if key in chosen:
            field = chosen[key] or None
            if field is not None and field not in allowed:
                problems.append((position, UNKNOWN_FIELD.format(field=field, file=name)))
                field = None
        else:
            field = fields.get(key)
            if field is None and key in (FIRST_NAME, LAST_NAME) and "name" in required:
                field = key
        if field is not None and field in first_at:
            first = str(header[first_at[field]]).strip()
            problems.append((position, SAME_FIELD.format(first=first, second=text, field=field)))
            field = None
        if field is not None:
            first_at[field] = position
        mapped.append(field)
    if "name" in first_at or FIRST_NAME not in first_at or LAST_NAME not in first_at:
        # Only both halves, and only without a name column, make the name.
        mapped = [None if f in (FIRST_NAME, LAST_NAME) else f for f in mapped]
    present = {f for f in mapped if f} | ({"name"} if FIRST_NAME in mapped else set())
    missing = [c for c in required if c not in present]
    if missing:
        problems.append(
            (
                None,
                MISSING_COLUMNS.format(
                    s="s" if len(missing) > 1 else "", columns=", ".join(missing)
                ),
            )
        )
    return mapped, problems


def _column_index(
    name: str,
    header: list,
    errors: list[str],
    unreadable: set[str],
    prefix: str,
    overrides: Mapping[str, str] | None = None,
) -> dict[str, int] | None:
    """field -> position of its column (First name and Last name under FIRST_NAME, LAST_NAME
    when there is no name column); None, with the problem in errors, when the header is wrong."""
    mapped, problems = header_mapping(name, header, overrides)
    if problems:
        unreadable.add(name)
        errors.extend(prefix + problem for _, problem in problems)
        return None
    return {field: position for position, field in enumerate(mapped) if field}


def head(name: str, table: Table, count: int) -> tuple[list[str], list[list[str]], str]:
    """The header and the first `count` non-blank rows of a file as the import reads its cells,
    and what stops it being read ("" when nothing does). For the upload's preview."""
    if isinstance(table, Sheet):
        try:
            book, ws = _open_sheet(table)
        except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a file that is not .xlsx
            return [], [], NOT_A_WORKBOOK.format(file=table.file)
        try:
            if ws is None:
                return [], [], ""
            table.title = ws.title
            rows = ([_cell(value) for value in row] for row in ws.iter_rows(values_only=True))
            return _head(rows, count) + ("",)
        finally:
            book.close()
    reader = csv.reader(io.StringIO(table, newline=""))
    try:
        cleaned = ([clean_text(cell).strip() for cell in record] for record in reader)
        return _head(cleaned, count) + ("",)
    except csv.Error:
        return [], [], ROW_PREFIX.format(file=name, line=1) + CELL_TOO_LONG


def _head(rows: Iterator[list[str]], count: int) -> tuple[list[str], list[list[str]]]:
    header = next(rows, None)
    if header is None:
        return [], []
    first: list[list[str]] = []
    for row in rows:
        if len(first) == count:
            break
        if any(row):
            first.append(row)
    return [str(cell) for cell in header], first


# A UK date as Excel writes it: d/m/yyyy, then optionally H:MM or H:MM:SS.
UK_DATE = re.compile(
    r"(?P<day>\d{1,2})/(?P<month>\d{1,2})/(?P<year>\d{2,4})"
    r"(?:[ T]+(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?)?"
)


def parse_datetime(value: str) -> datetime | None:
    """ISO 8601, or a UK dd/mm/yyyy [HH:MM[:SS]]; local times are Europe/London. None when the
    value is neither (a US month/day or a two-digit year is never guessed)."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = _uk_datetime(value)
        if moment is None:
            return None
    if moment.tzinfo is None:
        # What timezone.make_aware does for a zoneinfo zone, without its checks per row.
        moment = moment.replace(tzinfo=LONDON)
    # In UTC: a London time in the hour repeated when the clocks go back never compares equal
    # to the stored UTC value (PEP 495), so a re-import counted that row as updated.
    return moment.astimezone(UTC)


def _uk_datetime(value: str) -> datetime | None:
    match = UK_DATE.fullmatch(value)
    if match is None or len(match["year"]) != 4:
        return None
    try:
        return datetime(
            int(match["year"]),
            int(match["month"]),
            int(match["day"]),
            int(match["hour"] or 0),
            int(match["minute"] or 0),
            int(match["second"] or 0),
        )
    except ValueError:
        return None


def date_problem(value: str) -> str:
    """Why a slashed date that parse_datetime refused is not read: 'us', 'two-digit year' or ''."""
    match = UK_DATE.fullmatch(value)
    if match is None:
        return ""
    if len(match["year"]) != 4:
        return "two-digit year"
    if int(match["month"]) > 12 and 1 <= int(match["day"]) <= 12:
        return "us"
    return ""


def utc(moment: datetime | None) -> datetime | None:
    return moment.astimezone(UTC) if moment is not None else None
