"""Compliance with the competency framework, for the L&D lead: by organisation and priority
area, the share of staff trained to the level their job role needs and in date.

The figures come from competency.selectors.compliance; anything shared (the CSV, the annual
section) goes through reports.suppression.suppress_compliance, the reports' own small-group rule
and threshold (settings.REPORT_MIN_GROUP_SIZE)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from competency.models import Requirement
from competency.selectors import compliance
from core.clock import london_today
from reports.suppression import COMPLIANCE_RULE, min_group_size, suppress_compliance
from reports.tables import Table

DENOMINATOR_COUNT = "staff count"
DENOMINATOR_ACCOUNTS = "people whose job role needs the area"


def compliance_rows(
    *, sector: str = "", priority_area_id: int | None = None, today: date | None = None
) -> list[dict]:
    """The selector's rows as dicts (the shape the suppression and the tables work on)."""
    rows = []
    for row in compliance(sector=sector, priority_area_id=priority_area_id, today=today):
        data = asdict(row)
        data |= {
            "denominator": row.denominator,
            "denominator_source": DENOMINATOR_COUNT
            if row.from_staff_count
            else DENOMINATOR_ACCOUNTS,
            "percent": row.percent,
            "measured": row.measured,
            "staff_counted": row.staff_counted,
            "over_count": row.over_count,
        }
        rows.append(data)
    return rows


def compliance_shared(rows: list[dict], min_size: int | None = None) -> list[dict]:
    return suppress_compliance(rows, min_size)


def compliance_table(rows: list[dict]) -> Table:
    return Table(
        "compliance",
        "Compliance by organisation and priority area",
        [
            ("organisation", "Organisation"),
            ("sector", "Sector"),
            ("priority_area", "Priority area"),
            ("in_date", "Staff trained to the level needed, in date"),
            ("denominator", "Staff counted"),
            ("denominator_source", "Counted from"),
            ("percent", "In date (%)"),
        ],
        rows,
        numeric={"in_date", "denominator", "percent"},
    )


def compliance_rule(min_size: int | None = None) -> str:
    return COMPLIANCE_RULE.format(n=min_group_size() if min_size is None else min_size)


def _pct(value: float) -> str:
    return f"{round(value):d}%"


def compliance_sentences(
    *, sector: str = "", min_group: int | None = None, today: date | None = None
) -> list[str]:
    """The annual section's paragraph on compliance, from the organisations that gave a staff
    count; nothing without a framework, without a staff count, or when small-group rules hide it.
    """
    if not Requirement.objects.exists():
        return []
    today = today or london_today()
    min_size = min_group_size() if min_group is None else min_group
    rows = [r for r in compliance_rows(sector=sector, today=today) if r["staff_count"]]
    if not rows:
        return []
    staff = {r["organisation_id"]: r["staff_count"] for r in rows}
    total = sum(staff.values())
    if total < min_size:
        return []
    # Each person counts once: in date in every area their job role needs.
    all_in_date = {r["organisation_id"]: r["all_in_date"] for r in rows}
    overall = 100 * min(sum(all_in_date.values()), total) / total
    by_area: dict[str, int] = {}
    for r in rows:
        by_area[r["priority_area"]] = by_area.get(r["priority_area"], 0) + min(
            r["in_date"], r["staff_count"]
        )
    n = len(staff)
    organisations = "organisation" if n == 1 else "organisations"
    sentence = (
        f"On {today.day} {today:%B %Y}, across {n} {organisations} that gave a staff count "
        f"({total:,} staff), {_pct(overall)} of staff were trained to the level their role "
        "needs in every priority area and in date"
    )
    if by_area:
        lowest = min(by_area, key=lambda name: (by_area[name], name))
        sentence += f"; lowest in {lowest} ({_pct(100 * by_area[lowest] / total)})"
    return [sentence + "."]
