"""Write report_build's whole result as JSON for a set of configurations (identity checks).

A performance change must leave every output identical. Run this against a data set before the
change and after it, then diff the two directories byte for byte:

    DATABASE_URL=sqlite:///var/bench/sqlite/bench-100.sqlite3 \
        python -m bench.snapshot --out /tmp/before-s100
    ... change ...
    DATABASE_URL=... python -m bench.snapshot --out /tmp/after-s100
    diff -r /tmp/before-s100 /tmp/after-s100

Each configuration is one file: keys in the order report_build gives them, floats by repr (so the
unrounded p-values are compared to the last bit). The filters are chosen from the data (the
busiest course, priority area and organisation; the first audience, delivery mode and sector),
so the same data set gives the same configurations.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import date
from pathlib import Path

TEN_YEARS = (date(2015, 4, 1), date(2025, 3, 31))
YEAR = (date(2022, 4, 1), date(2023, 3, 31))
QUARTER = (date(2022, 7, 1), date(2022, 9, 30))
EMPTY = (date(2000, 1, 1), date(2000, 12, 31))


def configurations() -> dict[str, dict]:
    """name -> report_build keyword arguments."""
    from django.db.models import Count

    from bookings.models import Booking
    from courses.models import Course
    from people.models import Organisation
    from reports.selectors import ReportFilters

    course = (
        Course.objects.annotate(n=Count("events")).order_by("-n", "id").values_list("id", flat=True)
    ).first()
    area = (
        Course.objects.exclude(priority_area=None)
        .values("priority_area_id")
        .annotate(n=Count("events"))
        .order_by("-n", "priority_area_id")
        .values_list("priority_area_id", flat=True)
    ).first()
    organisation = (
        Booking.objects.exclude(organisation=None)
        .values("organisation_id")
        .annotate(n=Count("id"))
        .order_by("-n", "organisation_id")
        .values_list("organisation_id", flat=True)
    ).first()
    sectors = list(
        Organisation.objects.order_by("sector").values_list("sector", flat=True).distinct()
    )
    configs: dict[str, dict] = {
        "ten-years": {"start": TEN_YEARS[0], "end": TEN_YEARS[1]},
        "year": {"start": YEAR[0], "end": YEAR[1]},
        "quarter": {"start": QUARTER[0], "end": QUARTER[1]},
        "empty": {"start": EMPTY[0], "end": EMPTY[1]},
        "year-shared": {"start": YEAR[0], "end": YEAR[1], "shared": True},
        "ten-years-shared": {"start": TEN_YEARS[0], "end": TEN_YEARS[1], "shared": True},
        "year-audience": {
            "start": YEAR[0], "end": YEAR[1],
            "filters": ReportFilters(audience=Course.Audience.values[0]),
        },
        "year-delivery-mode": {
            "start": YEAR[0], "end": YEAR[1],
            "filters": ReportFilters(delivery_mode=Course.DeliveryMode.values[0]),
        },
    }  # fmt: skip
    if course:
        configs["year-course"] = {
            "start": YEAR[0], "end": YEAR[1], "filters": ReportFilters(course=course)
        }  # fmt: skip
    if area:
        configs["ten-years-priority"] = {
            "start": TEN_YEARS[0], "end": TEN_YEARS[1],
            "filters": ReportFilters(priority_area=area),
        }  # fmt: skip
    if organisation:
        configs["year-organisation"] = {
            "start": YEAR[0], "end": YEAR[1], "filters": ReportFilters(organisation=organisation)
        }  # fmt: skip
        configs["ten-years-organisation-shared"] = {
            "start": TEN_YEARS[0], "end": TEN_YEARS[1], "shared": True,
            "filters": ReportFilters(organisation=organisation),
        }  # fmt: skip
    if sectors:
        configs["year-sector"] = {
            "start": YEAR[0], "end": YEAR[1], "filters": ReportFilters(sector=sectors[0])
        }  # fmt: skip
    return configs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--only", default="", help="comma-separated configuration names")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from reports.report import report_build

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    only = {name for name in args.only.split(",") if name}
    for name, kwargs in configurations().items():
        if only and name not in only:
            continue
        started = time.perf_counter()
        report = report_build(**kwargs)
        seconds = time.perf_counter() - started
        (out / f"{name}.json").write_text(json.dumps(report, indent=1, default=str) + "\n")
        print(f"{name}: {seconds:.2f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
