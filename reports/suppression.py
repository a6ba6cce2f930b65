"""Small-group suppression of a report shared outside the L&D team (issue 13, item 6).

Applied once, by `reports.report.report_build(shared=True)`, to the report dict, so every output
built from it (page, CSV, XLSX, charts and their text alternatives, the annual .docx) inherits it.

The rule (SUPPRESSION_RULE, shown on the shared pages):
- Primary: a figure computed from evaluations is blanked when fewer than
  settings.REPORT_MIN_GROUP_SIZE people are behind it: a return rate (and its counts) by the number
  asked; an average by its number of answers; the learning gain by the smaller of the two; every
  paired statistic by the paired n; non-response averages by each side's n; the response shift
  by its n. This holds for the headline, the previous period, each priority area, each course,
  each quarter, and so for the comparison built from them.
- Secondary: a total minus the groups shown must not give a hidden group away. In every set of
  groups that adds up to a shown total (priority areas, courses and quarters against the
  headline; the courses of one priority area against that area), when exactly one group is
  hidden for a figure, the shown group with the next smallest base is hidden too (repeated until
  no set has a single hidden group).
- Booking figures (places, attendance, cancellations and their reasons, rates) are the
  organisation's own records and are not suppressed.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings

from reports import trends

SUPPRESSION_RULE = (
    "Evaluation figures based on fewer than {n} people are not shown, and where one group alone "
    "would be hidden, the next smallest is hidden too, so it cannot be worked out from the total."
)
NOTE_HIDDEN = "Too few responses to show"
NOTE_SOME_HIDDEN = "Some figures not shown: too few responses"

Path = tuple[str, ...]


def _get(data: dict | None, path: Path):
    for part in path:
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


def _blank(data: dict, path: Path) -> None:
    *parents, last = path
    for part in parents:
        data = data.get(part) if isinstance(data, dict) else None
    if not isinstance(data, dict) or last not in data:
        return
    value = data[last]
    if isinstance(value, dict):
        for key in list(value):
            _blank(value, (key,))
    elif isinstance(value, list):
        data[last] = []
    else:
        data[last] = None


@dataclass(frozen=True)
class Figure:
    """Figures blanked together, and the number of people they are computed from."""

    name: str
    base: Callable[[dict], int | None]
    paths: tuple[Path, ...]


def _n(*path: str) -> Callable[[dict], int | None]:
    return lambda data: _get(data, path)


def _smaller(a: Callable, b: Callable) -> Callable[[dict], int | None]:
    def base(data: dict) -> int | None:
        values = [v for v in (a(data), b(data)) if v is not None]
        return min(values) if len(values) == 2 else None

    return base


def _stage(stage: str) -> tuple[Path, ...]:
    return (("evaluations", stage, "invited"), ("evaluations", stage, "completed"),
            ("evaluations", stage, "rate"), ("funnel", f"{stage}_answered"))  # fmt: skip


# The figures of one evaluation summary (headline, previous period, one priority area or course).
SUMMARY_FIGURES = (
    Figure(
        "pre_return",
        _n("evaluations", "pre", "invited"),
        _stage("pre") + (("learning_gain", "n_pre"),),
    ),
    Figure(
        "post_return",
        _n("evaluations", "post", "invited"),
        _stage("post")
        + (
            ("learning_gain", "n_post"),
            ("learning_gain", "warnings"),
            ("non_response", "returned", "n"),
            ("non_response", "not_returned", "n"),
        ),
    ),
    Figure("stage2_return", _n("evaluations", "stage2", "invited"), _stage("stage2")),
    Figure(
        "pre_mean",
        _n("learning_gain", "n_pre"),
        (("learning_gain", "pre_mean"), ("learning_gain", "response_shift", "pre_mean")),
    ),
    Figure("post_mean", _n("learning_gain", "n_post"), (("learning_gain", "post_mean"),)),
    Figure(
        "gain",
        _smaller(_n("learning_gain", "n_pre"), _n("learning_gain", "n_post")),
        (("learning_gain", "gain"),),
    ),
    Figure("paired", _n("learning_gain", "paired", "n"), (("learning_gain", "paired"),)),
    Figure(
        "shift",
        _n("learning_gain", "response_shift", "n"),
        (
            ("learning_gain", "response_shift", "n"),
            ("learning_gain", "response_shift", "then_mean"),
        ),
    ),
    Figure(
        "shift_paired",
        _n("learning_gain", "response_shift", "paired", "n"),
        (("learning_gain", "response_shift", "paired"),),
    ),
    Figure(
        "returned_pre",
        _n("non_response", "returned", "n"),
        (("non_response", "returned", "pre_mean"), ("non_response", "difference")),
    ),
    Figure(
        "not_returned_pre",
        _n("non_response", "not_returned", "n"),
        (("non_response", "not_returned", "pre_mean"), ("non_response", "difference")),
    ),
)

# A quarter's row of the trend table, and the summary figure each column belongs to.
QUARTER_FIGURES = (
    Figure("pre_return", _n("pre_invited"), (("pre_invited",), ("pre_completed",), ("pre_rate",))),
    Figure(
        "post_return",
        _n("post_invited"),
        (("post_invited",), ("post_completed",), ("post_rate",)),
    ),
    Figure(
        "stage2_return",
        _n("stage2_invited"),
        (("stage2_invited",), ("stage2_completed",), ("stage2_rate",)),
    ),
    Figure("pre_mean", _n("n_pre"), (("pre_mean",), ("n_pre",))),
    Figure("post_mean", _n("n_post"), (("post_mean",), ("n_post",))),
    Figure("gain", _smaller(_n("n_pre"), _n("n_post")), (("gain",),)),
)


KNOWN_STAGES = {"pre", "post", "stage2"}
KNOWN_GAIN_KEYS = {"pre_mean", "post_mean", "gain", "n_pre", "n_post", "paired", "response_shift"}
KNOWN_GAIN_KEYS |= {"warnings"}


def summary_figures(report: dict) -> tuple[Figure, ...]:
    """SUMMARY_FIGURES, and figures evaluations.metrics may add later, so none slips through:
    another stage's return (by its number asked) and any other learning-gain figure (by the
    smaller of the pre and post answers). Give a new figure its own base here when it has one."""
    extra = [
        Figure(f"{stage}_return", _n("evaluations", stage, "invited"), _stage(stage))
        for stage, value in (report.get("evaluations") or {}).items()
        if stage not in KNOWN_STAGES and isinstance(value, dict)
    ]
    unknown = sorted(set(report.get("learning_gain") or {}) - KNOWN_GAIN_KEYS)
    if unknown:
        extra.append(
            Figure(
                "gain_other",
                _smaller(_n("learning_gain", "n_pre"), _n("learning_gain", "n_post")),
                tuple(("learning_gain", key) for key in unknown),
            )
        )
    return SUMMARY_FIGURES + tuple(extra)


def min_group_size() -> int:
    return int(settings.REPORT_MIN_GROUP_SIZE)


class _Plan:
    """Which figures of which groups to hide; groups are any dicts, known by id()."""

    def __init__(self, min_size: int):
        self.min_size = min_size
        self.hidden: set[tuple[int, str]] = set()
        self.bases: dict[tuple[int, str], int] = {}

    def primary(self, group: dict, figures: Iterable[Figure]) -> None:
        for figure in figures:
            base = figure.base(group) or 0
            self.bases[(id(group), figure.name)] = base
            if base < self.min_size:
                self.hidden.add((id(group), figure.name))

    def is_hidden(self, group: dict, name: str) -> bool:
        return (id(group), name) in self.hidden

    def secondary(self, total: dict, groups: list[dict], names: Iterable[str]) -> bool:
        """Hide the next smallest group where exactly one is hidden; True if anything changed."""
        changed = False
        for name in names:
            if self.is_hidden(total, name):
                continue
            # A hidden group with nothing behind it (no one asked) gives nothing away.
            hidden = [
                g
                for g in groups
                if self.is_hidden(g, name) and self.bases.get((id(g), name), 0) > 0
            ]
            shown = [g for g in groups if not self.is_hidden(g, name)]
            if len(hidden) == 1 and shown:
                smallest = min(shown, key=lambda g: self.bases.get((id(g), name), 0))
                self.hidden.add((id(smallest), name))
                changed = True
        return changed

    def apply(self, group: dict, figures: Iterable[Figure]) -> bool:
        """Blank the hidden figures of `group`; True if any was hidden."""
        any_hidden = False
        for figure in figures:
            if self.is_hidden(group, figure.name):
                any_hidden = True
                for path in figure.paths:
                    _blank(group, path)
        return any_hidden


def suppress_report(report: dict, min_size: int | None = None) -> dict:
    """A copy of `report` (reports.metrics.training_report) with small groups' figures blanked."""
    min_size = min_group_size() if min_size is None else min_size
    report = copy.deepcopy(report)
    plan = _Plan(min_size)
    figures = summary_figures(report)
    names = [f.name for f in figures]
    quarter_names = [f.name for f in QUARTER_FIGURES]
    by_priority = report.get("evaluation_by_priority", [])
    by_course = report.get("evaluation_by_course", [])
    quarters = report.get("quarters", [])

    for group in (report, report["previous"], *by_priority, *by_course):
        plan.primary(group, figures)
    for group in quarters:
        plan.primary(group, QUARTER_FIGURES)

    # The courses of each priority area add up to that area's row.
    priority_of_course = {r["course_id"]: r["priority"] for r in report.get("by_course", [])}
    sets = [(report, by_priority, names), (report, by_course, names)]
    sets.append((report, quarters, quarter_names))
    for area in by_priority:
        courses = [r for r in by_course if priority_of_course.get(r["group"]) == area["priority"]]
        sets.append((area, courses, names))
    while any([plan.secondary(total, groups, n) for total, groups, n in sets]):
        pass

    plan.apply(report, figures)
    plan.apply(report["previous"], figures)
    for row in (*by_priority, *by_course):
        row["suppressed"] = plan.apply(row, figures)
        row["suppressed_all"] = all(plan.is_hidden(row, name) for name in names)
    for row in quarters:
        plan.apply(row, QUARTER_FIGURES)
    report["comparison"] = trends.comparison(report, report["previous"])
    report["suppression"] = {
        "min_group_size": min_size,
        "rule": SUPPRESSION_RULE.format(n=min_size),
    }
    return report


# --- compliance with the competency framework (reports.compliance) -------------------------

COMPLIANCE_RULE = (
    "Figures for an organisation with fewer than {n} staff counted are not shown, and where one "
    "organisation alone would be hidden in a priority area, the next smallest is hidden too."
)
COMPLIANCE_FIGURES = (
    Figure(
        "compliance",
        _n("denominator"),
        (
            ("in_date",),
            ("required",),
            ("with_role",),
            ("all_in_date",),
            ("denominator",),
            ("percent",),
        ),
    ),
)


def suppress_compliance(rows: list[dict], min_size: int | None = None) -> list[dict]:
    """A copy of compliance rows (one per organisation and priority area) with small groups'
    figures blanked, by the same rule as the reports: primary by the number of staff counted,
    secondary across the organisations of each priority area (they add up to its total)."""
    min_size = min_group_size() if min_size is None else min_size
    rows = copy.deepcopy(rows)
    plan = _Plan(min_size)
    for row in rows:
        plan.primary(row, COMPLIANCE_FIGURES)
    by_area: dict = {}
    for row in rows:
        by_area.setdefault(row["priority_area_id"], []).append(row)
    totals = {area: {} for area in by_area}  # the area's total is always shown
    names = [f.name for f in COMPLIANCE_FIGURES]
    while any([plan.secondary(totals[area], group, names) for area, group in by_area.items()]):
        pass
    for row in rows:
        row["suppressed"] = plan.apply(row, COMPLIANCE_FIGURES)
    return rows
