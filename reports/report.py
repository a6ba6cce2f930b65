"""One entry point for every output (pages, exports, commands): load the frames, compute."""

from __future__ import annotations

from datetime import date

from reports import metrics
from reports.selectors import ReportFilters, filter_labels, previous_period, report_frames
from reports.suppression import suppress_report


def report_build(
    *,
    start: date,
    end: date,
    filters: ReportFilters | None = None,
    shared: bool = False,
    min_group_size: int | None = None,
) -> dict:
    """The training report for start..end (and the previous period, for comparison).

    `shared`: the report leaves the L&D team (an organisation manager's view, the annual
    section): every figure based on fewer than settings.REPORT_MIN_GROUP_SIZE people is blanked
    here, once, by reports.suppression, so every page and export built from it inherits that.
    """
    filters = filters or ReportFilters()
    prev_start, _ = previous_period(start, end)
    frames = report_frames(start=start, end=end, filters=filters, load_from=prev_start)
    report = metrics.training_report(frames, start=start, end=end, filters=filters)
    if shared:
        report = suppress_report(report, min_group_size)
    report["filter_labels"] = filter_labels(filters)
    report["shared"] = shared
    return report
