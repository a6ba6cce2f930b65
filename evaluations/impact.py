"""Stage 2 seen by two people (issue 13.5): the delegate's own view of the change in their
practice and their line manager's, side by side (Kirkpatrick level 3).

A stage-2 response's score is the mean of its 1-5 rating items. The delegate's default stage 2
asks "How much has the course improved your safeguarding practice?"; the manager's own
questionnaire (evaluations.defaults.MANAGER_STAGE2) asks how much change they have observed.
A manager's answers count only when given to a line manager's questionnaire (before it existed
managers were sent the delegate's questions, which say nothing comparable).

Kept apart from evaluations.metrics on purpose: one query, a small pure computation.
"""

from __future__ import annotations

import pandas as pd
from django.db.models import Avg, Case, IntegerField, Max, Q, QuerySet, When

from evaluations.metrics import percent, round_half_up
from evaluations.models import Invitation, Respondent, Stage

COLUMNS = ["booking_id", "respondent", "questionnaire_respondent", "returned", "score"]
WHO = {Respondent.DELEGATE.value: "delegates", Respondent.LINE_MANAGER.value: "line_managers"}
NOTE = (
    "Stage 2, a few months after the course: delegates rate how much the course has improved "
    "their practice, line managers how much change they have observed (1 to 5). Rates are "
    "returned / asked. The paired difference (manager minus delegate) uses only the bookings "
    "where both answered."
)


def stage2_rows(bookings_qs: QuerySet) -> pd.DataFrame:
    """One row per stage-2 invitation of these bookings: who, whether returned, its score."""
    submitted = Q(response__submitted_at__isnull=False)
    rated = submitted & Q(
        response__answers__item__kind="rating",
        response__answers__item__is_retrospective=False,
        response__answers__rating__isnull=False,
    )
    rows = (
        Invitation.objects.filter(stage=Stage.STAGE2, booking__in=bookings_qs)
        .order_by()
        .values_list("booking_id", "respondent", "questionnaire__respondent")
        .annotate(
            returned=Max(Case(When(submitted, then=1), default=0, output_field=IntegerField())),
            score=Avg("response__answers__rating", filter=rated),
        )
    )
    frame = pd.DataFrame.from_records(list(rows), columns=COLUMNS)
    frame["returned"] = frame["returned"].astype(bool)
    frame["score"] = pd.to_numeric(frame["score"], errors="coerce").astype("float64")
    return frame


def _mean(values: pd.Series) -> float | None:
    return round_half_up(float(values.mean()), 2) if len(values) else None


def stage2_impact(rows: pd.DataFrame, *, min_group: int | None = None) -> dict:
    """Delegates' and line managers' stage 2 side by side, and their paired difference.

    `min_group`: for a view shared outside the L&D team, means (and the paired difference)
    from fewer answers than this are blanked and marked suppressed; counts stay.
    """
    result = {}
    scores = {}
    for respondent, key in WHO.items():
        own = rows[rows["respondent"] == respondent]
        answered = own[own["returned"] & (own["questionnaire_respondent"] == respondent)]
        scored = answered.dropna(subset=["score"]).set_index("booking_id")["score"]
        scores[respondent] = scored
        asked, returned = len(own), int(own["returned"].sum())
        small = min_group is not None and len(scored) < min_group
        result[key] = {
            "asked": asked,
            "returned": returned,
            "rate": percent(returned, asked),
            "mean": None if small else _mean(scored),
            "n": len(scored),
            "suppressed": small,
        }
    both = pd.concat(
        [scores[Respondent.DELEGATE.value], scores[Respondent.LINE_MANAGER.value]],
        axis=1,
        join="inner",
        keys=["delegate", "manager"],
    )
    small = min_group is not None and len(both) < min_group
    result["paired"] = {
        "n": len(both),
        "delegate_mean": None if small else _mean(both["delegate"]),
        "manager_mean": None if small else _mean(both["manager"]),
        "difference": None if small else _mean(both["manager"] - both["delegate"]),
        "suppressed": small,
    }
    return result


def stage2_impact_table_rows(impact: dict) -> list[dict]:
    """The side-by-side rows for pages and exports."""
    labels = {"delegates": "Delegates (own practice)", "line_managers": "Line managers (observed)"}
    rows = [
        {
            "who": labels[key],
            "asked": impact[key]["asked"],
            "returned": impact[key]["returned"],
            "rate": impact[key]["rate"],
            "mean": impact[key]["mean"],
            "n": impact[key]["n"],
        }
        for key in ("delegates", "line_managers")
    ]
    paired = impact["paired"]
    rows.append(
        {
            "who": "Both answered: manager minus delegate",
            "asked": None,
            "returned": None,
            "rate": None,
            "mean": paired["difference"],
            "n": paired["n"],
        }
    )
    return rows
