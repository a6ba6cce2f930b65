"""Evaluation figures: return rates, learning gain, attrition and non-response.

The figures are computed from `Evaluations`: a set of bookings and their counted answers as typed
numpy arrays, built once from the two frames of `evaluations.selectors.evaluation_frames` (or
frames built by hand with the same columns) and cut into subsets (`within`) or groups
(`by_group`) without going back to the frames. Each figure is one function named as the report
names it, returning plain Python values (int, float, None, str, dict, list) ready for a template,
CSV or JSON. The definitions are the partnership's, used everywhere:

- places used = bookings attended, partially attended or not attended (no-show);
  attended = attended or partially attended; booked = places used, confirmed or cancelled.
- Counted answers: per stage, the delegate's submitted answer of each booking asked at that stage
  (pre: places used; post and stage 2: attended); a line manager's stage-2 answer does not count.
  A response's score is the mean of its learning-gain items (retrospective items excluded).
- Means, gains, intervals and t are rounded half up to 2 dp, normalised gains to 3 dp,
  percentages to 1 dp; p-values are not rounded.

Means are numpy means of the same values in the same order as pandas would take them: the
published figures' rounding depends on the last bit.
"""

import functools
import math
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from django.conf import settings
from scipy import stats

from bookings.models import Booking
from evaluations.models import Stage

CEILING = 5.0
FLOOR = 1.0  # the lowest score: a loss is scaled by the room to fall (normalised change)
# The differences' spread counts as none below this fraction of their size: seven differences of
# 1/3 computed in binary differ in the 16th digit, and their sd (3e-16) is rounding, not spread.
SPREAD_TOLERANCE = 1e-9
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


# --- numbers -----------------------------------------------------------------------------------


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


def mean_of(values: np.ndarray) -> float | None:
    """The mean of a float array, None when empty.

    numpy's pairwise sum, as pandas' Series.mean: the same values in the same order give the
    same float to the last bit, which the published means' rounding depends on.
    """
    return float(values.mean()) if len(values) else None


# --- the typed frame ---------------------------------------------------------------------------


class Scores(NamedTuple):
    """Scores and the bookings they belong to (each booking once), in submission order."""

    ids: np.ndarray
    values: np.ndarray  # float


class Answers(NamedTuple):
    """One stage's counted answers, in the order they were submitted."""

    ids: np.ndarray  # booking_id, each once
    score: np.ndarray  # float, NaN when the answer has no score
    retro: np.ndarray  # float, NaN when the answer has no "then" score

    def scored(self, column: str = "score") -> Scores:
        """The answers with a value in `column` (score or retro)."""
        values = getattr(self, column)
        keep = ~np.isnan(values)
        return Scores(self.ids[keep], values[keep])

    def take(self, keep: np.ndarray) -> "Answers":
        return Answers(self.ids[keep], self.score[keep], self.retro[keep])


@dataclass(frozen=True)
class Evaluations:
    """A set of bookings and their counted answers: what every figure below reads.

    Arrays, not frames: filtering the frames and looking ids up in pandas, per group and per
    figure, cost more than the figures themselves (at 100x, 40 courses).
    """

    ids: np.ndarray  # booking_id of every booking (row)
    invited: Mapping[str, np.ndarray]  # stage -> whether each booking is asked (INVITED)
    booked: np.ndarray  # whether each booking is BOOKED
    unique: bool  # no booking_id twice and none missing: counting ids is counting rows
    counted: Mapping[str, Answers]  # stage -> the counted answers

    @classmethod
    def from_frames(cls, bookings: pd.DataFrame, responses: pd.DataFrame) -> "Evaluations":
        """The bookings (status, booking_id) and their counted answers among `responses`.

        `responses` without a submitted_at column are taken as all submitted and already in
        submission order (the report's frames: the database sorted them).
        """
        status = bookings["status"]
        ids = bookings["booking_id"]
        flags: dict[frozenset, np.ndarray] = {}
        for members in (*INVITED.values(), BOOKED):
            if members not in flags:
                flags[members] = status.isin(members).to_numpy(dtype=bool)
        counted = {}
        for stage in STAGES:
            answers = _counted_answers(ids[flags[INVITED[stage]]], responses, stage)
            counted[stage] = Answers(
                answers.index.to_numpy(),
                answers["score"].to_numpy(dtype=float, na_value=np.nan),
                answers["retro_score"].to_numpy(dtype=float, na_value=np.nan),
            )
        return cls(
            ids=ids.to_numpy(),
            invited={stage: flags[INVITED[stage]] for stage in STAGES},
            booked=flags[BOOKED],
            # Index.is_unique: Series.is_unique counts the distinct values (30 times slower).
            unique=bool(pd.Index(ids).is_unique and not ids.hasnans),
            counted=counted,
        )

    def within(self, booking_ids) -> "Evaluations":
        """The bookings among `booking_ids` and their answers, order kept."""
        rows = pd.Index(self.ids).isin(booking_ids)
        ids = self.ids[rows]
        return Evaluations(
            ids=ids,
            invited={stage: flags[rows] for stage, flags in self.invited.items()},
            booked=self.booked[rows],
            unique=self.unique,
            counted={
                stage: answers.take(pd.Index(answers.ids).isin(ids))
                for stage, answers in self.counted.items()
            },
        )

    def by_group(self, codes: np.ndarray, n: int) -> list["Evaluations"]:
        """One Evaluations per group, `codes` numbering each booking's group 0..n-1 (order kept).

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
            Evaluations(
                ids=ids[g],
                invited={stage: flags[g] for stage, flags in invited.items()},
                booked=booked[g],
                unique=self.unique,
                counted={stage: groups[g] for stage, groups in counted.items()},
            )
            for g in range(n)
        ]

    def distinct(self, rows: np.ndarray | None = None) -> int:
        """The number of distinct bookings among `rows` (a boolean mask; all when None)."""
        if self.unique:
            return len(self.ids) if rows is None else int(np.count_nonzero(rows))
        return int(pd.Series(self.ids if rows is None else self.ids[rows]).nunique())


def _counted_answers(invited: pd.Series, responses: pd.DataFrame, stage: str) -> pd.DataFrame:
    """The delegate's submitted answers of `stage` of the `invited` bookings, one per booking.

    Indexed by booking_id, columns score and retro_score, in submission order; the last answer
    of a booking wins.
    """
    keep = (responses["stage"] == stage) & (responses["respondent"] == DELEGATE)
    if "submitted_at" in responses.columns:
        keep &= responses["submitted_at"].notna()
    answers = responses[keep & responses["booking_id"].isin(invited)]
    # The database allows one per booking and stage; a hand-built frame might not.
    if "submitted_at" in responses.columns:
        answers = answers.sort_values("submitted_at", kind="stable")
    answers = answers.drop_duplicates("booking_id", keep="last")
    return answers.set_index("booking_id")[["score", "retro_score"]]


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


def _paired(first: Scores, second: Scores) -> tuple[np.ndarray, np.ndarray]:
    """The values of the bookings in both, as pairs, in the order of `first`."""
    at = _positions(first.ids, second.ids)
    both = at >= 0
    return first.values[both], second.values[at[both]]


# --- return rates and attrition ----------------------------------------------------------------


def return_rates(evaluations: Evaluations) -> dict[str, dict]:
    """{"pre"|"post"|"stage2": {"invited": int, "completed": int, "rate": float | None}}.

    rate = completed / invited, percent, 1 dp (None when nobody was invited), where invited =
    the bookings asked at that stage (pre: places used; post and stage 2: attended) and
    completed = those with a counted answer of that stage.
    """
    rates = {}
    for stage in STAGES:
        invited = evaluations.distinct(evaluations.invited[stage])
        completed = len(evaluations.counted[stage].ids)
        rates[stage] = {
            "invited": invited,
            "completed": completed,
            "rate": percent(completed, invited),
        }
    return rates


def attrition_funnel(evaluations: Evaluations) -> dict[str, int]:
    """booked -> attended -> pre answered -> post answered -> stage 2 answered (counts).

    "pre answered" follows the pre rate (places used, so a no-show's answer counts), and may
    therefore exceed "attended".
    """
    return {
        "booked": evaluations.distinct(evaluations.booked),
        "attended": evaluations.distinct(evaluations.invited[Stage.POST.value]),
        "pre_answered": len(evaluations.counted[Stage.PRE.value].ids),
        "post_answered": len(evaluations.counted[Stage.POST.value].ids),
        "stage2_answered": len(evaluations.counted[Stage.STAGE2.value].ids),
    }


def non_response(evaluations: Evaluations) -> dict:
    """Pre-course mean of attendees who did and did not return the post-course evaluation.

    Among attended bookings with a pre-course score:
    {"returned": {"n", "pre_mean"}, "not_returned": {"n", "pre_mean"}, "difference"},
    difference = pre mean (returned) - pre mean (not returned), 2 dp; None if either is empty.
    """
    ids, pre = evaluations.counted[Stage.PRE.value].scored()
    attended = _among(ids, evaluations.ids[evaluations.invited[Stage.POST.value]])
    ids, pre = ids[attended], pre[attended]
    returned = _among(ids, evaluations.counted[Stage.POST.value].ids)
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


class TestResult(NamedTuple):
    statistic: float  # t, or W: the smaller of the positive and the negative rank sums
    pvalue: float | None  # None when the test gives none (NaN)


@functools.cache
def t_quantile_975(df: int) -> float:
    """The t distribution's 97.5th percentile with `df` degrees of freedom (the 95% interval).

    Memoised by df: a report asks for the same few dozen.
    """
    return stats.t.ppf(0.975, df)


def has_spread(differences: np.ndarray) -> bool:
    """Whether the differences vary: sd > SPREAD_TOLERANCE * max|d| (n >= 2).

    Relative, not sd > 0: seven differences of 1/3 computed in binary differ in the 16th digit.
    """
    return float(differences.std(ddof=1)) > SPREAD_TOLERANCE * float(np.abs(differences).max())


class PairedTests(NamedTuple):
    t_test: TestResult | None  # the paired t-test (t, p); None when not has_spread
    signed_rank: TestResult | None  # Wilcoxon's (W, p); None when every difference is 0


@functools.lru_cache(maxsize=4096)
def paired_tests(differences: tuple[float, ...]) -> PairedTests:
    """The paired t-test and Wilcoxon's signed-rank test of the differences d = after - before.

    t-test: t = mean(d) / (sd(d) / sqrt(n)) on n - 1 degrees of freedom, two-sided p (scipy's
    ttest_rel is this one-sample test of a - b). Signed-rank: zeros dropped, W = the smaller of
    the positive and negative rank sums, two-sided p: exact for small samples without ties, an
    exhaustive permutation test for n <= 13 with ties or zeros, the tie-corrected normal
    approximation beyond.

    Memoised by the differences in their order (4,096 sets): the permutation tests of the small
    groups are most of a small report's time, and the same report (page, export, JSON, the next
    visit) asks again for the same groups. The same differences give the same floats, so a
    memoised result is the computed one.
    """
    d = np.array(differences, dtype=float)
    t_test = signed_rank = None
    if has_spread(d):
        result = stats.ttest_1samp(d, 0.0)
        t_test = TestResult(float(result.statistic), float(result.pvalue))
    if np.count_nonzero(d):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            result = stats.wilcoxon(d, zero_method="wilcox", method="auto")
        p = float(result.pvalue)
        signed_rank = TestResult(float(result.statistic), None if math.isnan(p) else p)
    return PairedTests(t_test, signed_rank)


def normalised_change(before: np.ndarray, after: np.ndarray, *, ceiling: float = CEILING) -> dict:
    """Marx and Cummings' normalised change c per pair, and its mean <c> (3 dp).

    c = (after - before) / (ceiling - before) for a gain, (after - before) / (before - FLOOR) for a
    loss, 0 when unchanged; a pair unchanged at the ceiling or the floor is left out (no room to
    move). Unlike the per-person normalised gain, c lies between -1 and 1: one delegate falling
    from 4.8 to 1 counts as -1, not -19. {"normalised_change", "n_normalised_change"}.
    """
    diff = after - before
    gained, lost = diff > 1e-9, diff < -1e-9
    unchanged = ~(gained | lost)
    stuck = unchanged & ((before >= ceiling - 1e-9) | (before <= FLOOR + 1e-9))
    change = np.zeros(len(diff))
    change[gained] = diff[gained] / (ceiling - before[gained])
    change[lost] = diff[lost] / (before[lost] - FLOOR)
    counted = change[~stuck]
    return {
        "normalised_change": round_half_up(counted.mean(), 3) if len(counted) else None,
        "n_normalised_change": len(counted),
    }


def paired_statistics(before: np.ndarray, after: np.ndarray, *, ceiling: float = CEILING) -> dict:
    """The paired statistics of the pairs (before[i], after[i]); d = after - before.

    - n; mean_pre, mean_post; mean_gain = mean(d); sd_gain = sd(d) (n - 1); 2 dp.
    - The spread counts as none when sd(d) <= SPREAD_TOLERANCE * max|d| (every difference the
      same, up to binary rounding). Then there is no interval, t, d_z or t-test: all None.
    - ci95_low, ci95_high = mean(d) -/+ t(0.975, n - 1) * sd(d) / sqrt(n), 2 dp (n >= 2).
    - t = mean(d) / (sd(d) / sqrt(n)), 2 dp, on df = n - 1 degrees of freedom; t_p: its
      two-sided p-value (the paired t-test); effect_size_dz = mean(d) / sd(d), 2 dp.
    - wilcoxon_w, wilcoxon_p: Wilcoxon's signed-rank test (zeros dropped; W = the smaller of
      the positive and negative rank sums) and its two-sided p (when some d is not 0).
    - class_normalised_gain = (mean_post - mean_pre) / (ceiling - mean_pre), 3 dp: Hake's
      normalised gain on the means, the headline normalised figure.
    - normalised_change, n_normalised_change: Marx and Cummings' <c> (normalised_change()).
    - normalised_gain = mean of d / (ceiling - before) over the n_normalised pairs below the
      ceiling (n_at_ceiling are at it), 3 dp: Hake's per-person <g>, unbounded below.
    Figures that cannot be computed are None.
    """
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
        "t": None,
        "df": None,
        "wilcoxon_w": None,
        "normalised_change": None,
        "n_normalised_change": 0,
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
    result.update(normalised_change(before, after, ceiling=ceiling))
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
    result["sd_gain"] = round_half_up(sd, 2)
    tests = paired_tests(tuple(diff.tolist()))
    if tests.t_test is not None:
        # With no spread in the differences (has_spread) the interval is a point, t is infinite
        # and d_z undefined: report none of them.
        half_width = t_quantile_975(n - 1) * sd / math.sqrt(n)
        result.update(
            ci95_low=round_half_up(mean_diff - half_width, 2),
            ci95_high=round_half_up(mean_diff + half_width, 2),
            effect_size_dz=round_half_up(mean_diff / sd, 2),
            t_p=tests.t_test.pvalue,
            t=round_half_up(tests.t_test.statistic, 2),
            df=n - 1,
        )
    if tests.signed_rank is not None:
        result.update(wilcoxon_w=tests.signed_rank.statistic, wilcoxon_p=tests.signed_rank.pvalue)
    return result


def response_shift(pre: Scores, then: Scores, *, pre_mean: float | None) -> dict | None:
    """The retrospective "then" mean beside the real pre mean; None when nobody answered one.

    {"n", "then_mean", "pre_mean", "paired": {"n", "then_mean", "pre_mean", "shift"}}, where
    shift = mean(then) - mean(pre) over the bookings with both, 2 dp (negative: delegates rate
    their knowledge before the course lower in hindsight than they did at the time).
    `pre_mean`: the mean of `pre` when the caller has it.
    """
    if not len(then.values):
        return None
    if pre_mean is None:
        pre_mean = mean_of(pre.values)
    paired_pre, paired_then = _paired(pre, then)
    then_mean, pre_mean_paired = mean_of(paired_then), mean_of(paired_pre)
    shift = None
    if len(paired_pre):
        shift = round_half_up(then_mean - pre_mean_paired, 2)
    return {
        "n": len(then.values),
        "then_mean": round_half_up(mean_of(then.values), 2),
        "pre_mean": round_half_up(pre_mean, 2),
        "paired": {
            "n": len(paired_pre),
            "then_mean": round_half_up(then_mean, 2),
            "pre_mean": round_half_up(pre_mean_paired, 2),
            "shift": shift,
        },
    }


def learning_gain(evaluations: Evaluations, *, ceiling: float = CEILING) -> dict:
    """Learning gain: the published measure, the paired statistics, response shift, warnings.

    {"pre_mean", "post_mean", "gain", "n_pre", "n_post", "paired", "response_shift", "warnings"}:
    pre_mean over the counted pre scores (places used), post_mean over the counted post scores
    (attended), gain = post_mean - pre_mean (the published measure; different people on each
    side), 2 dp. paired: paired_statistics of the bookings with both. warnings: SMALL_SAMPLE when
    fewer than 10 are paired, LOW_RETURN_RATE when the post-course rate is under 50%.
    """
    pre = evaluations.counted[Stage.PRE.value].scored()
    post_answers = evaluations.counted[Stage.POST.value]
    post = post_answers.scored()
    pre_mean, post_mean = mean_of(pre.values), mean_of(post.values)
    gain = None
    if pre_mean is not None and post_mean is not None:
        gain = round_half_up(post_mean - pre_mean, 2)
    paired = paired_statistics(*_paired(pre, post), ceiling=ceiling)

    flags = []
    if paired["n"] < SMALL_SAMPLE_BELOW:
        flags.append(SMALL_SAMPLE)
    post_invited = evaluations.distinct(evaluations.invited[Stage.POST.value])
    if post_invited and 100 * len(post_answers.ids) / post_invited < LOW_RETURN_RATE_BELOW:
        flags.append(LOW_RETURN_RATE)

    return {
        "pre_mean": round_half_up(pre_mean, 2),
        "post_mean": round_half_up(post_mean, 2),
        "gain": gain,
        "n_pre": len(pre.values),
        "n_post": len(post.values),
        "paired": paired,
        "response_shift": response_shift(pre, post_answers.scored("retro"), pre_mean=pre_mean),
        "warnings": flags,
    }


# --- summaries, groups and suppression ---------------------------------------------------------


def evaluation_summary(evaluations: Evaluations) -> dict:
    """Every evaluation figure of one set of bookings.

    {"bookings": distinct bookings, "evaluations": return_rates, "learning_gain": learning_gain,
     "funnel": attrition_funnel, "non_response": non_response}
    """
    return {
        "bookings": evaluations.distinct(),
        "evaluations": return_rates(evaluations),
        "learning_gain": learning_gain(evaluations),
        "funnel": attrition_funnel(evaluations),
        "non_response": non_response(evaluations),
    }


def _plain(value: Any) -> Any:
    """A group key as JSON-friendly Python: None for missing, int for numpy integers."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return int(value) if float(value).is_integer() else float(value)
    return value


def evaluation_summary_by(evaluations: Evaluations, groups: pd.Series) -> list[dict]:
    """evaluation_summary per group: [{"group": key, **summary}], by key, missing key last.

    `groups`: each booking's group (priority_area_id, course_id, ...), row for row with the
    bookings `evaluations` was built from.
    """
    if len(groups) != len(evaluations.ids):
        raise ValueError("evaluation_summary_by: one group per booking row is needed")
    grouped = groups.to_frame("group").groupby("group", dropna=False, sort=True)
    keys = [_plain(key) for key in grouped.size().index]
    codes = grouped.ngroup().to_numpy()
    parts = evaluations.by_group(codes, len(keys))
    return [
        {"group": key} | evaluation_summary(part) for key, part in zip(keys, parts, strict=True)
    ]


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
