"""Evaluation figures: return rates, learning gain, attrition and non-response. Pure pandas.

Every function takes the two frames of `evaluations.selectors.evaluation_frames` (or frames built
by hand with the same columns) and returns plain Python values (int, float, None, str, dict, list)
ready for a template, CSV or JSON. The definitions below are the partnership's, used everywhere:

- places used = bookings attended, partially attended or not attended (no-show);
  attended = attended or partially attended; booked = places used, confirmed or cancelled.
- Return rate (percent, 1 dp; None when nobody was invited):
  pre = bookings with a submitted pre-course evaluation / places used;
  post and stage 2 = bookings with a submitted evaluation of that stage / attended.
  "invited" is the denominator, "completed" the bookings in it with an answer of that stage.
  Only the delegate's own answers count (a line manager's stage-2 answer does not).
- A response's score is the mean of its learning-gain items (retrospective items excluded).
- pre mean over the counted pre answers (places used), post mean over the counted post answers
  (attended), gain = post mean - pre mean (the published measure; different people on each side).
- Paired: bookings with both a counted pre and a counted post score.
  normalised_gain = mean of (post - pre) / (5 - pre) over those with pre < 5 (3 dp);
  class_normalised_gain = (mean post - mean pre) / (5 - mean pre) over the whole paired set.
- Means, gains and intervals are rounded half up to 2 dp, normalised gains to 3 dp.
"""

import contextvars
import functools
import inspect
import math
import warnings
from collections.abc import Callable, Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import pandas as pd
from django.conf import settings
from scipy import stats

from bookings.models import Booking
from evaluations.models import Stage

CEILING = 5.0
DELEGATE = "delegate"
STAGES = (Stage.PRE.value, Stage.POST.value, Stage.STAGE2.value)

USED = frozenset(str(s) for s in Booking.USED)
ATTENDED = frozenset(str(s) for s in Booking.ATTENDED_STATUSES)
BOOKED = USED | {Booking.Status.CONFIRMED.value, Booking.Status.CANCELLED.value}
# Who is asked, per stage: the denominator of the return rate.
INVITED = {Stage.PRE.value: USED, Stage.POST.value: ATTENDED, Stage.STAGE2.value: ATTENDED}

SMALL_SAMPLE = "small sample"
LOW_RETURN_RATE = "low return rate"
SMALL_SAMPLE_BELOW = 10
LOW_RETURN_RATE_BELOW = 50.0  # percent, post-course
DEFAULT_MIN_GROUP_SIZE = 5


# --- helpers -----------------------------------------------------------------------------------


def round_half_up(value: float | None, places: int) -> float | None:
    """Round as a person (and Excel) would: 6.25 -> 6.3; None and NaN stay None."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    quantum = Decimal(1).scaleb(-places)
    return float(Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP))


def percent(part: int, whole: int) -> float | None:
    """`part` of `whole` in percent, 1 dp; None when `whole` is 0."""
    if not whole:
        return None
    return round_half_up(100 * part / whole, 1)


def _mean(values: pd.Series) -> float | None:
    return float(values.mean()) if len(values) else None


def _plain(value: Any) -> Any:
    """A group key as JSON-friendly Python: None for missing, int for numpy integers."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return int(value) if float(value).is_integer() else float(value)
    return value


# evaluation_summary's bookings and their invited ids per stage, while it runs: its four figures
# ask for the same ones six times (per group of evaluation_figures_by: 40 courses at 100x).
_INVITED_MEMO: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "evaluation_invited_memo", default=None
)


def _invited_ids(bookings: pd.DataFrame, stage: str) -> pd.Series:
    memo = _INVITED_MEMO.get()
    if memo is None or memo["bookings"] is not bookings:
        return bookings.loc[bookings["status"].isin(INVITED[stage]), "booking_id"]
    if stage not in memo:
        memo[stage] = bookings.loc[bookings["status"].isin(INVITED[stage]), "booking_id"]
    return memo[stage]


def counted_answers(bookings: pd.DataFrame, responses: pd.DataFrame, stage: str) -> pd.DataFrame:
    """The delegate's submitted answers of `stage` that count: one row per invited booking.

    Indexed by booking_id, columns score and retro_score (NaN when the answer has no score), in
    the order the answers were submitted. `responses` without a submitted_at column are taken as
    all submitted and already in that order (the report's frames: the database sorted them).
    """
    invited = _invited_ids(bookings, stage)
    keep = (responses["stage"] == stage) & (responses["respondent"] == DELEGATE)
    if "submitted_at" in responses.columns:
        keep &= responses["submitted_at"].notna()
    answers = responses[keep & responses["booking_id"].isin(invited)]
    # The database allows one per booking and stage; a hand-built frame might not.
    if "submitted_at" in responses.columns:
        answers = answers.sort_values("submitted_at", kind="stable")
    answers = answers.drop_duplicates("booking_id", keep="last")
    return answers.set_index("booking_id")[["score", "retro_score"]]


Counted = Mapping[str, pd.DataFrame]


def counted_by_stage(bookings: pd.DataFrame, responses: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """counted_answers of every stage, computed once to be shared by the functions below."""
    return {stage: counted_answers(bookings, responses, stage) for stage in STAGES}


def counted_within(counted: Counted, booking_ids) -> dict[str, pd.DataFrame]:
    """The counted answers of a subset of the bookings (same rows, same order)."""
    return {stage: frame[frame.index.isin(booking_ids)] for stage, frame in counted.items()}


def _counted(bookings, responses, counted: Counted | None, stage: str) -> pd.DataFrame:
    if counted is None:
        return counted_answers(bookings, responses, stage)
    return counted[stage]


# --- return rates and attrition ----------------------------------------------------------------


def response_rates(
    bookings: pd.DataFrame, responses: pd.DataFrame, *, counted: Counted | None = None
) -> dict[str, dict]:
    """{"pre"|"post"|"stage2": {"invited": int, "completed": int, "rate": float | None}}.

    `counted`: counted_by_stage(bookings, responses), when the caller has it already.
    """
    rates = {}
    for stage in STAGES:
        invited = int(_invited_ids(bookings, stage).nunique())
        completed = len(_counted(bookings, responses, counted, stage))
        rates[stage] = {
            "invited": invited,
            "completed": completed,
            "rate": percent(completed, invited),
        }
    return rates


def attrition_funnel(
    bookings: pd.DataFrame, responses: pd.DataFrame, *, counted: Counted | None = None
) -> dict[str, int]:
    """booked -> attended -> pre answered -> post answered -> stage 2 answered (counts).

    "pre answered" follows the pre rate (places used, so a no-show's answer counts), and may
    therefore exceed "attended".
    """
    return {
        "booked": int(bookings.loc[bookings["status"].isin(BOOKED), "booking_id"].nunique()),
        "attended": int(_invited_ids(bookings, Stage.POST.value).nunique()),
        "pre_answered": len(_counted(bookings, responses, counted, Stage.PRE.value)),
        "post_answered": len(_counted(bookings, responses, counted, Stage.POST.value)),
        "stage2_answered": len(_counted(bookings, responses, counted, Stage.STAGE2.value)),
    }


def non_response_bias(
    bookings: pd.DataFrame, responses: pd.DataFrame, *, counted: Counted | None = None
) -> dict:
    """Pre-course mean of attendees who did and did not return the post-course evaluation.

    Among attended bookings with a pre-course score. Returns
    {"returned": {"n", "pre_mean"}, "not_returned": {"n", "pre_mean"}, "difference"}
    where difference = returned - not returned (2 dp; None if either side is empty).
    """
    pre = _counted(bookings, responses, counted, Stage.PRE.value)["score"].dropna()
    pre = pre[pre.index.isin(_invited_ids(bookings, Stage.POST.value))]
    post_ids = _counted(bookings, responses, counted, Stage.POST.value).index
    returned = pre[pre.index.isin(post_ids)]
    not_returned = pre[~pre.index.isin(post_ids)]
    returned_mean, not_returned_mean = _mean(returned), _mean(not_returned)
    difference = None
    if returned_mean is not None and not_returned_mean is not None:
        difference = round_half_up(returned_mean - not_returned_mean, 2)
    return {
        "returned": {"n": len(returned), "pre_mean": round_half_up(returned_mean, 2)},
        "not_returned": {"n": len(not_returned), "pre_mean": round_half_up(not_returned_mean, 2)},
        "difference": difference,
    }


# --- learning gain -----------------------------------------------------------------------------


def paired_gain(pre: pd.Series, post: pd.Series, *, ceiling: float = CEILING) -> dict:
    """Paired statistics over the index labels present (non-NaN) in both `pre` and `post`.

    Returns n, mean_pre, mean_post, mean_gain, sd_gain, ci95_low, ci95_high (t-based),
    effect_size_dz, t_p (paired t-test), wilcoxon_p (signed-rank, zeros dropped), normalised_gain,
    n_normalised, n_at_ceiling, class_normalised_gain. Figures that cannot be computed are None.
    """
    pre, post = pre.dropna(), post.dropna()
    both = pre.index.intersection(post.index)
    before = pre.loc[both].to_numpy(dtype=float)
    after = post.loc[both].to_numpy(dtype=float)
    diff = after - before
    n = len(diff)
    result: dict[str, Any] = {
        "n": n,
        "mean_pre": None,
        "mean_post": None,
        "mean_gain": None,
        "sd_gain": None,
        "ci95_low": None,
        "ci95_high": None,
        "effect_size_dz": None,
        "t_p": None,
        "wilcoxon_p": None,
        "normalised_gain": None,
        "n_normalised": 0,
        "n_at_ceiling": 0,
        "class_normalised_gain": None,
    }
    if n == 0:
        return result

    mean_pre, mean_post, mean_diff = before.mean(), after.mean(), diff.mean()
    at_ceiling = before >= ceiling - 1e-9
    room = ~at_ceiling
    result.update(
        mean_pre=round_half_up(mean_pre, 2),
        mean_post=round_half_up(mean_post, 2),
        mean_gain=round_half_up(mean_diff, 2),
        n_at_ceiling=int(at_ceiling.sum()),
        n_normalised=int(room.sum()),
    )
    if room.any():
        individual = diff[room] / (ceiling - before[room])
        result["normalised_gain"] = round_half_up(individual.mean(), 3)
    if mean_pre < ceiling - 1e-9:
        result["class_normalised_gain"] = round_half_up(
            (mean_post - mean_pre) / (ceiling - mean_pre), 3
        )
    if n < 2:
        return result

    sd = float(diff.std(ddof=1))
    half_width = _t_975(n - 1) * sd / math.sqrt(n)
    result.update(
        sd_gain=round_half_up(sd, 2),
        ci95_low=round_half_up(mean_diff - half_width, 2),
        ci95_high=round_half_up(mean_diff + half_width, 2),
    )
    if sd > 0:
        # With no spread in the differences t is infinite and d_z undefined: report neither.
        result["effect_size_dz"] = round_half_up(mean_diff / sd, 2)
        result["t_p"] = _ttest_rel_p(
            np.ascontiguousarray(after, dtype=float).tobytes(),
            np.ascontiguousarray(before, dtype=float).tobytes(),
        )
    if np.count_nonzero(diff):
        result["wilcoxon_p"] = _wilcoxon_p(np.ascontiguousarray(diff, dtype=float).tobytes())
    return result


@functools.lru_cache(maxsize=1024)
def _t_975(df: int) -> float:
    """The t distribution's 97.5th percentile with `df` degrees of freedom (the 95% interval)."""
    return stats.t.ppf(0.975, df)


@functools.lru_cache(maxsize=4096)
def _ttest_rel_p(after: bytes, before: bytes) -> float:
    """The paired t-test's p-value (float64 bytes, in their order); cached as _wilcoxon_p."""
    return float(
        stats.ttest_rel(
            np.frombuffer(after, dtype=float), np.frombuffer(before, dtype=float)
        ).pvalue
    )


@functools.lru_cache(maxsize=4096)
def _wilcoxon_p(diff: bytes) -> float | None:
    """The signed-rank test's p-value of the differences (float64 bytes, in their order).

    Cached by the exact differences: the exhaustive permutation test of a small group with ties
    is most of a small report's time, and the same report (page, export, JSON) asks again for
    the same groups. The same input gives the same float, so a cached value is the computed one.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        # Exact for small samples without ties, an exhaustive permutation test for n <= 13
        # with ties or zeros, the tie-corrected normal approximation beyond.
        p = stats.wilcoxon(
            np.frombuffer(diff, dtype=float), zero_method="wilcox", method="auto"
        ).pvalue
    return None if math.isnan(p) else float(p)


def response_shift(
    pre: pd.Series, retro: pd.Series, *, pre_mean: float | None = None
) -> dict | None:
    """The retrospective "then" mean beside the real pre mean; None when nobody answered one.

    {"n", "then_mean", "pre_mean", "paired": {"n", "then_mean", "pre_mean", "shift"}}, where
    shift = then - pre over the bookings with both (negative: delegates rate their knowledge
    before the course lower in hindsight than they did at the time).
    """
    pre, retro = pre.dropna(), retro.dropna()
    if retro.empty:
        return None
    if pre_mean is None:
        pre_mean = _mean(pre)
    both = pre.index.intersection(retro.index)
    paired_then, paired_pre = _mean(retro.loc[both]), _mean(pre.loc[both])
    shift = None
    if len(both):
        shift = round_half_up(paired_then - paired_pre, 2)
    return {
        "n": len(retro),
        "then_mean": round_half_up(_mean(retro), 2),
        "pre_mean": round_half_up(pre_mean, 2),
        "paired": {
            "n": len(both),
            "then_mean": round_half_up(paired_then, 2),
            "pre_mean": round_half_up(paired_pre, 2),
            "shift": shift,
        },
    }


def learning_gain(
    bookings: pd.DataFrame,
    responses: pd.DataFrame,
    *,
    ceiling: float = CEILING,
    counted: Counted | None = None,
) -> dict:
    """Learning gain for a set of bookings: published measure, paired statistics and warnings.

    {"pre_mean", "post_mean", "gain", "n_pre", "n_post", "paired": paired_gain(...),
     "response_shift": response_shift(...) or None, "warnings": [SMALL_SAMPLE, LOW_RETURN_RATE]}
    """
    pre = _counted(bookings, responses, counted, Stage.PRE.value)["score"].dropna()
    post_answers = _counted(bookings, responses, counted, Stage.POST.value)
    post = post_answers["score"].dropna()
    pre_mean, post_mean = _mean(pre), _mean(post)
    gain = None
    if pre_mean is not None and post_mean is not None:
        gain = round_half_up(post_mean - pre_mean, 2)
    paired = paired_gain(pre, post, ceiling=ceiling)

    flags = []
    if paired["n"] < SMALL_SAMPLE_BELOW:
        flags.append(SMALL_SAMPLE)
    post_invited = int(_invited_ids(bookings, Stage.POST.value).nunique())
    if post_invited and 100 * len(post_answers) / post_invited < LOW_RETURN_RATE_BELOW:
        flags.append(LOW_RETURN_RATE)

    return {
        "pre_mean": round_half_up(pre_mean, 2),
        "post_mean": round_half_up(post_mean, 2),
        "gain": gain,
        "n_pre": len(pre),
        "n_post": len(post),
        "paired": paired,
        "response_shift": response_shift(pre, post_answers["retro_score"], pre_mean=pre_mean),
        "warnings": flags,
    }


# --- summaries, groups and suppression ---------------------------------------------------------


def evaluation_summary(
    bookings: pd.DataFrame, responses: pd.DataFrame, *, counted: Counted | None = None
) -> dict:
    """Every figure for one set of bookings.

    {"bookings": int, "evaluations": response_rates, "learning_gain": learning_gain,
     "funnel": attrition_funnel, "non_response": non_response_bias}
    """
    # The counted answers once per stage, not once per figure (they are the costly part).
    memo = _INVITED_MEMO.set({"bookings": bookings})
    try:
        if counted is None:
            counted = counted_by_stage(bookings, responses)
        return {
            "bookings": int(bookings["booking_id"].nunique()),
            "evaluations": response_rates(bookings, responses, counted=counted),
            "learning_gain": learning_gain(bookings, responses, counted=counted),
            "funnel": attrition_funnel(bookings, responses, counted=counted),
            "non_response": non_response_bias(bookings, responses, counted=counted),
        }
    finally:
        _INVITED_MEMO.reset(memo)


def evaluation_figures_by(
    bookings: pd.DataFrame,
    responses: pd.DataFrame,
    by: str,
    figures: Callable[..., Any] = evaluation_summary,
    *,
    counted: Counted | None = None,
) -> list[dict]:
    """`figures` per value of the bookings column `by` (priority_area_id, course_id, ...).

    [{"group": key, **figures(...)}] (or {"group": key, "figures": value} when `figures` does not
    return a dict), ordered by key with the missing key (None) last. When `figures` takes a
    `counted` keyword (the functions of this module do), the counted answers are computed once
    (or taken from `counted`) and split by group, instead of once per group and figure.
    """
    grouped = bookings.groupby(by, dropna=False, sort=True)
    # Number the groups once and split the responses by number: a missing key (NaN or NA)
    # cannot be looked up reliably, and filtering per group would scan all responses each time.
    codes = pd.Series(grouped.ngroup().to_numpy(), index=bookings["booking_id"].to_numpy())
    codes = codes[~codes.index.duplicated()]
    response_codes = responses["booking_id"].map(codes)
    responses_by_code = {
        int(code): group for code, group in responses.groupby(response_codes, sort=False)
    }
    empty = responses.iloc[0:0]
    counted_by_code: dict[str, dict[int, pd.DataFrame]] | None = None
    if "counted" in inspect.signature(figures).parameters:
        if counted is None:
            counted = counted_by_stage(bookings, responses)
        counted_by_code = {
            stage: {
                int(code): group
                for code, group in frame.groupby(frame.index.map(codes).to_numpy(), sort=False)
            }
            for stage, frame in counted.items()
        }
    rows = []
    for code, (key, group) in enumerate(grouped):
        group_responses = responses_by_code.get(code, empty)
        if counted_by_code is None:
            value = figures(group, group_responses)
        else:
            group_counted = {
                stage: by_code.get(code, counted[stage].iloc[0:0])
                for stage, by_code in counted_by_code.items()
            }
            value = figures(group, group_responses, counted=group_counted)
        row = {"group": _plain(key)}
        row.update(value if isinstance(value, dict) else {"figures": value})
        rows.append(row)
    return rows


def _size_of(row: Mapping, size: str | Callable[[Mapping], Any]) -> Any:
    if callable(size):
        return size(row)
    value: Any = row
    for part in size.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def suppress_small_groups(
    rows: Iterable[Mapping],
    min_size: int | None = None,
    *,
    size: str | Callable[[Mapping], Any] = "n",
    keep: Iterable[str] = ("group",),
) -> list[dict]:
    """Blank the figures of groups smaller than `min_size` before sharing outside the L&D team.

    `size` names the count to test (a key, a dotted path such as "learning_gain.paired.n", or a
    function of the row); a missing size counts as 0. `min_size` defaults to
    settings.REPORT_MIN_GROUP_SIZE (5). Every row gains "suppressed": bool; a suppressed row keeps
    only the `keep` keys, every other value becomes None.
    """
    if min_size is None:
        min_size = getattr(settings, "REPORT_MIN_GROUP_SIZE", DEFAULT_MIN_GROUP_SIZE)
    keep = set(keep)
    shown = []
    for row in rows:
        group_size = _size_of(row, size)
        if group_size is None or group_size < min_size:
            shown.append(
                {key: (value if key in keep else None) for key, value in row.items()}
                | {"suppressed": True}
            )
        else:
            shown.append(dict(row) | {"suppressed": False})
    return shown
