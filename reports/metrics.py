"""Every figure of the uptake report and the annual-report section, computed with pandas.

Pure functions over `reports.selectors.ReportFrames`; evaluation figures (return rates, learning
gain, funnel, non-response) come from `evaluations.metrics`, never re-implemented here.

Definitions (issue 5):
- delivered: events with status "delivered"; cancelled: events the organiser cancelled.
- offered = sum of the capacity of delivered events; used = attended + partial + did not attend;
  attended = attended + partial (partial is also shown alone); did not attend = no_show.
- cancelled beforehand = a delegate's cancellation of a confirmed place (status "cancelled" with
  confirmed_at set); leaving a waiting list (confirmed_at empty), hand-overs, moves and lapsed
  offers are not cancellations. Late ones (cancelled_late) are also shown alone.
- fill rate = used / offered, percent, 1 dp. Offered is the whole programme's, so a fill rate
  means nothing for one organisation or sector: for those, the place rates below.
- places booked = used + cancelled beforehand (the places delegates held at some point).
  Place rates, each a percent (1 dp) of places booked: used, attended, did not attend, late
  cancellation (used + cancelled beforehand = 100; attended + did not attend + cancelled = 100).
- half day or less: duration <= 4 hours (in real elapsed time, across clock changes); an event of
  several sessions counts its sessions' total, not its first start to its last end.
- organisations and sectors among attendees: distinct organisations (by name, ignoring case and
  spacing) and sectors of attended bookings.
- low uptake: a priority area's fill rate is flagged when it is below LOW_UPTAKE_FACTOR (0.75)
  times the median fill rate of the other priority areas that offered places. The median of the
  others (not the mean of all) keeps one very low or very high area from hiding itself.
- places lost per organisation = did not attend + late cancellations: places that were too late
  to offer to someone else.
- quarters: consecutive three-month blocks from the period's first day (1 April -> Q1 = April to
  June); previous period: the same number of days, ending the day before the period starts.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from courses.models import HALF_DAY_MAX, Course, reporting_year_of
from evaluations import metrics as em
from reports.places import (
    ATTENDED,
    CANCELLED,
    DELIVERED,
    USED,
    percent,
    place_counts,
    rates_of,
)
from reports.selectors import NO_ORGANISATION, ReportFilters, ReportFrames, previous_period
from reports.trends import by_quarter, comparison

LOW_UPTAKE_FACTOR = 0.75
LOW_UPTAKE_RULE = (
    "A priority area is flagged for low uptake when its fill rate is below 0.75 times the "
    "median fill rate of the other priority areas that offered places."
)
NOT_GIVEN = "No reason given"
AUDIENCES = [a.value for a in Course.Audience]


# --- slicing the frames ------------------------------------------------------------------------


def frames_between(frames: ReportFrames, start: date, end: date) -> ReportFrames:
    """The frames restricted to events starting / completions made within start..end."""
    events = frames.events[(frames.events["day"] >= start) & (frames.events["day"] <= end)]
    event_ids = events["event_id"]
    bookings = frames.bookings[frames.bookings["event_id"].isin(event_ids)]
    enrolments = frames.enrolments[
        (frames.enrolments["day"] >= start) & (frames.enrolments["day"] <= end)
    ]
    eval_bookings = frames.eval_bookings[frames.eval_bookings["event_id"].isin(event_ids)]
    responses = frames.responses[frames.responses["booking_id"].isin(eval_bookings["booking_id"])]
    return ReportFrames(events, bookings, enrolments, eval_bookings, responses, frames.priorities)


# --- uptake ------------------------------------------------------------------------------------


def event_figures(events: pd.DataFrame) -> dict:
    """Delivered and cancelled events, by audience and by length."""
    delivered = events[events["status"] == DELIVERED]
    half = delivered["duration"] <= pd.Timedelta(HALF_DAY_MAX)
    n = len(delivered)
    by_audience = delivered["audience"].value_counts()
    return {
        "delivered": n,
        "cancelled": int((events["status"] == CANCELLED).sum()),
        "half_day_or_less": int(half.sum()),
        "full_day": int((~half).sum()),
        "half_day_or_less_percent": percent(int(half.sum()), n),
        "full_day_percent": percent(int((~half).sum()), n),
        "by_audience": {a: int(by_audience.get(a, 0)) for a in AUDIENCES},
    }


def place_figures(events: pd.DataFrame, bookings: pd.DataFrame) -> dict:
    """Places offered, used, attended, did not attend, cancelled; the fill rate."""
    offered = int(events.loc[events["status"] == DELIVERED, "capacity"].sum())
    counts = place_counts(bookings)
    return {
        "offered": offered,
        **counts,
        "fill_rate": percent(counts["used"], offered),
        **rates_of(counts),
    }


def organisation_figures(bookings: pd.DataFrame) -> dict:
    """Distinct organisations and sectors among the delegates who attended."""
    # Only the columns counted: copying every column of 100,000 bookings costs more than counting.
    attended = bookings.loc[bookings["status"].isin(ATTENDED), ["organisation_key", "sector"]]
    return {
        "attended": int(attended["organisation_key"].dropna().nunique()),
        "sectors": int(attended["sector"].dropna().nunique()),
    }


def evaluations_of(frames: ReportFrames) -> em.Evaluations:
    """The frames' evaluation bookings and their counted answers (evaluations.metrics)."""
    return em.Evaluations.from_frames(frames.eval_bookings, frames.responses)


def headline(frames: ReportFrames, evaluations: em.Evaluations | None = None) -> dict:
    """The figures of one period (no breakdowns).

    `evaluations`: evaluations_of(frames), when the caller has it.
    """
    evaluation = em.evaluation_summary(
        evaluations if evaluations is not None else evaluations_of(frames)
    )
    return {
        "events": event_figures(frames.events),
        "places": place_figures(frames.events, frames.bookings),
        "organisations": organisation_figures(frames.bookings),
        "elearning": {"completed": len(frames.enrolments)},
        "evaluations": evaluation["evaluations"],
        "learning_gain": evaluation["learning_gain"],
        "funnel": evaluation["funnel"],
        "non_response": evaluation["non_response"],
    }


def _priorities_shown(frames: ReportFrames, start: date, filters: ReportFilters) -> pd.DataFrame:
    """Priority areas active in the period's reporting year, plus any with data in it."""
    p = frames.priorities
    if filters.priority_area:
        return p[p["priority_area_id"] == filters.priority_area]
    year = reporting_year_of(start)
    active = (p["first_year"].isna() | (p["first_year"] <= year)) & (
        p["last_year"].isna() | (p["last_year"] >= year)
    )
    with_data = p["priority_area_id"].isin(frames.events["priority_area_id"]) | p[
        "priority_area_id"
    ].isin(frames.enrolments["priority_area_id"])
    return p[active | with_data]


def flag_low_uptake(rows: list[dict], factor: float = LOW_UPTAKE_FACTOR) -> list[dict]:
    """Set row["low_uptake"] by LOW_UPTAKE_RULE; rows without places offered are never flagged."""
    rates = {i: r["fill_rate"] for i, r in enumerate(rows) if r["offered"]}
    for i, row in enumerate(rows):
        others = [rate for j, rate in rates.items() if j != i]
        row["low_uptake"] = bool(
            i in rates and others and rates[i] < factor * float(pd.Series(others).median())
        )
    return rows


def by_priority(frames: ReportFrames, start: date, filters: ReportFilters) -> list[dict]:
    """Uptake per priority area beside its e-learning completions, with the low-uptake flag."""
    events, bookings = frames.events, frames.bookings
    # Every area at once: its events' figures, and its bookings' counts by group-by.
    event_counts = _event_counts_by(events, events["priority_area_id"].to_numpy())
    area_of = events.drop_duplicates("event_id").set_index("event_id")["priority_area_id"]
    place_counts = _place_counts_by(bookings, bookings["event_id"].map(area_of).to_numpy())
    completed = frames.enrolments["priority_area_id"].value_counts()
    rows = []
    for area in _priorities_shown(frames, start, filters).itertuples():
        counts = _row_or_zeros(event_counts, area.priority_area_id)
        places = _row_or_zeros(place_counts, area.priority_area_id)
        offered, used = int(counts["offered"]), int(places["used"])
        rows.append(
            {
                "priority": area.priority,
                "priority_area_id": int(area.priority_area_id),
                "events": int(counts["events"]),
                "events_cancelled": int(counts["events_cancelled"]),
                "offered": offered,
                "used": used,
                "attended": int(places["attended"]),
                "did_not_attend": int(places["did_not_attend"]),
                "cancelled": int(places["cancelled"]),
                "fill_rate": percent(used, offered),
                "elearning_completed": int(completed.get(area.priority_area_id, 0)),
                "cancelled_late": int(places["cancelled_late"]),
                **rates_of(places),
            }
        )
    return flag_low_uptake(rows)


def _row_or_zeros(counts: pd.DataFrame, key) -> pd.Series:
    """The counts of group `key`; zeros for a group without any row."""
    if key in counts.index:
        return counts.loc[key]
    return pd.Series(0, index=counts.columns)


def _event_counts_by(events: pd.DataFrame, keys) -> pd.DataFrame:
    """Events delivered and cancelled, places offered, per group of `keys` (order of appearance)."""
    delivered = events["status"] == DELIVERED
    return (
        pd.DataFrame(
            {
                "events": delivered.to_numpy(),
                "events_cancelled": (events["status"] == CANCELLED).to_numpy(),
                "offered": events["capacity"].where(delivered, 0).to_numpy(),
            }
        )
        .groupby(np.asarray(keys), sort=False)
        .sum()
    )


def _place_counts_by(bookings: pd.DataFrame, keys) -> pd.DataFrame:
    """_place_counts of each group of `keys` (aligned with the bookings), in order of appearance."""
    status = bookings["status"]
    cancelled = (status == CANCELLED) & bookings["confirmed"]
    flags = pd.DataFrame(
        {
            "used": status.isin(USED).to_numpy(),
            "attended": status.isin(ATTENDED).to_numpy(),
            "did_not_attend": (status == "no_show").to_numpy(),
            "cancelled": cancelled.to_numpy(dtype=bool),
            "cancelled_late": (cancelled & bookings["cancelled_late"]).to_numpy(dtype=bool),
        }
    )
    return flags.groupby(np.asarray(keys), sort=False).sum()


def by_course(frames: ReportFrames, priority_names: dict) -> list[dict]:
    """Uptake per course (delivered or cancelled events in the period), busiest first."""
    events, bookings = frames.events, frames.bookings
    if events.empty:
        return []
    # Every course at once: its events' figures, and its bookings' counts by group-by.
    first = events.drop_duplicates("course_id").set_index("course_id")
    event_counts = _event_counts_by(events, events["course_id"].to_numpy())
    course_of = events.drop_duplicates("event_id").set_index("event_id")["course_id"]
    place_counts = _place_counts_by(bookings, bookings["event_id"].map(course_of).to_numpy())
    rows = []
    for course_id, course, priority_area_id in zip(
        first.index, first["course"], first["priority_area_id"], strict=True
    ):
        counts = event_counts.loc[course_id]
        offered = int(counts["offered"])
        places = _row_or_zeros(place_counts, course_id)
        used = int(places["used"])
        rows.append(
            {
                "course": str(course),
                "course_id": int(course_id),
                "priority": priority_names.get(int(priority_area_id), ""),
                "events": int(counts["events"]),
                "events_cancelled": int(counts["events_cancelled"]),
                "offered": offered,
                "used": used,
                "attended": int(places["attended"]),
                "did_not_attend": int(places["did_not_attend"]),
                "cancelled": int(places["cancelled"]),
                "fill_rate": percent(used, offered),
                "cancelled_late": int(places["cancelled_late"]),
                **rates_of(places),
            }
        )
    rows.sort(key=lambda r: (-r["used"], r["course"]))
    return rows


def _reason_counts(reasons: pd.Series, late: pd.Series | None = None) -> list[dict]:
    reasons = reasons.fillna(NOT_GIVEN).replace("", NOT_GIVEN)
    # Each reason numbered once: counting by number, not by comparing every string per reason.
    numbers, names = pd.factorize(reasons)
    counts = np.bincount(numbers, minlength=len(names))
    total = int(counts.sum())
    if late is not None:
        late_counts = np.bincount(
            numbers, weights=late.to_numpy(dtype=bool), minlength=len(names)
        ).astype(np.int64)
    rows = []
    for number, (reason, count) in enumerate(zip(names, counts, strict=True)):
        row = {"reason": str(reason), "count": int(count), "percent": percent(int(count), total)}
        if late is not None:
            row["late"] = int(late_counts[number])
        rows.append(row)
    rows.sort(key=lambda r: (-r["count"], r["reason"]))
    return rows


def reasons(bookings: pd.DataFrame) -> dict[str, list[dict]]:
    """Why delegates cancelled beforehand, and why they did not attend (most common first)."""
    cancelled = bookings[(bookings["status"] == CANCELLED) & bookings["confirmed"]]
    no_show = bookings[bookings["status"] == "no_show"]
    return {
        "cancellation": _reason_counts(
            cancelled["cancellation_reason"], cancelled["cancelled_late"]
        ),
        "did_not_attend": _reason_counts(no_show["non_attendance_reason"]),
    }


def _most_common_names(numbers: np.ndarray, names: pd.Series) -> dict[int, str]:
    """Per organisation number: its most common name (the first in sort order on a tie).

    Names missing (NaN) are not counted; an organisation with none has no entry.
    """
    name_numbers, sorted_names = pd.factorize(names.to_numpy(), sort=True)
    named = name_numbers >= 0
    # Each (organisation, name) pair as one integer, counted by np.unique.
    width = max(len(sorted_names), 1)
    pairs, n = np.unique(
        numbers[named].astype(np.int64) * width + name_numbers[named], return_counts=True
    )
    organisation, name = np.divmod(pairs, width)
    # By organisation, then most common first, then the name's place in sort order.
    first = np.lexsort((name, -n, organisation))
    best = {}
    for number, name_number in zip(organisation[first], name[first], strict=True):
        best.setdefault(int(number), sorted_names[name_number])
    return best


def by_organisation(bookings: pd.DataFrame) -> list[dict]:
    """Per organisation: places held, attended, lost; most places lost first."""
    status = bookings["status"]
    counted = bookings.loc[
        status.isin(USED) | ((status == CANCELLED) & bookings["confirmed"]),
        ["status", "confirmed", "cancelled_late", "organisation_key", "organisation", "sector"],
    ]
    if counted.empty:
        return []
    # Organisations numbered once, in order of first appearance (the order of the rows before
    # sorting): grouping by number instead of by name string hashes the names once, not 6 times.
    numbers, keys = pd.factorize(counted["organisation_key"].fillna("").to_numpy())
    counts = _place_counts_by(counted, numbers)
    names = _most_common_names(numbers, counted["organisation"])
    sectors = pd.Series(counted["sector"].to_numpy()).groupby(numbers, sort=False).first()
    rows = []
    for number, c in zip(counts.index, counts.itertuples(index=False), strict=True):
        key, sector = keys[number], sectors.get(number)
        cancelled, cancelled_late = int(c.cancelled), int(c.cancelled_late)
        did_not_attend = int(c.did_not_attend)
        rows.append(
            {
                "organisation": str(names[number]) if key else NO_ORGANISATION,
                "sector": "" if sector is None or pd.isna(sector) else str(sector),
                "booked": int(c.used) + cancelled,
                "attended": int(c.attended),
                "did_not_attend": did_not_attend,
                "cancelled": cancelled,
                "cancelled_late": cancelled_late,
                "places_lost": did_not_attend + cancelled_late,
                **rates_of(c),
            }
        )
    rows.sort(key=lambda r: (-r["places_lost"], -r["booked"], r["organisation"]))
    return rows


def _evaluation_rows(
    frames: ReportFrames, column: str, names: dict, evaluations: em.Evaluations | None = None
) -> list:
    evaluations = evaluations if evaluations is not None else evaluations_of(frames)
    rows = em.evaluation_summary_by(evaluations, frames.eval_bookings[column])
    label = "priority" if column == "priority_area_id" else "course"
    for row in rows:
        row[label] = names.get(row["group"], "") if row["group"] is not None else ""
        row.pop("funnel", None)
    rows.sort(key=lambda r: r[label])
    return rows


def evaluation_by_priority(
    frames: ReportFrames, names: dict, evaluations: em.Evaluations | None = None
) -> list[dict]:
    """Return rates and learning gain per priority area (evaluations.metrics)."""
    return _evaluation_rows(frames, "priority_area_id", names, evaluations)


def evaluation_by_course(
    frames: ReportFrames, names: dict, evaluations: em.Evaluations | None = None
) -> list[dict]:
    """Return rates and learning gain per course (evaluations.metrics)."""
    return _evaluation_rows(frames, "course_id", names, evaluations)


def training_report(
    frames: ReportFrames, *, start: date, end: date, filters: ReportFilters | None = None
) -> dict:
    """The whole report for start..end from frames loaded from the previous period's start."""
    filters = filters or ReportFilters()
    period = frames_between(frames, start, end)
    prev_start, prev_end = previous_period(start, end)
    previous = frames_between(frames, prev_start, prev_end)
    priority_names = dict(
        zip(frames.priorities["priority_area_id"], frames.priorities["priority"], strict=True)
    )
    course_names = dict(zip(frames.events["course_id"], frames.events["course"], strict=True))

    # Who was invited and the counted answers once for both periods; each period takes its rows.
    evaluated = evaluations_of(frames)
    evaluations = evaluated.within(period.eval_bookings["booking_id"])
    figures = headline(period, evaluations)
    previous_figures = headline(previous, evaluated.within(previous.eval_bookings["booking_id"]))
    return {
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "filters": {k: v for k, v in filters.as_dict().items() if v},
        **figures,
        "by_priority": by_priority(period, start, filters),
        "low_uptake_rule": LOW_UPTAKE_RULE,
        "by_course": by_course(period, priority_names),
        "evaluation_by_priority": evaluation_by_priority(period, priority_names, evaluations),
        "evaluation_by_course": evaluation_by_course(period, course_names, evaluations),
        "reasons": reasons(period.bookings),
        "by_organisation": by_organisation(period.bookings),
        "quarters": by_quarter(period, start, end, evaluations),
        "previous": {
            "period": {"start": prev_start.isoformat(), "end": prev_end.isoformat()},
            **previous_figures,
        },
        "comparison": comparison(figures, previous_figures),
    }
