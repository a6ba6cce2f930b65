"""The "Multi-agency training and its impact" section of the annual report, drafted from figures.

The sentences follow the 2022/23 report's, so the L&D lead can paste them in and edit. One
function (`annual_section`) gives the content; the page and the .docx render the same content.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings

from reports.compliance import compliance_sentences
from reports.metrics import NOT_GIVEN
from reports.report import report_build
from reports.selectors import ReportFilters, publishable_quotes
from reports.tables import MEAN_DECIMALS, Table, report_tables, table_by_slug

SECTION_TITLE = "Multi-agency training and its impact"
COMPLIANCE_HEADING = "Trained to the level each role needs"


def ordinal_date(day: date) -> str:
    """1st April 2022."""
    suffix = "th" if 11 <= day.day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day.day % 10, "th")
    return f"{day.day}{suffix} {day:%B %Y}"


def _number(value) -> str:
    return "no" if value in (None, 0) else f"{value}"


def _pct(value) -> str:
    return "n/a" if value is None else f"{value:.1f}%"


def _whole_pct(value) -> str:
    return "n/a" if value is None else f"{round(value):d}%"


@dataclass
class AnnualSection:
    title: str
    start: date
    end: date
    training_data: list[str]
    priority_intro: str
    priority_table: Table
    low_uptake: list[str]
    evaluations: list[str]
    gain_table: Table
    gain_by_priority: Table
    gain_note: str
    quotes: list[dict]
    charts: list[Table] = field(default_factory=list)
    report: dict = field(default_factory=dict)
    quotes_marked: int = 0  # different comments marked publishable (quotes holds the first few)
    quotes_intro: str = ""
    compliance: list[str] = field(default_factory=list)  # training to the level roles need

    @property
    def figures(self) -> list[tuple[str, Table]]:
        """Each chart with its short caption, numbered as the page and the .docx show it."""
        return [(figure_caption(n, t), t) for n, t in enumerate(self.charts, start=1)]


QUOTES_INTRO = "Comments from attendees about the training:"


def figure_caption(number: int, table: Table) -> str:
    """'Figure 1: Places used and offered by priority area' (the text alternative is the alt)."""
    return f"Figure {number}: {table.chart.title if table.chart else table.title}"


def _quote_key(text: str) -> str:
    """The same comment, whatever its case, spacing or closing punctuation."""
    return " ".join(text.casefold().split()).strip(" .!\"'“”‘’")


def quotes_chosen(quotes: list[dict], limit: int) -> tuple[list[dict], int]:
    """The lead's publishable comments without repeats: the first `limit`, and how many differ."""
    seen: set[str] = set()
    distinct = []
    for quote in quotes:
        key = _quote_key(quote["text"])
        if key and key not in seen:
            seen.add(key)
            distinct.append(quote)
    return distinct[: max(limit, 0)], len(distinct)


OTHER = "Other"


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def reason_clause(rows: list[dict]) -> str | None:
    """Why most people cancelled (or did not attend), said no stronger than the counts allow.

    "mainly due to X" only when X is a reason given and strictly the most common of all rows
    (counting "No reason given" and "Other"); a tie at the top is said neutrally ("most often due
    to X and Y"), and so is a top row that is no reason or "Other". None without any row.
    """
    counted = [r for r in rows if r["count"]]
    if not counted:
        return None
    top = max(r["count"] for r in counted)
    tied = sorted((r["reason"] for r in counted if r["count"] == top), key=str.lower)
    given = [reason.lower() for reason in tied if reason not in (NOT_GIVEN, OTHER)]
    if len(tied) == 1 and given:
        return f"mainly due to {given[0]}"
    phrases = [f"due to {_and(given)}"] if given else []
    if OTHER in tied:
        phrases.append("for other reasons")
    if NOT_GIVEN in tied:
        phrases.append("with no reason given")
    return "most often " + " or ".join(phrases)


def _n(count: int, one: str, many: str) -> str:
    """'1 delegate', '2 delegates'."""
    return f"{count} {one if count == 1 else many}"


def training_sentences(report: dict, start: date, end: date) -> list[str]:
    events, places, orgs = report["events"], report["places"], report["organisations"]
    sentences = [
        f"{_n(events['delivered'], 'training event', 'total training events')} (both adults and "
        f"children courses) {'was' if events['delivered'] == 1 else 'were'} delivered through "
        f"the partnership between {ordinal_date(start)} and {ordinal_date(end)}.",
        f"We offered a total of {_n(places['offered'], 'place', 'places')}, of which "
        f"{places['used']} {'was' if places['used'] == 1 else 'were'} used, and out of that "
        f"{_n(places['attended'], 'delegate', 'delegates')} attended the courses.",
    ]
    cancel_reason = reason_clause(report["reasons"]["cancellation"])
    dna_reason = reason_clause(report["reasons"]["did_not_attend"])
    cancelled = (
        f"We found that {_n(places['cancelled'], 'delegate', 'delegates')} cancelled their place "
        "prior to the course"
    )
    if cancel_reason:
        cancelled += f", {cancel_reason}"
    dna = f"{places['did_not_attend']} did not attend on the day"
    if dna_reason and dna_reason.startswith("mainly"):
        again = "again " if dna_reason == cancel_reason else ""
        dna += f", and {again}this was {dna_reason}"
    elif dna_reason:
        dna += f", {dna_reason}"
    sentences.append(f"{cancelled}, and {dna}.")
    if events["delivered"]:
        sentences.append(
            f"{_whole_pct(events['half_day_or_less_percent'])} of our training was half day or "
            f"less and {_whole_pct(events['full_day_percent'])} was full day."
        )
    sentences.append(
        f"Delegates representing {orgs['attended']} different services or organisations have "
        "been able to network and build relationships on multi-agency training."
    )
    if report["events"]["cancelled"]:
        sentences.append(
            f"{events['cancelled']} further "
            f"{'events were' if events['cancelled'] != 1 else 'event was'} "
            "cancelled by the organiser."
        )
    return sentences


def evaluation_sentences(report: dict) -> list[str]:
    rates = report["evaluations"]
    return [
        f"{_pct(rates['pre']['rate'])} of people complete pre-evaluation",
        f"only {_pct(rates['post']['rate'])} of people complete post course evaluation",
        f"only {_pct(rates['stage2']['rate'])} of people complete post event stage 2",
    ]


def impact_sentences(report: dict, min_group: int) -> list[str]:
    """Stage 2 as seen by delegates and their line managers, once enough managers answered."""
    impact = report.get("stage2_impact")
    if not impact or impact["line_managers"]["n"] < min_group:
        return []
    managers, delegates = impact["line_managers"], impact["delegates"]
    sentences = [
        f"{managers['n']} line managers rated the change they observed in their colleagues' "
        f"practice at {managers['mean']:.2f} on average (1 to 5); delegates rated their own at "
        f"{'n/a' if delegates['mean'] is None else format(delegates['mean'], '.2f')} "
        f"({delegates['n']} answers)"
    ]
    paired = impact["paired"]
    if paired["n"] >= min_group and paired["difference"] is not None:
        sentences.append(
            f"where both answered ({paired['n']} delegates), managers' ratings differed from "
            f"the delegates' own by {paired['difference']:+.2f} on average"
        )
    return sentences


def annual_section(
    *, start: date, end: date, filters: ReportFilters | None = None, min_group: int | None = None
) -> AnnualSection:
    """The section's content for start..end: sentences, tables, charts and quotes.

    The section is published (the annual report), so it is built from the shared report: small
    groups' figures are blanked (reports.suppression), `min_group` overriding the setting.
    """
    report = report_build(
        start=start, end=end, filters=filters, shared=True, min_group_size=min_group
    )
    tables = report_tables(report)
    low = [r["priority"] for r in report["by_priority"] if r["low_uptake"]]
    low_uptake = [
        f"Uptake of our {name} courses was low: {row['fill_rate']:g}% of the places offered were "
        "used, well below the other priority areas."
        for name in low
        for row in report["by_priority"]
        if row["priority"] == name and row["fill_rate"] is not None
    ]
    gain = report["learning_gain"]
    gain_table = Table(
        "annual_gain",
        "Learning gain",
        [("pre", "Pre-booked average"), ("post", "Post event average"), ("gain", "Learning gain")],
        [{"pre": gain["pre_mean"], "post": gain["post_mean"], "gain": gain["gain"]}],
        decimals=MEAN_DECIMALS,
    )
    # Areas whose every evaluation figure is hidden (too few answers) are left out.
    by_priority = [r for r in report["evaluation_by_priority"] if not r["suppressed_all"]]
    gain_by_priority = Table(
        "annual_gain_by_priority",
        "Learning gain by priority area",
        [
            ("priority", "Priority area"),
            ("pre", "Pre-booked average"),
            ("post", "Post event average"),
            ("gain", "Learning gain"),
            ("n", "Post responses"),
        ],
        [
            {
                "priority": r["priority"],
                "pre": r["learning_gain"]["pre_mean"],
                "post": r["learning_gain"]["post_mean"],
                "gain": r["learning_gain"]["gain"],
                "n": r["learning_gain"]["n_post"],
            }
            for r in by_priority
        ],
        decimals=MEAN_DECIMALS,
    )
    priority_table = Table(
        "annual_priority",
        "Attendance by priority area",
        [
            ("priority", "Priority area"),
            ("elearning_completed", "e-Learning completions"),
            ("events", "Training events"),
            ("offered", "Places offered"),
            ("attended", "Attended"),
            ("fill_rate", "Fill rate (%)"),
        ],
        report["by_priority"],
    )
    quotes, marked = quotes_chosen(
        publishable_quotes(start=start, end=end, filters=filters), settings.ANNUAL_REPORT_QUOTES
    )
    charts = [
        t
        for slug in ("by_priority", "evaluation_rates", "evaluation_by_priority")
        if (t := table_by_slug(tables, slug)) is not None and t.rows
    ]
    return AnnualSection(
        title=SECTION_TITLE,
        start=start,
        end=end,
        training_data=training_sentences(report, start, end),
        priority_intro="Attendance at our training in relation specifically to our key priorities "
        "is as follows:",
        priority_table=priority_table,
        low_uptake=low_uptake,
        evaluations=evaluation_sentences(report)
        + impact_sentences(
            report, settings.REPORT_MIN_GROUP_SIZE if min_group is None else min_group
        ),
        gain_table=gain_table,
        gain_by_priority=gain_by_priority,
        gain_note=f"Data collected from {start:%d.%m.%Y} – {end:%d.%m.%Y}",
        quotes=quotes,
        charts=charts,
        report=report,
        quotes_marked=marked,
        quotes_intro=QUOTES_INTRO,
        compliance=compliance_sentences(
            sector=(filters.sector if filters else None) or "", min_group=min_group
        ),
    )
