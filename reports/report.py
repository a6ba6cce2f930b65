"""One entry point for every output (pages, exports, commands): load the frames, compute."""

from __future__ import annotations

from datetime import date

from evaluations import impact
from reports import metrics
from reports.selectors import (
    ReportFilters,
    delivered_event_bookings,
    filter_labels,
    previous_period,
    report_frames,
)
from reports.suppression import min_group_size as default_min_group_size
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
    min_group = None
    if shared:
        min_group = default_min_group_size() if min_group_size is None else min_group_size
    report["stage2_impact"] = _stage2_impact(start, end, filters, frames, min_group)
    report["filter_labels"] = filter_labels(filters)
    report["shared"] = shared
    return report


def _stage2_impact(start, end, filters, frames, min_group: int | None) -> dict:
    """Stage 2 from delegates and line managers side by side (evaluations.impact)."""
    rows = impact.stage2_rows(delivered_event_bookings(start, end, filters))
    # The frames' bookings carry the organisation filters.
    rows = rows[rows["booking_id"].isin(frames.eval_bookings["booking_id"])]
    return impact.stage2_impact(rows, min_group=min_group)
