"""Issue 19's done-when: a year of history exported as .xlsx in another system's shape (alias
headers, synonym values, UK dates) imports to the same `training_report` figures as the CSV
files, and importing the .xlsx set twice changes nothing. One test: it imports a year twice over
(the sample history at scale 1: 68 events, about a thousand bookings)."""

import io
import json

import pytest
from django.core.management import call_command
from django.db import transaction

from imports.samples import write_sample_csvs, write_sample_xlsx
from imports.services import import_history
from tests.imports.test_import import snapshot

pytestmark = pytest.mark.django_db

# The sample history's first reporting years (it starts on 1 April 2010).
PERIOD = ("--start", "2010-04-01", "--end", "2013-03-31")


def report() -> dict:
    """The report's figures, without the rows' ids (PostgreSQL does not roll back sequences)."""
    out = io.StringIO()
    call_command("training_report", *PERIOD, "--format", "json", stdout=out)
    return without_ids(json.loads(out.getvalue()))


def is_id(key: str, value) -> bool:
    return key == "id" or key.endswith("_id") or (key == "group" and isinstance(value, int))


def without_ids(value):
    if isinstance(value, dict):
        return {k: without_ids(v) for k, v in value.items() if not is_id(k, v)}
    if isinstance(value, list):
        return [without_ids(v) for v in value]
    return value


def test_a_year_as_xlsx_with_uk_dates_and_alias_headers_reports_like_the_csv_files(tmp_path):
    counts = write_sample_csvs(tmp_path / "csv", scale=1)
    write_sample_xlsx(tmp_path / "csv", tmp_path / "cells", date_cells=True)
    write_sample_xlsx(tmp_path / "csv", tmp_path / "text", date_cells=False)
    assert {p.name for p in (tmp_path / "cells").iterdir()} == {
        "events.xlsx", "bookings.xlsx", "evaluations.xlsx", "elearning.xlsx"
    }  # fmt: skip

    with transaction.atomic():
        import_history(tmp_path / "csv")
        from_csv = report()
        transaction.set_rollback(True)
    assert from_csv["events"]["delivered"] > 0 and from_csv["places"]["attended"] > 0

    summary = import_history(tmp_path / "cells")
    assert {name: c.imported for name, c in summary.files.items()} == {
        name.replace(".csv", ".xlsx"): n for name, n in counts.items()
    }
    assert report() == from_csv
    after = snapshot()

    # The same set again, and the same history as UK text dates: every row found, unchanged.
    for directory in ("cells", "text"):
        again = import_history(tmp_path / directory)
        assert all(c.imported == c.updated == 0 for c in again.files.values()), again.lines()
        assert snapshot() == after
    assert report() == from_csv
