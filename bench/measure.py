"""One data set in one database: import it (timed), then time and count the queries of each output.

Run by bench.run in a child process per database and scale (the database comes from DATABASE_URL,
read once by config.settings), or called in-process by the smoke test:

    python -m bench.measure --csv-dir DIR --out result.json [--runs 3]

Outputs measured, each cold (the first call in the process, right after the import, in a process
warmed as a web worker is before its first request: reports.warm.warm_imports, from
deploy/gunicorn.conf.py; the charts are not in the cache, so the cold page draws them) and then
`runs` warm times (the median is reported):
- page: the uptake page (reports:uptake) through the test Client, signed in as the L&D lead;
- json: `manage.py training_report --format json` (call_command, stdout captured);
- xlsx: the XLSX export (reports:uptake_xlsx) through the test Client;
- floor: the same headline figures by one hand-written SQL query (bench.floor).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

# The report period: the longest the page accepts (10 years). The sample history runs from April
# 2010 to early 2025, and the report also loads the previous 10 years for its comparison, so every
# row of the data set is read.
START, END = date(2015, 4, 1), date(2025, 3, 31)
LEAD_EMAIL = "bench.lead@example.org"
OUTPUTS = ("page", "json", "xlsx", "floor")


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def import_dataset(csv_dir: str | Path) -> dict:
    """Import the CSVs with imports.services.import_history; seconds and rows per file."""
    from imports.services import import_history

    started = time.perf_counter()
    summary = import_history(Path(csv_dir))
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": {name: c.rows for name, c in summary.files.items()}}


def _lead():
    from people.models import User
    from people.roles import LEAD
    from people.services import person_set_roles

    user = User.objects.filter(email=LEAD_EMAIL).first()
    if user is None:
        user = User.objects.create_user(LEAD_EMAIL, full_name="Bench Lead")
    return person_set_roles(person=user, roles=[LEAD])


def _timed(call) -> tuple[float, int, object]:
    """(seconds, SQL queries, result) of one call."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = call()
        seconds = time.perf_counter() - started
    return seconds, len(queries), result


def _callables(start: date, end: date):
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from bench.floor import floor_run

    client = Client()
    client.force_login(_lead())
    params = {"start": start.isoformat(), "end": end.isoformat()}

    def get(name):
        def call():
            response = client.get(reverse(name), params)
            if response.status_code != 200:
                raise RuntimeError(f"{name} answered {response.status_code}")
            return response.content

        return call

    def json_report():
        out = io.StringIO()
        call_command("training_report", start=params["start"], end=params["end"],
                     format="json", stdout=out)  # fmt: skip
        return json.loads(out.getvalue())

    return {
        "page": get("reports:uptake"),
        "json": json_report,
        "xlsx": get("reports:uptake_xlsx"),
        "floor": lambda: floor_run(connection, start, end),
    }


def measure(*, runs: int = 3, start: date = START, end: date = END) -> dict:
    """Cold and warm timings and query counts of each output; the figures compared."""
    from bench.floor import differences, headline_from_report
    from reports.warm import warm_imports

    calls = _callables(start, end)
    warm_imports()  # what a web worker does before its first request (post_worker_init)
    results: dict = {"period": {"start": start.isoformat(), "end": end.isoformat()}}
    results["first_page"] = _first_page(calls["page"], start, end)
    last: dict = {}
    timings = {name: {"cold": None, "warm": [], "queries": []} for name in OUTPUTS}
    for round_ in range(runs + 1):
        for name in OUTPUTS:
            seconds, queries, last[name] = _timed(calls[name])
            entry = timings[name]
            entry["queries"].append(queries)
            if round_ == 0:
                entry["cold"] = seconds
            else:
                entry["warm"].append(seconds)
    for entry in timings.values():
        entry["median"] = statistics.median(entry["warm"]) if entry["warm"] else entry["cold"]
    results["outputs"] = timings
    report_figures = headline_from_report(last["json"])
    results["figures"] = {"report": report_figures, "floor": last["floor"]}
    results["differences"] = differences(last["floor"], report_figures)
    results["sizes"] = {"page_bytes": len(last["page"]), "xlsx_bytes": len(last["xlsx"])}
    return results


def _first_page(page, start: date, end: date) -> dict:
    """The first report page a lead opens after an import, in a fresh web worker: the worker's
    task has drawn that view's charts (reports.warm, after `data_imported`), untimed; then the
    page, timed once. The cache is emptied afterwards, so the table's cold page still draws its
    charts itself, as it always has."""
    from django.core.cache import cache

    from reports.warm import view_charts_draw

    started = time.perf_counter()
    charts = view_charts_draw(start=start, end=end)
    drawn = time.perf_counter() - started
    seconds, queries, _ = _timed(page)
    cache.clear()  # charts only: sessions are in the database (django.contrib.sessions.backends.db)
    return {"seconds": seconds, "queries": queries, "charts": charts, "charts_seconds": drawn}


def _load() -> list[float]:
    return list(os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv-dir", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--analyze", action="store_true",
        help="PostgreSQL: ANALYZE after the import (what autovacuum does within a minute)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    _setup_django()
    from django.db import connection

    load_before = _load()
    imported = import_dataset(args.csv_dir)
    if args.analyze:
        imported["analyze_seconds"] = analyze(connection)
    load_after_import = _load()
    results = measure(runs=args.runs)
    results.update(
        vendor=connection.vendor,
        server_version=_server_version(connection),
        imported=imported,
        load={"before": load_before, "after_import": load_after_import, "after": _load()},
    )
    Path(args.out).write_text(json.dumps(results, indent=2))
    return 0


def analyze(connection) -> float | None:
    """PostgreSQL: gather the planner's statistics (seconds taken); None elsewhere.

    A fresh import has none until autovacuum analyses the tables (within a minute of the load on
    a default server; never where autovacuum is off, as on the bench machine). Without them the
    planner guesses one row per event and chooses nested loops over 150,000 bookings.
    """
    if connection.vendor != "postgresql":
        return None
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return time.perf_counter() - started


def _server_version(connection) -> str:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return cursor.fetchone()[0]
    import sqlite3

    return sqlite3.sqlite_version


if __name__ == "__main__":
    sys.exit(main())
