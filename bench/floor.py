"""The floor: the report's headline figures computed by ONE hand-written SQL aggregate query.

Nothing but the database does the work: no ORM, no pandas, one row back. The report's cost is read
as a ratio to this query's time. The definitions are the report's (reports.metrics and
evaluations.metrics), so the figures must be equal; `headline_from_report` picks the same figures
out of the JSON report for the comparison.

Portable SQL (SQLite and PostgreSQL): the period's Europe/London day bounds are turned into UTC
instants in Python, so the query compares raw `start` values (and can use the index) instead of
converting every row's time zone.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from core.clock import day_bounds
from evaluations.metrics import round_half_up

# Figures compared with the report: name -> (path in the JSON report, rounding digits or None).
FIGURES = {
    "events_delivered": (("events", "delivered"), None),
    "events_cancelled": (("events", "cancelled"), None),
    "offered": (("places", "offered"), None),
    "used": (("places", "used"), None),
    "attended": (("places", "attended"), None),
    "did_not_attend": (("places", "did_not_attend"), None),
    "cancelled": (("places", "cancelled"), None),
    "organisations": (("organisations", "attended"), None),
    "elearning_completed": (("elearning", "completed"), None),
    "pre_completed": (("evaluations", "pre", "completed"), None),
    "post_completed": (("evaluations", "post", "completed"), None),
    "stage2_completed": (("evaluations", "stage2", "completed"), None),
    "pre_mean": (("learning_gain", "pre_mean"), 2),
    "post_mean": (("learning_gain", "post_mean"), 2),
}

USED = "('attended', 'partial', 'no_show')"
ATTENDED = "('attended', 'partial')"

FLOOR_SQL = f"""
WITH ev AS (
    SELECT id, status, capacity
    FROM courses_event
    WHERE start >= %(lo)s AND start < %(hi)s AND status IN ('delivered', 'cancelled')
),
bk AS (
    SELECT b.id, b.status, b.confirmed_at,
           COALESCE(b.organisation_id, u.organisation_id) AS org_id
    FROM bookings_booking b
    JOIN ev ON ev.id = b.event_id AND ev.status = 'delivered'
    JOIN people_user u ON u.id = b.person_id
),
item_score AS (
    SELECT a.response_id, AVG(a.rating) AS score
    FROM evaluations_answer a
    JOIN evaluations_item it ON it.id = a.item_id
    WHERE it.is_learning_gain = %(yes)s AND it.is_retrospective = %(no)s
    GROUP BY a.response_id
),
answer AS (
    SELECT i.booking_id, i.stage, COALESCE(s.score, r.imported_score) AS score
    FROM evaluations_invitation i
    JOIN evaluations_response r ON r.invitation_id = i.id
    LEFT JOIN item_score s ON s.response_id = r.id
    WHERE r.submitted_at IS NOT NULL AND i.respondent = 'delegate'
)
SELECT e.delivered, e.cancelled, e.offered,
       b.used, b.attended, b.did_not_attend, b.cancelled, b.organisations,
       (SELECT COUNT(*) FROM bookings_enrolment
        WHERE completed_at >= %(lo)s AND completed_at < %(hi)s) AS elearning_completed,
       a.pre_completed, a.post_completed, a.stage2_completed, a.pre_mean, a.post_mean
FROM (
    SELECT SUM(CASE WHEN status = 'delivered' THEN 1 ELSE 0 END) AS delivered,
           SUM(CASE WHEN status = 'cancelled' THEN 1 ELSE 0 END) AS cancelled,
           SUM(CASE WHEN status = 'delivered' THEN capacity ELSE 0 END) AS offered
    FROM ev
) e
CROSS JOIN (
    SELECT SUM(CASE WHEN bk.status IN {USED} THEN 1 ELSE 0 END) AS used,
           SUM(CASE WHEN bk.status IN {ATTENDED} THEN 1 ELSE 0 END) AS attended,
           SUM(CASE WHEN bk.status = 'no_show' THEN 1 ELSE 0 END) AS did_not_attend,
           SUM(CASE WHEN bk.status = 'cancelled' AND bk.confirmed_at IS NOT NULL
                    THEN 1 ELSE 0 END) AS cancelled,
           COUNT(DISTINCT CASE WHEN bk.status IN {ATTENDED}
                               THEN NULLIF(o.name_key, '') END) AS organisations
    FROM bk LEFT JOIN people_organisation o ON o.id = bk.org_id
) b
CROSS JOIN (
    SELECT COUNT(DISTINCT CASE WHEN an.stage = 'pre' AND bk.status IN {USED}
                               THEN bk.id END) AS pre_completed,
           COUNT(DISTINCT CASE WHEN an.stage = 'post' AND bk.status IN {ATTENDED}
                               THEN bk.id END) AS post_completed,
           COUNT(DISTINCT CASE WHEN an.stage = 'stage2' AND bk.status IN {ATTENDED}
                               THEN bk.id END) AS stage2_completed,
           AVG(CASE WHEN an.stage = 'pre' AND bk.status IN {USED} THEN an.score END) AS pre_mean,
           AVG(CASE WHEN an.stage = 'post' AND bk.status IN {ATTENDED}
                    THEN an.score END) AS post_mean
    FROM answer an JOIN bk ON bk.id = an.booking_id
) a
"""


def london_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[first instant of `start`, first instant after `end`) in Europe/London, as aware times."""
    return day_bounds(start, end)


def floor_params(connection, start: date, end: date) -> dict:
    lo, hi = london_bounds(start, end)
    adapt = connection.ops.adapt_datetimefield_value
    return {"lo": adapt(lo), "hi": adapt(hi), "yes": True, "no": False}


def _plain(value):
    if value is None:
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def floor_run(connection, start: date, end: date) -> dict:
    """Run the floor query (one statement) and return its figures, rounded like the report's."""
    with connection.cursor() as cursor:
        cursor.execute(FLOOR_SQL, floor_params(connection, start, end))
        row = cursor.fetchone()
    figures = {}
    for (name, (_, digits)), value in zip(FIGURES.items(), row, strict=True):
        value = _plain(value)
        if digits is None:
            figures[name] = int(value or 0)
        else:
            figures[name] = round_half_up(float(value), digits) if value is not None else None
    return figures


def headline_from_report(report: dict) -> dict:
    """The same figures, taken from the JSON report."""
    figures = {}
    for name, (path, _) in FIGURES.items():
        value = report
        for key in path:
            value = value[key]
        figures[name] = value
    return figures


def differences(floor: dict, report: dict) -> list[str]:
    """Figures that differ, as 'name: report X, SQL Y' lines (empty when all are equal)."""
    return [
        f"{name}: report {report.get(name)!r}, SQL {floor.get(name)!r}"
        for name in FIGURES
        if floor.get(name) != report.get(name)
    ]
