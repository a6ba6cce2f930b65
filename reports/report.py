"""One entry point for every output (pages, exports, commands): load the frames, compute."""

from __future__ import annotations

from datetime import date

from evaluations.metrics import suppress_small_groups
from reports import metrics
from reports.selectors import ReportFilters, filter_labels, previous_period, report_frames


def report_build(
    *, start: date, end: date, filters: ReportFilters | None = None, shared: bool = False
) -> dict:
    """The training report for start..end (and the previous period, for comparison).

    `shared`: the report leaves the L&D team (an organisation manager's view): evaluation
    figures of groups below settings.REPORT_MIN_GROUP_SIZE respondents are blanked.
    """
    filters = filters or ReportFilters()
    prev_start, _ = previous_period(start, end)
    frames = report_frames(start=start, end=end, filters=filters, load_from=prev_start)
    report = metrics.training_report(frames, start=start, end=end, filters=filters)
    report["filter_labels"] = filter_labels(filters)
    report["shared"] = shared
    if shared:
        for key in ("evaluation_by_priority", "evaluation_by_course"):
            report[key] = suppress_small_groups(
                report[key], size="learning_gain.n_post", keep=("group", "priority", "course")
            )
    return report
