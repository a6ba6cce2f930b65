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

import functools
import inspect
import math
import warnings
from collections.abc import Callable, Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

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


def _plain(value: Any) -> Any:
    """A group key as JSON-friendly Python: None for missing, int for numpy integers."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return int(value) if float(value).is_integer() else float(value)
    return value


def counted_answers(bookings: pd.DataFrame, responses: pd.DataFrame, stage: str) -> pd.DataFrame:
    """The delegate's submitted answers of `stage` that count: one row per invited booking.

    Indexed by booking_id, columns score and retro_score (NaN when the answer has no score), in
    the order the answers were submitted. `responses` without a submitted_at column are taken as
    all submitted and already in that order (the report's frames: the database sorted them).
    """
    invited = bookings.loc[bookings["status"].isin(INVITED[stage]), "booking_id"]
    return _counted_answers(invited, responses, stage)


def _counted_answers(invited, responses: pd.DataFrame, stage: str) -> pd.DataFrame:
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


# --- the figures' inputs as arrays -------------------------------------------------------------


class Answers(NamedTuple):
    """One stage's counted answers as arrays, in the order they were submitted."""

    ids: np.ndarray  # booking_id, each once
    score: np.ndarray  # float, NaN when the answer has no score
    retro: np.ndarray  # float, NaN when the answer has no "then" score

    def scored(self, column: str = "score") -> tuple[np.ndarray, np.ndarray]:
        """The ids and values of the answers with a value in `column` (score or retro)."""
        values = getattr(self, column)
        keep = ~np.isnan(values)
        return self.ids[keep], values[keep]

    def take(self, keep: np.ndarray) -> "Answers":
        return Answers(self.ids[keep], self.score[keep], self.retro[keep])


class EvaluationArrays(NamedTuple):
    """What the figures read from a set of bookings and its counted answers, as numpy arrays.

    Built once (evaluation_arrays) and cut into subsets (within) or groups (by_group) without
    going back to the frames: filtering the frames and looking ids up in pandas, per group and
    per figure, cost more than the figures themselves (at 100x, 40 courses). Every figure below
    is computed from these, for one set or for each group.
    """

    ids: np.ndarray  # booking_id of every booking (row)
    invited: Mapping[str, np.ndarray]  # stage -> whether each booking is asked (INVITED)
    booked: np.ndarray  # whether each booking is BOOKED
    unique: bool  # no booking_id twice and none missing: counting ids is counting rows
    counted: Mapping[str, Answers]

    def within(self, booking_ids) -> "EvaluationArrays":
        """The arrays of the bookings among `booking_ids` and of their answers, order kept."""
        rows = pd.Index(self.ids).isin(booking_ids)
        ids = self.ids[rows]
        return EvaluationArrays(
            ids=ids,
            invited={stage: flags[rows] for stage, flags in self.invited.items()},
            booked=self.booked[rows],
            unique=self.unique,
            counted={
                stage: answers.take(pd.Index(answers.ids).isin(ids))
                for stage, answers in self.counted.items()
            },
        )

    def by_group(self, codes: np.ndarray, n: int) -> list["EvaluationArrays"]:
        """The arrays per group, `codes` numbering each booking's group 0..n-1 (order kept).

        An answer goes to the group of its booking's first row, as a look-up by booking_id would.
        """

        def slices(values: np.ndarray, order: np.ndarray, bounds: np.ndarray) -> list:
            values = values[order]
            return [values[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]

        def grouping(of: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            # A stable sort keeps each group's rows in their order; n (no group) sorts last.
            order = np.argsort(of, kind="stable")
            return order, np.searchsorted(of[order], np.arange(n + 1))

        order, bounds = grouping(codes)
        ids = slices(self.ids, order, bounds)
        invited = {stage: slices(flags, order, bounds) for stage, flags in self.invited.items()}
        booked = slices(self.booked, order, bounds)

        first = ~pd.Index(self.ids).duplicated()
        booking_index, booking_code = pd.Index(self.ids[first]), codes[first]
        counted = {}
        for stage, answers in self.counted.items():
            at = booking_index.get_indexer(answers.ids)
            answer_order, answer_bounds = grouping(np.where(at >= 0, booking_code[at], n))
            counted[stage] = [
                Answers(*group)
                for group in zip(
                    *(slices(values, answer_order, answer_bounds) for values in answers),
                    strict=True,
                )
            ]
        return [
            EvaluationArrays(
                ids=ids[g],
                invited={stage: flags[g] for stage, flags in invited.items()},
                booked=booked[g],
                unique=self.unique,
                counted={stage: groups[g] for stage, groups in counted.items()},
            )
            for g in range(n)
        ]


def evaluation_arrays(
    bookings: pd.DataFrame, responses: pd.DataFrame, *, counted: Counted | None = None
) -> EvaluationArrays:
    """The bookings' ids, who was invited at each stage and the counted answers, as arrays.

    `counted`: counted_by_stage(bookings, responses), when the caller has it already.
    """
    status = bookings["status"]
    ids = bookings["booking_id"]
    flags: dict[frozenset, np.ndarray] = {}
    for members in (*INVITED.values(), BOOKED):
        if members not in flags:
            flags[members] = status.isin(members).to_numpy(dtype=bool)
    if counted is None:
        counted = {
            stage: _counted_answers(ids[flags[INVITED[stage]]], responses, stage)
            for stage in STAGES
        }
    return EvaluationArrays(
        ids=ids.to_numpy(),
        invited={stage: flags[INVITED[stage]] for stage in STAGES},
        booked=flags[BOOKED],
        # Index.is_unique: Series.is_unique counts the distinct values (30 times slower).
        unique=bool(pd.Index(ids).is_unique and not ids.hasnans),
        counted={
            stage: Answers(
                frame.index.to_numpy(),
                frame["score"].to_numpy(dtype=float, na_value=np.nan),
                frame["retro_score"].to_numpy(dtype=float, na_value=np.nan),
            )
            for stage, frame in counted.items()
        },
    )


def _distinct(arrays: EvaluationArrays, rows: np.ndarray | None = None) -> int:
    """The number of distinct booking ids among `rows` (a boolean mask; all when None)."""
    if arrays.unique:
        return len(arrays.ids) if rows is None else int(np.count_nonzero(rows))
    return int(pd.Series(arrays.ids if rows is None else arrays.ids[rows]).nunique())


def mean_of(values: np.ndarray) -> float | None:
    """The mean of a float array, None when empty.

    numpy's pairwise sum, as pandas' Series.mean: the same values in the same order give the
    same float to the last bit, which the published means' rounding depends on.
    """
    return float(values.mean()) if len(values) else None


def _positions(ids: np.ndarray, among: np.ndarray) -> np.ndarray:
    """The position in `among` of each of `ids` (-1 when absent); `among` has each id once.

    By binary search in the sorted ids: for one group's few hundred answers, building a hash
    table (pandas) or sorting both sides (np.isin) costs ten times more.
    """
    if not len(among):
        return np.full(len(ids), -1, dtype=np.intp)
    order = np.argsort(among, kind="stable")
    ranked = among[order]
    at = np.minimum(np.searchsorted(ranked, ids), len(among) - 1)
    return np.where(ranked[at] == ids, order[at], -1)


def _among(ids: np.ndarray, among: np.ndarray) -> np.ndarray:
    """Whether each of `ids` is one of `among` (which may hold an id more than once)."""
    return _positions(ids, among) >= 0


def _aligned(ids, values, other_ids, other_values) -> tuple[np.ndarray, np.ndarray]:
    """`values` and `other_values` of the ids in both (each once), in the order of `ids`."""
    at = _positions(ids, other_ids)
    both = at >= 0
    return values[both], other_values[at[both]]


# --- return rates and attrition ----------------------------------------------------------------


def response_rates(
    bookings: pd.DataFrame, responses: pd.DataFrame, *, counted: Counted | None = None
) -> dict[str, dict]:
    """{"pre"|"post"|"stage2": {"invited": int, "completed": int, "rate": float | None}}.

    `counted`: counted_by_stage(bookings, responses), when the caller has it already.
    """
    return _response_rates(evaluation_arrays(bookings, responses, counted=counted))


def _response_rates(arrays: EvaluationArrays) -> dict[str, dict]:
    rates = {}
    for stage in STAGES:
        invited = _distinct(arrays, arrays.invited[stage])
        completed = len(arrays.counted[stage].ids)
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
    return _attrition_funnel(evaluation_arrays(bookings, responses, counted=counted))


def _attrition_funnel(arrays: EvaluationArrays) -> dict[str, int]:
    return {
        "booked": _distinct(arrays, arrays.booked),
        "attended": _distinct(arrays, arrays.invited[Stage.POST.value]),
        "pre_answered": len(arrays.counted[Stage.PRE.value].ids),
        "post_answered": len(arrays.counted[Stage.POST.value].ids),
        "stage2_answered": len(arrays.counted[Stage.STAGE2.value].ids),
    }


def non_response_bias(
    bookings: pd.DataFrame, responses: pd.DataFrame, *, counted: Counted | None = None
) -> dict:
    """Pre-course mean of attendees who did and did not return the post-course evaluation.

    Among attended bookings with a pre-course score. Returns
    {"returned": {"n", "pre_mean"}, "not_returned": {"n", "pre_mean"}, "difference"}
    where difference = returned - not returned (2 dp; None if either side is empty).
    """
    return _non_response_bias(evaluation_arrays(bookings, responses, counted=counted))


def _non_response_bias(arrays: EvaluationArrays) -> dict:
    ids, pre = arrays.counted[Stage.PRE.value].scored()
    attended = _among(ids, arrays.ids[arrays.invited[Stage.POST.value]])
    ids, pre = ids[attended], pre[attended]
    returned = _among(ids, arrays.counted[Stage.POST.value].ids)
    returned_mean, not_returned_mean = mean_of(pre[returned]), mean_of(pre[~returned])
    difference = None
    if returned_mean is not None and not_returned_mean is not None:
        difference = round_half_up(returned_mean - not_returned_mean, 2)
    return {
        "returned": {"n": int(returned.sum()), "pre_mean": round_half_up(returned_mean, 2)},
        "not_returned": {
            "n": int((~returned).sum()),
            "pre_mean": round_half_up(not_returned_mean, 2),
        },
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
    return _paired_statistics(before, after, ceiling=ceiling)


def _paired_statistics(before: np.ndarray, after: np.ndarray, *, ceiling: float) -> dict:
    """paired_gain's figures of the pairs (before[i], after[i])."""
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
    before the course lower in hindsight than they did at the time). Both indexed by booking.
    """
    pre, retro = pre.dropna(), retro.dropna()
    return _response_shift(
        pre.index.to_numpy(),
        pre.to_numpy(dtype=float),
        retro.index.to_numpy(),
        retro.to_numpy(dtype=float),
        pre_mean=pre_mean,
    )


def _response_shift(pre_ids, pre, retro_ids, retro, *, pre_mean: float | None) -> dict | None:
    if not len(retro):
        return None
    if pre_mean is None:
        pre_mean = mean_of(pre)
    paired_pre, paired_then = _aligned(pre_ids, pre, retro_ids, retro)
    then_mean, pre_mean_paired = mean_of(paired_then), mean_of(paired_pre)
    shift = None
    if len(paired_pre):
        shift = round_half_up(then_mean - pre_mean_paired, 2)
    return {
        "n": len(retro),
        "then_mean": round_half_up(mean_of(retro), 2),
        "pre_mean": round_half_up(pre_mean, 2),
        "paired": {
            "n": len(paired_pre),
            "then_mean": round_half_up(then_mean, 2),
            "pre_mean": round_half_up(pre_mean_paired, 2),
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
    arrays = evaluation_arrays(bookings, responses, counted=counted)
    return _learning_gain(arrays, ceiling=ceiling)


def _learning_gain(arrays: EvaluationArrays, *, ceiling: float = CEILING) -> dict:
    pre_ids, pre = arrays.counted[Stage.PRE.value].scored()
    post_answers = arrays.counted[Stage.POST.value]
    post_ids, post = post_answers.scored()
    pre_mean, post_mean = mean_of(pre), mean_of(post)
    gain = None
    if pre_mean is not None and post_mean is not None:
        gain = round_half_up(post_mean - pre_mean, 2)
    paired = _paired_statistics(*_aligned(pre_ids, pre, post_ids, post), ceiling=ceiling)

    flags = []
    if paired["n"] < SMALL_SAMPLE_BELOW:
        flags.append(SMALL_SAMPLE)
    post_invited = _distinct(arrays, arrays.invited[Stage.POST.value])
    if post_invited and 100 * len(post_answers.ids) / post_invited < LOW_RETURN_RATE_BELOW:
        flags.append(LOW_RETURN_RATE)

    return {
        "pre_mean": round_half_up(pre_mean, 2),
        "post_mean": round_half_up(post_mean, 2),
        "gain": gain,
        "n_pre": len(pre),
        "n_post": len(post),
        "paired": paired,
        "response_shift": _response_shift(
            pre_ids, pre, *post_answers.scored("retro"), pre_mean=pre_mean
        ),
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
    return evaluation_summary_of(evaluation_arrays(bookings, responses, counted=counted))


def evaluation_summary_of(arrays: EvaluationArrays) -> dict:
    """evaluation_summary from evaluation_arrays (or a subset of them: arrays.within(ids))."""
    return {
        "bookings": _distinct(arrays),
        "evaluations": _response_rates(arrays),
        "learning_gain": _learning_gain(arrays),
        "funnel": _attrition_funnel(arrays),
        "non_response": _non_response_bias(arrays),
    }


# The figures above computed from EvaluationArrays: evaluation_figures_by splits the arrays once.
_FROM_ARRAYS: dict[Callable[..., Any], Callable[[EvaluationArrays], dict]] = {
    evaluation_summary: evaluation_summary_of,
    response_rates: _response_rates,
    attrition_funnel: _attrition_funnel,
    non_response_bias: _non_response_bias,
    learning_gain: _learning_gain,
}


def evaluation_figures_by(
    bookings: pd.DataFrame,
    responses: pd.DataFrame,
    by: str,
    figures: Callable[..., Any] = evaluation_summary,
    *,
    counted: Counted | None = None,
    arrays: EvaluationArrays | None = None,
) -> list[dict]:
    """`figures` per value of the bookings column `by` (priority_area_id, course_id, ...).

    [{"group": key, **figures(...)}] (or {"group": key, "figures": value} when `figures` does not
    return a dict), ordered by key with the missing key (None) last. When `figures` takes a
    `counted` keyword (the functions of this module do), the counted answers are computed once
    (or taken from `counted`) and split by group, instead of once per group and figure.
    `arrays`: evaluation_arrays of exactly these bookings (row for row), when the caller has them.
    """
    grouped = bookings.groupby(by, dropna=False, sort=True)
    keys = [_plain(key) for key in grouped.size().index]
    codes = grouped.ngroup().to_numpy()
    from_arrays = _FROM_ARRAYS.get(figures)
    if from_arrays is not None:
        # This module's figures: every group's arrays from one pass over the frames.
        if arrays is None:
            arrays = evaluation_arrays(bookings, responses, counted=counted)
        groups = zip(keys, arrays.by_group(codes, len(keys)), strict=True)
        return [{"group": key} | from_arrays(group) for key, group in groups]

    # Any other figures: one call per group with the group's frames. The responses (and counted
    # answers) are split by group number: a missing key (NaN or NA) cannot be looked up reliably,
    # and filtering per group would scan all responses each time.
    ids = bookings["booking_id"].to_numpy()
    first = ~pd.Index(ids).duplicated()
    booking_index, booking_code = pd.Index(ids[first]), codes[first]

    def split(frame: pd.DataFrame, frame_ids) -> dict[int, pd.DataFrame]:
        at = booking_index.get_indexer(frame_ids)
        frame_codes = np.where(at >= 0, booking_code[at], -1)
        return {
            int(code): group for code, group in frame.groupby(frame_codes, sort=False) if code >= 0
        }

    responses_by_code = split(responses, responses["booking_id"].to_numpy())
    counted_by_code: dict[str, dict[int, pd.DataFrame]] | None = None
    if "counted" in inspect.signature(figures).parameters:
        if counted is None:
            counted = counted_by_stage(bookings, responses)
        counted_by_code = {
            stage: split(frame, frame.index.to_numpy()) for stage, frame in counted.items()
        }
    rows = []
    for code, (key, (_, group)) in enumerate(zip(keys, grouped, strict=True)):
        group_responses = responses_by_code.get(code, responses.iloc[0:0])
        if counted_by_code is None:
            value = figures(group, group_responses)
        else:
            group_counted = {
                stage: by_code.get(code, counted[stage].iloc[0:0])
                for stage, by_code in counted_by_code.items()
            }
            value = figures(group, group_responses, counted=group_counted)
        row = {"group": key}
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
