"""The place counts and rates every uptake figure is built from (definitions: reports.metrics)."""

from __future__ import annotations

import pandas as pd

from evaluations import metrics as em

DELIVERED = "delivered"
CANCELLED = "cancelled"
USED = em.USED
ATTENDED = em.ATTENDED

percent = em.percent
round_half_up = em.round_half_up


def place_counts(bookings: pd.DataFrame) -> dict[str, int]:
    """Used, attended (in full, partly), did not attend, cancelled beforehand (late too)."""
    status = bookings["status"]
    cancelled = (status == CANCELLED) & bookings["confirmed"]
    return {
        "used": int(status.isin(USED).sum()),
        "attended": int(status.isin(ATTENDED).sum()),
        "attended_in_full": int((status == "attended").sum()),
        "partial": int((status == "partial").sum()),
        "did_not_attend": int((status == "no_show").sum()),
        "cancelled": int(cancelled.sum()),
        "cancelled_late": int((cancelled & bookings["cancelled_late"]).sum()),
    }


def place_rates(
    *, used: int, attended: int, did_not_attend: int, cancelled: int, cancelled_late: int
) -> dict:
    """Places booked and the place rates (percent of places booked); see the module docstring."""
    booked = used + cancelled
    return {
        "booked": booked,
        "used_rate": percent(used, booked),
        "attended_rate": percent(attended, booked),
        "did_not_attend_rate": percent(did_not_attend, booked),
        "cancelled_late_rate": percent(cancelled_late, booked),
    }


def rates_of(counts) -> dict:
    """place_rates of a row of counts (a dict, Series or namedtuple with the five counts)."""
    get = counts.get if hasattr(counts, "get") else lambda k: getattr(counts, k)
    return place_rates(
        used=int(get("used")),
        attended=int(get("attended")),
        did_not_attend=int(get("did_not_attend")),
        cancelled=int(get("cancelled")),
        cancelled_late=int(get("cancelled_late")),
    )
