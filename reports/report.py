"""One entry point for every output (pages, exports, commands): load the frames, compute."""

from __future__ import annotations

from datetime import date

from django.conf import settings

from bookings.models import Booking
from courses.models import Event
from evaluations import impact
from evaluations.metrics import suppress_small_groups
from reports import metrics
from reports.selectors import (
    ReportFilters,
    filter_labels,
    period_events,
    previous_period,
    report_frames,
)


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
    report["stage2_impact"] = _stage2_impact(start, end, filters, frames, shared)
    report["filter_labels"] = filter_labels(filters)
    report["shared"] = shared
    if shared:
        for key in ("evaluation_by_priority", "evaluation_by_course"):
            report[key] = suppress_small_groups(
                report[key], size="learning_gain.n_post", keep=("group", "priority", "course")
            )
    return report


def _stage2_impact(start, end, filters, frames, shared: bool) -> dict:
    """Stage 2 from delegates and line managers side by side (evaluations.impact)."""
    delivered = period_events(start, end, filters).filter(status=Event.Status.DELIVERED)
    rows = impact.stage2_rows(Booking.objects.filter(event__in=delivered.values("pk")))
    # The frames' bookings carry the organisation filters.
    rows = rows[rows["booking_id"].isin(frames.eval_bookings["booking_id"])]
    return impact.stage2_impact(rows, min_group=settings.REPORT_MIN_GROUP_SIZE if shared else None)
