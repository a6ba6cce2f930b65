"""A made-up history for benchmarks and tests, written as import files (bench/run.py uses it)."""

from __future__ import annotations

import csv
import os
from datetime import datetime, timedelta
from pathlib import Path

from imports.checks import AUDIENCES
from imports.readers import BOOKINGS, COLUMNS, ELEARNING, EVALUATIONS, EVENTS


def write_sample_csvs(directory: str | os.PathLike, scale: float = 1.0, *, seed: int = 5) -> dict:
    """Write a made-up history of `scale` partnership years (68 events a year) for benchmarks.

    Scale 100 gives about 6,800 events, 150,000 bookings and 150,000 evaluations. Returns the
    number of rows written per file.
    """
    import random

    rng = random.Random(seed)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    priorities = ["Neglect", "Exploitation", "Think Family", "Local learning"]
    courses = [(f"Sample Course {i}", priorities[i % 4]) for i in range(40)]
    modules = [(f"Sample Module {i} (e-learning)", priorities[i % 4]) for i in range(8)]
    organisations = [f"Sample Organisation {i}" for i in range(120)]
    people = max(50, int(300 * scale))
    reasons = ["Work capacity", "Sickness", "Operational pressures", "Other"]
    n_events = max(1, round(68 * scale))
    first_day = datetime(2010, 4, 1, 9, 30)
    rows = {}

    def person(i: int) -> tuple[str, str, str]:
        org = organisations[i % len(organisations)]
        # Names in other case and spacing: the import must match them to one organisation.
        spelt = org.upper() if i % 7 == 0 else (f"  {org.lower()} " if i % 5 == 0 else org)
        return f"Person.{i}@Example.org", f"Person {i}", spelt

    with (
        open(directory / EVENTS, "w", newline="", encoding="utf-8") as ev,
        open(directory / BOOKINGS, "w", newline="", encoding="utf-8") as bk,
        open(directory / EVALUATIONS, "w", newline="", encoding="utf-8") as evl,
    ):
        events = csv.writer(ev)
        bookings = csv.writer(bk)
        evaluations = csv.writer(evl)
        events.writerow(COLUMNS[EVENTS][0])
        bookings.writerow([*COLUMNS[BOOKINGS][0], *COLUMNS[BOOKINGS][1]])
        evaluations.writerow([*COLUMNS[EVALUATIONS][0], "comment"])
        n_bookings = n_evaluations = 0
        for e in range(n_events):
            title, priority = courses[e % len(courses)]
            start = first_day + timedelta(days=e * 5400 // max(n_events, 1) + (e % 3))
            hours = 4 if e % 3 else 6.5
            end = start + timedelta(hours=hours)
            capacity = 20 + e % 21
            status = "cancelled" if e % 25 == 0 else "delivered"
            audience = AUDIENCES[e % 3]
            mode = "virtual" if e % 2 else "face_to_face"
            events.writerow(
                [f"E{e}", title, priority, audience, mode, start.isoformat(timespec="minutes"),
                 end.isoformat(timespec="minutes"), capacity, status]
            )  # fmt: skip
            taken = rng.sample(range(people), min(people, round(capacity * 0.73)))
            for p in taken:
                email, name, org = person(p)
                ref = f"B{n_bookings}"
                n_bookings += 1
                booked = start - timedelta(days=rng.randint(5, 60), hours=rng.randint(0, 8))
                roll = rng.random()
                if status == "cancelled":
                    st = "booked"
                elif roll < 0.62:
                    st = "attended"
                elif roll < 0.76:
                    st = "no_show"
                elif roll < 0.95:
                    st = "cancelled"
                else:
                    st = "waitlisted"
                cancelled_at = reason = ""
                if st == "cancelled":
                    cancelled_at = (start - timedelta(days=rng.randint(0, 4), hours=2)).isoformat(
                        timespec="minutes"
                    )
                    reason = rng.choice(reasons)
                elif st == "no_show" and rng.random() < 0.5:
                    reason = rng.choice(reasons)
                bookings.writerow(
                    [ref, f"E{e}", email, name, org, booked.isoformat(timespec="minutes"), st,
                     cancelled_at, reason]
                )  # fmt: skip
                stages = []
                if st in ("attended", "no_show") and rng.random() < 0.7:
                    stages.append(("pre", start - timedelta(days=2)))
                if st == "attended":
                    if rng.random() < 0.7:
                        stages.append(("post", end + timedelta(days=1)))
                    if rng.random() < 0.1:
                        stages.append(("stage2", end + timedelta(days=90)))
                for stage, at in stages:
                    score = round(rng.uniform(2, 3.6) if stage == "pre" else rng.uniform(3.4, 5), 2)
                    comment = "Very useful, thank you." if rng.random() < 0.1 else ""
                    evaluations.writerow(
                        [ref, stage, at.isoformat(timespec="minutes"), score, comment]
                    )
                    n_evaluations += 1
        rows.update({EVENTS: n_events, BOOKINGS: n_bookings, EVALUATIONS: n_evaluations})
    with open(directory / ELEARNING, "w", newline="", encoding="utf-8") as el:
        elearning = csv.writer(el)
        elearning.writerow([*COLUMNS[ELEARNING][0], "completed_at"])
        n = max(1, round(378 * scale))
        for i in range(n):
            title, priority = modules[i % len(modules)]
            email, name, org = person(rng.randrange(people))
            enrolled = first_day + timedelta(days=i * 5400 // n, minutes=i % 600)
            completed = (
                enrolled + timedelta(days=rng.randint(0, 30)) if rng.random() < 0.75 else None
            )
            elearning.writerow(
                [title, priority, email, name, org, enrolled.isoformat(timespec="minutes"),
                 completed.isoformat(timespec="minutes") if completed else ""]
            )  # fmt: skip
        rows[ELEARNING] = n
    return rows


# Issue 19: the same history as another system exports it. Our column -> its header.
OTHER_HEADERS = {
    EVENTS: {
        "event_ref": "Event ID",
        "course": "Event name",
        "start": "Start date",
        "end": "End date",
        "capacity": "Places",
        "status": "Status",
    },
    BOOKINGS: {
        "booking_ref": "Order #",
        "event_ref": "Event reference",
        "email": "Attendee email",
        "organisation": "Employer",
        "booked_at": "Order date",
        "cancelled_at": "Cancellation date",
        "cancellation_reason": "Cancellation reason",
    },
    EVALUATIONS: {
        "booking_ref": "Booking reference",
        "submitted_at": "Date submitted",
        "score": "Rating",
        "comment": "Comments",
    },
    ELEARNING: {
        "email": "Email address",
        "name": "Full name",
        "organisation": "Organization",
        "enrolled_at": "Enrolment date",
        "completed_at": "Completion date",
    },
}
# Our value -> its word for it, by column.
OTHER_VALUES = {
    "mode": {"face_to_face": "Classroom", "virtual": "Live online"},
    "status": {
        "delivered": "Ran",
        "cancelled": "Canceled",
        "attended": "Checked in",
        "no_show": "Did not attend",
        "waitlisted": "Waiting list",
        "booked": "Booked",
    },
    "stage": {"pre": "Pre-course", "post": "Post-course", "stage2": "Follow-up"},
}
DATE_COLUMNS = {"start", "end", "booked_at", "cancelled_at", "submitted_at", "enrolled_at"}
DATE_COLUMNS |= {"completed_at"}


def write_sample_xlsx(
    csv_directory: str | os.PathLike, directory: str | os.PathLike, *, date_cells: bool = True
) -> None:
    """Rewrite import CSVs as .xlsx workbooks in another system's shape: alias headers (the
    booking's name split into First and Last name), synonym values, UK dates (Excel date cells
    shown as dd/mm/yyyy hh:mm, or dd/mm/yyyy HH:MM text), numbers as numbers."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for name in (EVENTS, BOOKINGS, EVALUATIONS, ELEARNING):
        source = Path(csv_directory) / name
        if not source.exists():
            continue
        book = Workbook(write_only=True)
        sheet = book.create_sheet(name.removesuffix(".csv").title())
        with open(source, newline="", encoding="utf-8") as file:
            reader = csv.DictReader(file)
            fields = list(reader.fieldnames)
            split = name == BOOKINGS and "name" in fields
            header = []
            for field in fields:
                if split and field == "name":
                    header += ["First name", "Last name"]
                else:
                    header.append(OTHER_HEADERS[name].get(field, field))
            sheet.append(header)
            for row in reader:
                cells: list = []
                for field in fields:
                    value = row[field]
                    value = OTHER_VALUES.get(field, {}).get(value, value)
                    if split and field == "name":
                        first, _, last = value.partition(" ")
                        cells += [first, last]
                        continue
                    if value and field in DATE_COLUMNS:
                        moment = datetime.fromisoformat(value)
                        if date_cells:
                            value = WriteOnlyCell(sheet, value=moment)
                            value.number_format = "dd/mm/yyyy hh:mm"
                        else:
                            value = f"{moment:%d/%m/%Y %H:%M}"
                    elif value and field == "capacity":
                        value = int(value)
                    elif value and field == "score":
                        value = float(value)
                    cells.append(value)
                sheet.append(cells)
        book.save(directory / name.replace(".csv", ".xlsx"))
