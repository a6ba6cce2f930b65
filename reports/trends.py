"""The report's quarters (trend rows) and its comparison with the previous period.

Quarters: consecutive three-month blocks from the period's first day (1 April -> Q1 = April to
June). Each quarter's figures are the headline's (reports.metrics), counted for all quarters at
once with array look-ups rather than one report per quarter.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from evaluations import metrics as em
from reports.places import (
    ATTENDED,
    CANCELLED,
    DELIVERED,
    USED,
    percent,
    rates_of,
    round_half_up,
)
from reports.selectors import ReportFrames


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    # The same day of the month, or the month's last day.
    for candidate in range(day.day, 27, -1):
        try:
            return date(year, month, candidate)
        except ValueError:
            continue
    return date(year, month, min(day.day, 28))


def quarters(start: date, end: date) -> list[tuple[date, date]]:
    """Three-month blocks from `start`, the last cut at `end`."""
    blocks, first = [], start
    while first <= end:
        last = min(add_months(first, 3) - timedelta(days=1), end)
        blocks.append((first, last))
        first = last + timedelta(days=1)
    return blocks


def _trend_row(figures: dict) -> dict:
    places, evaluations, gain = figures["places"], figures["evaluations"], figures["learning_gain"]
    return {
        "events": figures["events"]["delivered"],
        "events_cancelled": figures["events"]["cancelled"],
        "offered": places["offered"],
        "used": places["used"],
        "attended": places["attended"],
        "did_not_attend": places["did_not_attend"],
        "cancelled": places["cancelled"],
        "fill_rate": places["fill_rate"],
        "organisations": figures["organisations"]["attended"],
        "elearning_completed": figures["elearning"]["completed"],
        "pre_rate": evaluations["pre"]["rate"],
        "post_rate": evaluations["post"]["rate"],
        "stage2_rate": evaluations["stage2"]["rate"],
        "pre_mean": gain["pre_mean"],
        "post_mean": gain["post_mean"],
        "gain": gain["gain"],
    }


def _quarter_of(days: pd.Series, blocks: list[tuple[date, date]]) -> np.ndarray:
    """The block number (0-based) of each day; -1 for a day outside the blocks."""
    # Through pandas' datetime parsing: numpy's conversion of date objects goes one by one.
    values = pd.to_datetime(days).to_numpy().astype("datetime64[D]")
    if not blocks or not len(values):
        return np.full(len(values), -1, dtype=np.int64)
    firsts = np.array([first for first, _ in blocks], dtype="datetime64[D]")
    number = np.searchsorted(firsts, values, side="right") - 1
    number[values > np.datetime64(blocks[-1][1], "D")] = -1
    return number


def _per_quarter(numbers: np.ndarray, n: int, mask=None) -> np.ndarray:
    numbers = numbers if mask is None else numbers[np.asarray(mask, dtype=bool)]
    return np.bincount(numbers[numbers >= 0], minlength=n)[:n]


def _numbering(keys, numbers: np.ndarray) -> Callable[[Any], np.ndarray]:
    """A look-up: ids -> the number of the first of `keys` equal to each; -1 if none is."""
    keys = pd.Index(keys)
    first = ~keys.duplicated()
    index, numbers = keys[first], numbers[first]

    def number_of(ids) -> np.ndarray:
        at = index.get_indexer(ids)
        if not len(numbers):
            return np.full(len(at), -1, dtype=np.int64)
        return np.where(at >= 0, numbers[at], -1)

    return number_of


def _means_per_quarter(scores: np.ndarray, numbers: np.ndarray) -> dict[int, float | None]:
    """The mean of each quarter's scores, taken in their order (as pandas would: to the bit)."""
    order = np.argsort(numbers, kind="stable")
    scores, numbers = scores[order], numbers[order]
    numbered, firsts = np.unique(numbers, return_index=True)
    bounds = [*firsts, len(numbers)]
    return {
        int(number): em.mean_of(scores[first:last])
        for number, first, last in zip(numbered, bounds[:-1], bounds[1:], strict=True)
    }


def by_quarter(
    frames: ReportFrames, start: date, end: date, evaluations: em.Evaluations | None = None
) -> list[dict]:
    """The trend rows: headline's figures per quarter, computed for all quarters at once.

    Only what a trend row shows (no paired statistics, funnel or non-response): counts by
    group-by, and each quarter's pre/post means over its counted answers in the same order as
    headline would take them (so the rounding is the same to the last bit).
    """
    blocks = quarters(start, end)
    n = len(blocks)
    events = frames.events
    event_ids = events["event_id"].to_numpy()
    event_quarter = _quarter_of(events["day"], blocks)
    delivered = (events["status"] == DELIVERED).to_numpy()
    event_counts = {
        "delivered": _per_quarter(event_quarter, n, delivered),
        "cancelled": _per_quarter(event_quarter, n, (events["status"] == CANCELLED).to_numpy()),
        "offered": np.bincount(
            event_quarter[delivered & (event_quarter >= 0)],
            weights=events["capacity"].to_numpy()[delivered & (event_quarter >= 0)],
            minlength=n,
        )[:n],
    }

    bookings = frames.bookings
    quarter_of_event = _numbering(event_ids, event_quarter)
    booking_quarter = quarter_of_event(bookings["event_id"].to_numpy())
    status = bookings["status"]
    attended = status.isin(ATTENDED).to_numpy()
    booking_counts = {
        "used": _per_quarter(booking_quarter, n, status.isin(USED)),
        "attended": _per_quarter(booking_quarter, n, attended),
        "did_not_attend": _per_quarter(booking_quarter, n, status == "no_show"),
        "cancelled": _per_quarter(
            booking_quarter, n, (status == CANCELLED) & bookings["confirmed"]
        ),
        "cancelled_late": _per_quarter(
            booking_quarter,
            n,
            (status == CANCELLED) & bookings["confirmed"] & bookings["cancelled_late"],
        ),
    }
    keys = bookings["organisation_key"][attended]
    organisations = (
        keys.groupby(booking_quarter[attended]).nunique().reindex(range(n), fill_value=0)
    )
    elearning = _per_quarter(_quarter_of(frames.enrolments["day"], blocks), n)

    eval_bookings = frames.eval_bookings
    arrays = evaluations
    if arrays is None:
        arrays = em.Evaluations.from_frames(frames.eval_bookings, frames.responses)
    eval_quarter = quarter_of_event(eval_bookings["event_id"].to_numpy(dtype="int64", na_value=-1))
    # Each counted answer's quarter: its booking's (the first row, as Evaluations found it).
    quarter_of_booking = _numbering(arrays.ids, eval_quarter)
    answer_quarter = {
        stage: quarter_of_booking(answers.ids) for stage, answers in arrays.counted.items()
    }
    rates, invited, answered = {}, {}, {}
    for stage in em.STAGES:
        rows = arrays.invited[stage]
        if arrays.unique:
            invited_n = _per_quarter(eval_quarter, n, rows)
        else:
            invited_n = (
                pd.Series(arrays.ids[rows])
                .groupby(eval_quarter[rows])
                .nunique()
                .reindex(range(n), fill_value=0)
            )
        completed = _per_quarter(answer_quarter[stage], n)
        invited[stage], answered[stage] = invited_n, completed
        rates[stage] = [
            em.percent(int(c), int(i)) for c, i in zip(completed, invited_n, strict=True)
        ]
    means, scored_n = {}, {}
    for stage in (em.Stage.PRE.value, em.Stage.POST.value):
        scored = ~np.isnan(arrays.counted[stage].score)
        means[stage] = _means_per_quarter(
            arrays.counted[stage].score[scored], answer_quarter[stage][scored]
        )
        scored_n[stage] = _per_quarter(answer_quarter[stage][scored], n)

    rows = []
    for number, (first, last) in enumerate(blocks):
        if first.year == last.year:
            label = f"Q{number + 1} {first:%b}–{last:%b %Y}"
        else:
            label = f"Q{number + 1} {first:%b %Y}–{last:%b %Y}"
        pre_mean = means[em.Stage.PRE.value].get(number)
        post_mean = means[em.Stage.POST.value].get(number)
        gain = None
        if pre_mean is not None and post_mean is not None:
            gain = round_half_up(post_mean - pre_mean, 2)
        offered = int(event_counts["offered"][number])
        used = int(booking_counts["used"][number])
        rows.append(
            {"quarter": label, "start": first.isoformat(), "end": last.isoformat()}
            | {
                "events": int(event_counts["delivered"][number]),
                "events_cancelled": int(event_counts["cancelled"][number]),
                "offered": offered,
                "used": used,
                "attended": int(booking_counts["attended"][number]),
                "did_not_attend": int(booking_counts["did_not_attend"][number]),
                "cancelled": int(booking_counts["cancelled"][number]),
                "fill_rate": percent(used, offered),
                "organisations": int(organisations.iloc[number]),
                "elearning_completed": int(elearning[number]),
                "pre_rate": rates[em.Stage.PRE.value][number],
                "post_rate": rates[em.Stage.POST.value][number],
                "stage2_rate": rates[em.Stage.STAGE2.value][number],
                "pre_mean": round_half_up(pre_mean, 2),
                "post_mean": round_half_up(post_mean, 2),
                "gain": gain,
                "cancelled_late": int(booking_counts["cancelled_late"][number]),
                **rates_of({k: v[number] for k, v in booking_counts.items()}),
                # What each evaluation figure is computed from (for small-group suppression).
                **{
                    f"{stage}_{what}": int(counts[stage][number])
                    for stage in em.STAGES
                    for what, counts in (("invited", invited), ("completed", answered))
                },
                "n_pre": int(scored_n[em.Stage.PRE.value][number]),
                "n_post": int(scored_n[em.Stage.POST.value][number]),
            }
        )
    return rows


TREND_MEASURES = [
    ("events", "Events delivered"),
    ("events_cancelled", "Events cancelled by the organiser"),
    ("offered", "Places offered"),
    ("used", "Places used"),
    ("attended", "Attended"),
    ("did_not_attend", "Did not attend"),
    ("cancelled", "Cancelled beforehand"),
    ("fill_rate", "Fill rate (%)"),
    ("organisations", "Organisations attending"),
    ("elearning_completed", "e-Learning completions"),
    ("pre_rate", "Pre-course return rate (%)"),
    ("post_rate", "Post-course return rate (%)"),
    ("stage2_rate", "Stage 2 return rate (%)"),
    ("pre_mean", "Pre-course mean"),
    ("post_mean", "Post-course mean"),
    ("gain", "Learning gain"),
]


def has_data(figures: dict) -> bool:
    """Whether a period had any events, places or e-learning at all (else its zeros mean "no
    data", not "none": the comparison gives null, and the documents "No data")."""
    return bool(
        figures["events"]["delivered"]
        or figures["events"]["cancelled"]
        or figures["places"]["booked"]
        or figures["places"]["offered"]
        or figures["elearning"]["completed"]
    )


def comparison(this: dict, previous: dict) -> list[dict]:
    """This period against the previous one, measure by measure; the previous figures and the
    changes are null when the previous period had no data at all (not zeros and "+68")."""
    now, before = _trend_row(this), _trend_row(previous)
    if not has_data(previous):
        before = dict.fromkeys(before)
    rows = []
    for key, label in TREND_MEASURES:
        change = None
        if now[key] is not None and before[key] is not None:
            digits = 2 if key in ("pre_mean", "post_mean", "gain") else 1
            change = round_half_up(now[key] - before[key], digits)
            if isinstance(now[key], int) and isinstance(before[key], int):
                change = now[key] - before[key]
        rows.append(
            {
                "measure": label,
                "key": key,
                "this": now[key],
                "previous": before[key],
                "change": change,
            }
        )
    return rows
