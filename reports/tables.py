"""The report as tables: one definition used by the page, the CSV downloads and the XLSX.

Each table names its columns and, optionally, the chart drawn beside it (which columns, which
kind); `reports.charts` draws the chart and writes its text alternative from the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SECTOR_LABELS = {
    "local_authority": "Local authority",
    "police": "Police",
    "health": "Health",
    "education": "Education",
    "voluntary": "Voluntary and community",
    "other": "Other",
}


@dataclass
class Chart:
    kind: str  # "bar" (vertical, grouped), "barh" (horizontal, grouped) or "line"
    label_column: str
    value_columns: list[str]
    title: str
    unit: str = ""  # "%" for rates
    limit: int | None = None  # draw only the first rows (the table keeps them all)
    axis: str = ""  # the value axis's label ("Per cent" for a unit of "%" when not given)
    scale: tuple[float, float] | None = None  # a fixed value axis, e.g. (1, 5) for scores


@dataclass
class Table:
    slug: str
    title: str
    columns: list[tuple[str, str]]  # (key, heading)
    rows: list[dict[str, Any]]
    description: str = ""
    chart: Chart | None = None
    numeric: set[str] = field(default_factory=set)
    decimals: dict[str, int] = field(default_factory=dict)  # fixed places for display

    @property
    def headings(self) -> list[str]:
        return [heading for _, heading in self.columns]

    def values(self) -> list[list[Any]]:
        return [[row.get(key) for key, _ in self.columns] for row in self.rows]

    def display(self) -> list[list[tuple[str, bool]]]:
        """Rows for people (page, text, .docx): (text, is_number) per cell."""
        return [
            [
                (
                    show(row.get(key), row.get("_decimals", {}).get(key, self.decimals.get(key))),
                    _is_number(row.get(key)),
                )
                for key, _ in self.columns
            ]
            for row in self.rows
        ]

    def is_numeric(self, key: str) -> bool:
        return key in self.numeric or any(
            isinstance(row.get(key), int | float) and not isinstance(row.get(key), bool)
            for row in self.rows
        )


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def show(value: Any, decimals: int | str | None = None) -> str:
    """A cell for people: a dash for no value; fixed decimals where the column asks for them."""
    if value is None or value == "":
        return "–" if value is None else ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float):
        if decimals == "p":  # a p-value: exact figures below 0.001 mean nothing to a reader
            return "< 0.001" if value < 0.001 else f"{value:.3f}"
        if decimals is not None:
            return f"{value:.{decimals}f}"
        return f"{value:g}"
    if isinstance(value, int) and abs(value) >= 10000:
        return f"{value:,}"
    return str(value)


HAKE_G = "Normalised gain on the means (Hake's g)"
MEAN_C = "Normalised change, mean per delegate (Marx and Cummings' c, losses bounded at -1)"
MEAN_G = "Normalised gain, mean per delegate (Hake's <g>, unbounded below)"
NO_INTERVAL = "no interval (every difference is the same)"

MEAN_DECIMALS = {"pre_mean": 2, "post_mean": 2, "gain": 2, "paired_gain": 2, "pre": 2, "post": 2}


def _yes(value: bool) -> str:
    return "Yes" if value else ""


RATE_COLUMNS = [
    ("used_rate", "Used (% of booked)"),
    ("attended_rate", "Attended (% of booked)"),
    ("did_not_attend_rate", "Did not attend (% of booked)"),
    ("cancelled_late_rate", "Late cancellations (% of booked)"),
]
RATES_NOTE = (
    "Rates are percentages of the places booked (used + cancelled beforehand): used + "
    "cancelled = 100%; attended + did not attend + cancelled = 100%."
)


def per_organisation(report: dict) -> bool:
    """True when the report is one organisation's or sector's: places offered are then the whole
    programme's, so a fill rate (used / offered) means nothing and the place rates replace it."""
    filters = report.get("filters") or {}
    return bool(filters.get("organisation") or filters.get("sector"))


def _without_fill_rate(columns: list[tuple[str, str]], report: dict) -> list[tuple[str, str]]:
    if not per_organisation(report):
        return columns
    return [(key, heading) for key, heading in columns if key not in ("offered", "fill_rate")]


def summary_rows(report: dict) -> list[dict]:
    events, places = report["events"], report["places"]
    orgs, rates, gain = report["organisations"], report["evaluations"], report["learning_gain"]
    audience = events["by_audience"]
    rows = [
        ("Events delivered", events["delivered"]),
        ("  for children", audience["children"]),
        ("  for adults", audience["adults"]),
        ("  for all ages", audience["all"]),
        ("Events cancelled by the organiser", events["cancelled"]),
        ("Events of half a day or less (4 hours or less)", events["half_day_or_less"]),
        ("Full-day events", events["full_day"]),
        ("Half day or less (% of events)", events["half_day_or_less_percent"]),
        ("Places offered", places["offered"]),
        ("Places used (attended + did not attend)", places["used"]),
        ("Attended (including partial attendance)", places["attended"]),
        ("  of which partial attendance", places["partial"]),
        ("Did not attend", places["did_not_attend"]),
        ("Cancelled beforehand by the delegate", places["cancelled"]),
        ("  of which late cancellations", places["cancelled_late"]),
        ("Fill rate (% of places offered that were used)", places["fill_rate"]),
        ("Places booked (used + cancelled beforehand)", places["booked"]),
        ("Places used (% of places booked)", places["used_rate"]),
        ("Attended (% of places booked)", places["attended_rate"]),
        ("Did not attend (% of places booked)", places["did_not_attend_rate"]),
        ("Late cancellations (% of places booked)", places["cancelled_late_rate"]),
        ("Organisations among attendees", orgs["attended"]),
        ("Sectors among attendees", orgs["sectors"]),
        ("e-Learning completions", report["elearning"]["completed"]),
        ("Pre-course evaluations returned (% of places used)", rates["pre"]["rate"]),
        ("Post-course evaluations returned (% of attended)", rates["post"]["rate"]),
        ("Stage 2 evaluations returned (% of attended)", rates["stage2"]["rate"]),
        ("Pre-course average", gain["pre_mean"]),
        ("Post-course average", gain["post_mean"]),
        ("Learning gain (post average - pre average)", gain["gain"]),
        ("Delegates with both a pre and a post score (paired n)", gain["paired"]["n"]),
        ("Paired mean gain", gain["paired"]["mean_gain"]),
        (HAKE_G, gain["paired"]["class_normalised_gain"]),
        (MEAN_C, gain["paired"].get("normalised_change")),
    ]
    if per_organisation(report):
        # The whole programme's places, not this organisation's: the rates above say more.
        rows = [(m, v) for m, v in rows if not m.startswith(("Places offered", "Fill rate"))]
    two_places = {"Pre-course average", "Post-course average", "Paired mean gain"}
    two_places.add("Learning gain (post average - pre average)")

    def places(measure: str):
        if measure in two_places:
            return 2
        return 3 if measure.startswith("Normalised") else None

    return [
        {"measure": measure, "value": value, "_decimals": {"value": places(measure)}}
        for measure, value in rows
    ]


def _evaluation_columns(label_key: str, label: str) -> list[tuple[str, str]]:
    return [
        (label_key, label),
        ("pre_invited", "Pre: places used"),
        ("pre_completed", "Pre: returned"),
        ("pre_rate", "Pre: rate (%)"),
        ("post_invited", "Post: attended"),
        ("post_completed", "Post: returned"),
        ("post_rate", "Post: rate (%)"),
        ("stage2_completed", "Stage 2: returned"),
        ("stage2_rate", "Stage 2: rate (%)"),
        ("pre_mean", "Pre average"),
        ("post_mean", "Post average"),
        ("gain", "Learning gain"),
        ("paired_n", "Paired n"),
        ("paired_gain", "Paired mean gain"),
        ("class_normalised_gain", "Normalised gain on the means (Hake's g)"),
        ("normalised_change", "Normalised change, mean per delegate (c)"),
        ("warnings", "Notes"),
    ]


def _evaluation_row(row: dict, label_key: str) -> dict:
    if row.get("suppressed_all", row.get("suppressed")):
        return {label_key: row.get(label_key), "warnings": "Too few responses to show"}
    rates, gain = row["evaluations"], row["learning_gain"]
    notes = "; ".join(gain["warnings"] or []).capitalize()
    if row.get("suppressed"):
        notes = "; ".join(filter(None, ["Some figures not shown: too few responses", notes]))
    return {
        label_key: row[label_key],
        "pre_invited": rates["pre"]["invited"],
        "pre_completed": rates["pre"]["completed"],
        "pre_rate": rates["pre"]["rate"],
        "post_invited": rates["post"]["invited"],
        "post_completed": rates["post"]["completed"],
        "post_rate": rates["post"]["rate"],
        "stage2_completed": rates["stage2"]["completed"],
        "stage2_rate": rates["stage2"]["rate"],
        "pre_mean": gain["pre_mean"],
        "post_mean": gain["post_mean"],
        "gain": gain["gain"],
        "paired_n": gain["paired"]["n"],
        "paired_gain": gain["paired"]["mean_gain"],
        "class_normalised_gain": gain["paired"]["class_normalised_gain"],
        "normalised_change": gain["paired"].get("normalised_change"),
        "warnings": notes,
    }


def learning_gain_rows(report: dict) -> list[dict]:
    gain, paired, bias = report["learning_gain"], report["learning_gain"]["paired"], None
    bias = report["non_response"]

    def interval(bound):
        # Two or more pairs and no bound: every difference is the same, the interval a point.
        # (A shared report may have blanked the pairs: n is then None, and so is the bound.)
        return NO_INTERVAL if bound is None and (paired["n"] or 0) >= 2 else bound

    rows = [
        ("Pre-course average (all counted pre answers)", gain["pre_mean"], gain["n_pre"]),
        ("Post-course average (all counted post answers)", gain["post_mean"], gain["n_post"]),
        ("Learning gain (published measure)", gain["gain"], None),
        ("Paired: pre average", paired["mean_pre"], paired["n"]),
        ("Paired: post average", paired["mean_post"], paired["n"]),
        ("Paired: mean gain", paired["mean_gain"], paired["n"]),
        ("Paired: 95% confidence interval, low", interval(paired["ci95_low"]), None),
        ("Paired: 95% confidence interval, high", interval(paired["ci95_high"]), None),
        ("Paired: effect size (d_z)", paired["effect_size_dz"], None),
        ("Paired t-test: t", paired.get("t"), None),
        ("Paired t-test: degrees of freedom", paired.get("df"), None),
        ("Paired t-test p-value", paired["t_p"], None),
        ("Wilcoxon signed-rank: W (smaller rank sum)", paired.get("wilcoxon_w"), None),
        ("Wilcoxon signed-rank p-value", paired["wilcoxon_p"], None),
        (HAKE_G, paired["class_normalised_gain"], paired["n"]),
        (MEAN_C, paired.get("normalised_change"), paired.get("n_normalised_change")),
        (MEAN_G, paired["normalised_gain"], paired["n_normalised"]),
        ("Delegates already at the ceiling (pre = 5)", paired["n_at_ceiling"], None),
        (
            "Pre average of attendees who returned the post evaluation",
            bias["returned"]["pre_mean"],
            bias["returned"]["n"],
        ),
        (
            "Pre average of attendees who did not",
            bias["not_returned"]["pre_mean"],
            bias["not_returned"]["n"],
        ),
    ]
    if gain.get("response_shift"):
        shift = gain["response_shift"]
        rows.append(("Retrospective 'then' average", shift["then_mean"], shift["n"]))
        rows.append(
            ("Response shift (then - pre, paired)", shift["paired"]["shift"], shift["paired"]["n"])
        )

    def places(measure: str):
        if "p-value" in measure:
            return "p"
        if "Normalised" in measure:
            return 3
        if "ceiling" in measure or "degrees" in measure or "Wilcoxon" in measure:
            return None
        return 2

    return [
        {"measure": m, "value": v, "n": n, "_decimals": {"value": places(m)}} for m, v, n in rows
    ]


def report_tables(report: dict) -> list[Table]:
    """Every table of the uptake report, in page order."""
    funnel = report["funnel"]
    rates = report["evaluations"]
    one_organisation = per_organisation(report)
    shared_note = (report.get("suppression") or {}).get("rule", "")
    rates_chart = Chart(
        "barh",
        "priority",
        ["attended_rate", "did_not_attend_rate", "cancelled_late_rate"],
        "Attended, did not attend and late cancellations by priority area (% of booked)",
        unit="%",
    )
    tables = [
        Table(
            "summary",
            "Headline figures",
            [("measure", "Measure"), ("value", "Value")],
            summary_rows(report),
            " ".join(
                filter(
                    None,
                    [
                        "Rates are percentages to one decimal place; averages are on the 1 to 5 "
                        "scale.",
                        RATES_NOTE,
                        shared_note,
                    ],
                )
            ),
        ),
        Table(
            "by_priority",
            "Uptake by priority area: training and e-learning",
            _without_fill_rate(
                [
                    ("priority", "Priority area"),
                    ("events", "Events"),
                    ("offered", "Places offered"),
                    ("used", "Used"),
                    ("attended", "Attended"),
                    ("did_not_attend", "Did not attend"),
                    ("cancelled", "Cancelled"),
                    ("fill_rate", "Fill rate (%)"),
                    ("elearning_completed", "e-Learning completions"),
                    ("booked", "Booked"),
                    ("cancelled_late", "Cancelled late"),
                    *RATE_COLUMNS,
                    ("low_uptake_text", "Low uptake"),
                ],
                report,
            ),
            [r | {"low_uptake_text": _yes(r["low_uptake"])} for r in report["by_priority"]],
            RATES_NOTE if one_organisation else f"{report['low_uptake_rule']} {RATES_NOTE}",
            rates_chart
            if one_organisation
            else Chart(
                "barh",
                "priority",
                ["used", "offered"],
                "Places used and offered by priority area",
                axis="Places",
            ),
        ),
        Table(
            "by_course",
            "Uptake by course",
            _without_fill_rate(
                [
                    ("course", "Course"),
                    ("priority", "Priority area"),
                    ("events", "Events"),
                    ("events_cancelled", "Cancelled by organiser"),
                    ("offered", "Places offered"),
                    ("used", "Used"),
                    ("attended", "Attended"),
                    ("did_not_attend", "Did not attend"),
                    ("cancelled", "Cancelled"),
                    ("fill_rate", "Fill rate (%)"),
                    ("booked", "Booked"),
                    ("cancelled_late", "Cancelled late"),
                    *RATE_COLUMNS,
                ],
                report,
            ),
            report["by_course"],
            RATES_NOTE,
            Chart(
                "barh",
                "course",
                ["attended_rate"],
                "Attended by course (% of places booked)",
                unit="%",
            )
            if one_organisation
            else Chart("barh", "course", ["fill_rate"], "Fill rate by course", unit="%"),
        ),
        Table(
            "evaluation_rates",
            "Evaluation return rates",
            [
                ("stage", "Evaluation"),
                ("invited", "Asked"),
                ("completed", "Returned"),
                ("rate", "Rate (%)"),
            ],
            [
                {"stage": "Pre-course (of places used)", **rates["pre"]},
                {"stage": "Post-course (of attended)", **rates["post"]},
                {"stage": "Stage 2 (of attended)", **rates["stage2"]},
            ],
            "Pre-course: returned / places used. Post-course and stage 2: returned / attended.",
            Chart("bar", "stage", ["rate"], "Evaluation return rates", unit="%"),
        ),
        Table(
            "learning_gain",
            "Learning gain",
            [("measure", "Measure"), ("value", "Value"), ("n", "Number of delegates")],
            learning_gain_rows(report),
            "Scores are the mean of the learning-gain items on a 1 to 5 scale. The published "
            "gain compares everyone who answered each side; the paired figures only delegates "
            "who answered both.",
        ),
        *_stage2_impact_tables(report),
        Table(
            "evaluation_by_priority",
            "Evaluations and learning gain by priority area",
            _evaluation_columns("priority", "Priority area"),
            [_evaluation_row(r, "priority") for r in report["evaluation_by_priority"]],
            "",
            Chart(
                "bar",
                "priority",
                ["pre_mean", "post_mean"],
                "Pre and post averages by priority area",
                axis="Average score (1 to 5)",
                scale=(1, 5),
            ),
            decimals=MEAN_DECIMALS,
        ),
        Table(
            "evaluation_by_course",
            "Evaluations and learning gain by course",
            _evaluation_columns("course", "Course"),
            [_evaluation_row(r, "course") for r in report["evaluation_by_course"]],
            decimals=MEAN_DECIMALS,
        ),
        Table(
            "funnel",
            "From booking to stage 2",
            [("step", "Step"), ("count", "Bookings")],
            [
                {"step": "Booked", "count": funnel["booked"]},
                {"step": "Attended", "count": funnel["attended"]},
                {"step": "Pre-course answered", "count": funnel["pre_answered"]},
                {"step": "Post-course answered", "count": funnel["post_answered"]},
                {"step": "Stage 2 answered", "count": funnel["stage2_answered"]},
            ],
            "Pre-course answers count for every place used, so they may exceed attendance.",
            Chart("barh", "step", ["count"], "Bookings at each step", axis="Bookings"),
        ),
        Table(
            "cancellation_reasons",
            "Why delegates cancelled beforehand",
            [
                ("reason", "Reason"),
                ("count", "Cancellations"),
                ("late", "Of which late"),
                ("percent", "%"),
            ],
            report["reasons"]["cancellation"],
            "",
            Chart("barh", "reason", ["count"], "Cancellations by reason", axis="Cancellations"),
        ),
        Table(
            "no_show_reasons",
            "Why delegates did not attend",
            [("reason", "Reason"), ("count", "Did not attend"), ("percent", "%")],
            report["reasons"]["did_not_attend"],
            "",
            Chart("barh", "reason", ["count"], "Non-attendance by reason", axis="Non-attendances"),
        ),
        Table(
            "by_organisation",
            "Places lost by organisation",
            [
                ("organisation", "Organisation"),
                ("sector_label", "Sector"),
                ("booked", "Places held"),
                ("attended", "Attended"),
                ("did_not_attend", "Did not attend"),
                ("cancelled", "Cancelled"),
                ("cancelled_late", "Cancelled late"),
                ("places_lost", "Places lost"),
                *RATE_COLUMNS,
            ],
            [
                r | {"sector_label": SECTOR_LABELS.get(r["sector"], r["sector"])}
                for r in report["by_organisation"]
            ],
            "Places lost = did not attend + late cancellations (too late to re-offer). "
            + RATES_NOTE,
            Chart(
                "barh",
                "organisation",
                ["places_lost"],
                "Places lost: the 15 organisations losing most",
                limit=15,
                axis="Places lost",
            ),
        ),
        Table(
            "quarters",
            "Trends by quarter",
            _without_fill_rate(
                [
                    ("quarter", "Quarter"),
                    ("events", "Events"),
                    ("offered", "Places offered"),
                    ("used", "Used"),
                    ("attended", "Attended"),
                    ("did_not_attend", "Did not attend"),
                    ("cancelled", "Cancelled"),
                    ("fill_rate", "Fill rate (%)"),
                    ("pre_rate", "Pre rate (%)"),
                    ("post_rate", "Post rate (%)"),
                    ("stage2_rate", "Stage 2 rate (%)"),
                    ("gain", "Learning gain"),
                    ("attended_rate", "Attended (% of booked)"),
                ],
                report,
            ),
            report["quarters"],
            "Quarters are three-month blocks from the first day of the period.",
            Chart(
                "line",
                "quarter",
                [
                    "attended_rate" if one_organisation else "fill_rate",
                    "pre_rate",
                    "post_rate",
                    "stage2_rate",
                ],
                "Rates by quarter",
                unit="%",
            ),
            decimals=MEAN_DECIMALS,
        ),
        Table(
            "comparison",
            "This period against the previous one",
            [
                ("measure", "Measure"),
                ("this", "This period"),
                ("previous", "Previous period"),
                ("change", "Change"),
            ],
            comparison_rows(report),
            f"Previous period: {report['previous']['period']['start']} to "
            f"{report['previous']['period']['end']} (the same number of days).",
        ),
    ]
    return tables


NO_DATA = "No data"


def comparison_rows(report: dict) -> list[dict]:
    """The comparison for people: "No data" (and no change) when the previous period had no
    events, places or e-learning at all, rather than zeros and the whole figure as a change."""
    from reports.trends import has_data  # pandas: not at start-up (tests/reports/test_startup.py)

    empty = not has_data(report["previous"])
    rows = []
    for r in report["comparison"]:
        if per_organisation(report) and r["key"] in ("offered", "fill_rate"):
            continue
        places = 2 if r["key"] in MEAN_DECIMALS else None
        row = r | {"_decimals": {"this": places, "previous": places, "change": places}}
        if empty:
            row |= {"previous": NO_DATA, "change": None}
        rows.append(row)
    return rows


def _stage2_impact_tables(report: dict) -> list[Table]:
    """Stage 2 from delegates and line managers side by side (evaluations.impact)."""
    if "stage2_impact" not in report:
        return []
    from evaluations.impact import NOTE, stage2_impact_table_rows

    return [
        Table(
            "stage2_impact",
            "Impact on practice (stage 2): delegates and line managers",
            [
                ("who", "Who answered"),
                ("asked", "Asked"),
                ("returned", "Returned"),
                ("rate", "Rate (%)"),
                ("mean", "Mean (1 to 5)"),
                ("n", "Number of answers"),
            ],
            stage2_impact_table_rows(report["stage2_impact"]),
            NOTE,
            decimals={"mean": 2},
        )
    ]


def table_by_slug(tables: list[Table], slug: str) -> Table | None:
    return next((t for t in tables if t.slug == slug), None)
