"""Reads of the training needs analysis: the lead's surveys, and the report that ranks the
gaps by combining four measures per priority area and organisation (or sector):

- confidence: the survey's average self-rated confidence (1-5) in the area's topics;
- pre-course knowledge: the average pre-course self-rating on learning-gain items (evaluations,
  stage pre) of the period's events in the area, by the booking's organisation;
- out of date or missing: staff whose job role requires the area and who are out of date or have
  not achieved the level (competency records);
- demand: people waiting to hear of dates for the area's courses (CourseInterest, not yet told)
  plus waiting-list places on the area's upcoming events.

RANKING_RULE below is the rule, shown on the page and in the exports. The number of queries does
not grow with the number of people, answers or groups.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Avg, Count, Q, Sum
from django.utils import timezone

from bookings.models import Booking
from competency.models import NeedsAnswer, NeedsInvitation, NeedsSurvey, NeedsTopic, StaffRole
from competency.selectors import MISSING, OUT_OF_DATE, records
from core.clock import LONDON
from courses.models import CourseInterest, Event, PriorityArea
from evaluations.models import Response, Stage
from people.models import Organisation

BY_ORGANISATION = "organisation"
BY_SECTOR = "sector"
GROUPINGS = {BY_ORGANISATION: "Organisation", BY_SECTOR: "Sector"}

RANKING_RULE = (
    "Each row (a priority area in one {group}) is ranked on four measures, 1 being the greatest "
    "need: lowest average confidence in the survey, lowest average pre-course knowledge, most "
    "staff out of date or missing the level their role needs, and most demand (people waiting "
    "for dates plus waiting-list places). Rows with the same figure share a rank; a row with no "
    "figure for a measure takes the rank after the last row that has one. The four ranks are "
    "added up: the smallest total is the biggest gap and comes first. Ties go to the lower "
    "confidence, then to the name."
)
SUPPRESSION_NOTE = (
    "In the downloads, an average based on fewer than {n} people is not shown, and the ranking "
    "is worked out without it."
)
MEASURES = ("confidence", "pre_knowledge", "staff_gaps", "demand")
# True: a higher figure is a greater need.
HIGHER_IS_NEED = {"confidence": False, "pre_knowledge": False, "staff_gaps": True, "demand": True}


def needs_survey_list() -> list[NeedsSurvey]:
    """Every survey, newest first, with how many were asked and how many answered."""
    return list(
        NeedsSurvey.objects.annotate(
            invited=Count("invitations", distinct=True),
            answered=Count(
                "invitations", filter=Q(invitations__answered_at__isnull=False), distinct=True
            ),
            topic_count=Count("topics", distinct=True),
        ).order_by("-opens_on", "-id")
    )


def needs_topics_by_area(survey: NeedsSurvey) -> list[tuple[PriorityArea, list[NeedsTopic]]]:
    """The survey's topics, grouped by priority area (by name), in their order."""
    grouped: dict[int, tuple[PriorityArea, list[NeedsTopic]]] = {}
    for topic in survey.topics.select_related("priority_area").order_by(
        "priority_area__name", "order", "id"
    ):
        grouped.setdefault(topic.priority_area_id, (topic.priority_area, []))[1].append(topic)
    return list(grouped.values())


def response_rate(survey: NeedsSurvey) -> dict:
    counts = NeedsInvitation.objects.filter(survey=survey).aggregate(
        invited=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False))
    )
    invited, answered = counts["invited"], counts["answered"]
    rate = round(100 * answered / invited, 1) if invited else None
    return {"invited": invited, "answered": answered, "rate": rate}


@dataclass
class NeedsRow:
    area_id: int
    area: str
    group_key: object
    group: str
    confidence: float | None = None
    n_confidence: int = 0  # respondents behind the average
    invited: int = 0
    answered: int = 0
    pre_knowledge: float | None = None
    n_pre: int = 0  # pre-course responses behind the average
    staff_gaps: int = 0  # out of date or missing
    staff_required: int = 0  # staff whose role requires the area
    interest: int = 0
    waiting: int = 0
    ranks: dict = field(default_factory=dict)
    score: int | None = None
    position: int | None = None
    suppressed: list = field(default_factory=list)

    @property
    def demand(self) -> int:
        return self.interest + self.waiting

    def figure(self, measure: str):
        value = getattr(self, measure)
        if measure in ("staff_gaps", "demand") and not value:
            return None  # nothing behind it: no need shown, ranked after those with one
        return value


@dataclass
class NeedsReport:
    survey: NeedsSurvey
    grouping: str
    start: date
    end: date
    rows: list[NeedsRow]
    topics: list[dict]
    topic_groups: list[dict]
    rate: dict
    shared: bool
    min_group_size: int

    @property
    def rule(self) -> str:
        return RANKING_RULE.format(group=GROUPINGS[self.grouping].lower())

    @property
    def suppression_note(self) -> str:
        return SUPPRESSION_NOTE.format(n=self.min_group_size)


def default_period(survey: NeedsSurvey) -> tuple[date, date]:
    """The twelve months before the survey opened: the pre-course answers it sits beside."""
    end = survey.opens_on - timedelta(days=1)
    return end - timedelta(days=364), end


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return (
        datetime.combine(start, time(0), tzinfo=LONDON),
        datetime.combine(end + timedelta(days=1), time(0), tzinfo=LONDON),
    )


def _rank(rows: list[NeedsRow], measure: str) -> None:
    """Competition ranking (1, 2, 2, 4): ties share the better rank; no figure ranks last."""
    has = [r for r in rows if r.figure(measure) is not None]
    values = sorted((r.figure(measure) for r in has), reverse=HIGHER_IS_NEED[measure])
    for r in rows:
        value = r.figure(measure)
        if value is None:
            r.ranks[measure] = len(has) + 1
        else:
            r.ranks[measure] = values.index(value) + 1


def rank_rows(rows: list[NeedsRow]) -> list[NeedsRow]:
    """RANKING_RULE: a rank per measure, summed; the smallest total first."""
    for measure in MEASURES:
        _rank(rows, measure)
    for r in rows:
        r.score = sum(r.ranks[m] for m in MEASURES)
    rows.sort(
        key=lambda r: (
            r.score,
            r.confidence if r.confidence is not None else 6,
            r.area,
            r.group,
        )
    )
    for position, r in enumerate(rows, start=1):
        r.position = position
    return rows


def _suppress(rows: list[NeedsRow], topics: list[dict], min_size: int) -> None:
    """Blank the averages based on fewer than min_size people (the reports' rule)."""
    for r in rows:
        if r.confidence is not None and r.n_confidence < min_size:
            r.confidence = None
            r.suppressed.append("confidence")
        if r.pre_knowledge is not None and r.n_pre < min_size:
            r.pre_knowledge = None
            r.suppressed.append("pre_knowledge")
    for t in topics:
        if t["confidence"] is not None and t["n"] < min_size:
            t["confidence"] = None
            t["suppressed"] = True


def _suppress_topic_groups(rows: list[dict], topics: list[dict], min_size: int) -> None:
    """Each topic's groups: blank an average behind fewer than min_size people; and where one
    group alone is hidden while the topic's overall average is shown, hide the next smallest
    too, so the hidden one cannot be worked out from the total (the reports' secondary rule)."""
    overall_shown = {t["topic_id"] for t in topics if t["confidence"] is not None}
    by_topic: dict[int, list[dict]] = defaultdict(list)
    for r in rows:
        by_topic[r["topic_id"]].append(r)
        if r["confidence"] is not None and r["n"] < min_size:
            r["confidence"], r["suppressed"] = None, True
    for topic_id, groups in by_topic.items():
        if topic_id not in overall_shown:
            continue
        hidden = [g for g in groups if g["suppressed"] and g["n"] > 0]
        shown = [g for g in groups if g["confidence"] is not None]
        if len(hidden) == 1 and shown:
            smallest = min(shown, key=lambda g: g["n"])
            smallest["confidence"], smallest["suppressed"] = None, True


def needs_report(
    survey: NeedsSurvey,
    *,
    grouping: str = BY_ORGANISATION,
    start: date | None = None,
    end: date | None = None,
    shared: bool = False,
    today: date | None = None,
) -> NeedsReport:
    """The survey's ranking of gaps (module docstring), by organisation or sector. `shared`
    (the downloads) blanks small groups' averages before ranking."""
    if start is None or end is None:
        start, end = default_period(survey)
    by_sector = grouping == BY_SECTOR
    organisations = {o.pk: o for o in Organisation.objects.all()}
    sectors = dict(Organisation.Sector.choices)

    def group_of(organisation_id) -> tuple[object, str]:
        organisation = organisations.get(organisation_id)
        if organisation is None:
            return (None, "No organisation")
        if by_sector:
            return (organisation.sector, sectors.get(organisation.sector, organisation.sector))
        return (organisation.pk, organisation.name)

    areas = {a.pk: a.name for a in PriorityArea.objects.all()}
    rows: dict[tuple, NeedsRow] = {}

    def row(area_id, organisation_id) -> NeedsRow:
        key, name = group_of(organisation_id)
        found = rows.get((area_id, key))
        if found is None:
            found = rows[(area_id, key)] = NeedsRow(area_id, areas[area_id], key, name)
        return found

    # 1. The survey's confidence: each respondent's average in the area, then their mean.
    survey_areas = set(survey.topics.values_list("priority_area_id", flat=True))
    per_person = (
        NeedsAnswer.objects.filter(invitation__survey=survey, confidence__isnull=False)
        .values("invitation_id", "invitation__organisation_id", "topic__priority_area_id")
        .annotate(mean=Avg("confidence"))
        .order_by()
    )
    sums: dict[tuple, list[float]] = defaultdict(list)
    for item in per_person:
        sums[(item["topic__priority_area_id"], item["invitation__organisation_id"])].append(
            float(item["mean"])
        )
    for (area_id, organisation_id), means in sums.items():
        r = row(area_id, organisation_id)
        total = (r.confidence or 0) * r.n_confidence + sum(means)
        r.n_confidence += len(means)
        r.confidence = total / r.n_confidence
    invited = (
        NeedsInvitation.objects.filter(survey=survey)
        .values("organisation_id")
        .annotate(invited=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False)))
        .order_by()
    )
    for item in invited:
        for area_id in survey_areas:
            r = row(area_id, item["organisation_id"])
            r.invited += item["invited"]
            r.answered += item["answered"]

    # 2. Pre-course knowledge: each response's learning-gain average (else its imported score).
    low, high = _bounds(start, end)
    responses = (
        Response.objects.filter(
            submitted_at__isnull=False,
            invitation__stage=Stage.PRE,
            invitation__respondent="delegate",
            invitation__booking__event__start__gte=low,
            invitation__booking__event__start__lt=high,
        )
        .annotate(
            item_score=Avg(
                "answers__rating",
                filter=Q(
                    answers__item__is_learning_gain=True, answers__item__is_retrospective=False
                ),
            )
        )
        .values_list(
            "invitation__booking__event__course__priority_area_id",
            "invitation__booking__organisation_id",
            "item_score",
            "imported_score",
        )
        .order_by()
    )
    pre: dict[tuple, list[float]] = defaultdict(list)
    for area_id, organisation_id, item_score, imported in responses:
        score = item_score if item_score is not None else imported
        if score is not None:
            pre[(area_id, organisation_id)].append(float(score))
    for (area_id, organisation_id), scores in pre.items():
        r = row(area_id, organisation_id)
        total = (r.pre_knowledge or 0) * r.n_pre + sum(scores)
        r.n_pre += len(scores)
        r.pre_knowledge = total / r.n_pre

    # 3. Staff out of date or missing the level their role needs (their current organisation).
    staff = [
        sr.person
        for sr in StaffRole.objects.filter(person__is_active=True).select_related("person")
    ]
    for person, record in zip(staff, records(staff, today=today), strict=True):
        for standing in record.standings:
            r = row(standing.priority_area.pk, person.organisation_id)
            r.staff_required += 1
            if standing.state in (OUT_OF_DATE, MISSING):
                r.staff_gaps += 1

    # 4. Demand: people waiting to hear of dates, and waiting lists of upcoming events.
    interest = (
        CourseInterest.objects.filter(notified_at__isnull=True)
        .values("course__priority_area_id", "organisation_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for item in interest:
        row(item["course__priority_area_id"], item["organisation_id"]).interest += item["n"]
    waiting = (
        Booking.objects.filter(
            status=Booking.Status.WAITLISTED,
            event__status=Event.Status.SCHEDULED,
            event__start__gte=timezone.now(),
        )
        .values("event__course__priority_area_id", "organisation_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for item in waiting:
        row(item["event__course__priority_area_id"], item["organisation_id"]).waiting += item["n"]

    # The topics, partnership-wide: where confidence is lowest.
    topics = [
        {
            "topic_id": t["pk"],
            "area": t["priority_area__name"],
            "topic": t["text"],
            "confidence": t["mean"],
            "n": t["n"],
            "not_relevant": t["not_relevant"],
            "suppressed": False,
        }
        for t in NeedsTopic.objects.filter(survey=survey)
        .values("pk", "text", "priority_area__name", "order")
        .annotate(
            mean=Avg("answers__confidence"),
            n=Count("answers", filter=Q(answers__confidence__isnull=False)),
            not_relevant=Count("answers", filter=Q(answers__confidence__isnull=True)),
        )
        .order_by("priority_area__name", "order", "pk")
    ]
    for t in topics:
        t["confidence"] = float(t["confidence"]) if t["confidence"] is not None else None
    topics.sort(key=lambda t: (t["confidence"] is None, t["confidence"] or 0, t["area"]))

    # Each topic by organisation (or sector): one query, summed here.
    by_group: dict[tuple, dict] = {}
    topic_names = {
        t.pk: (t.priority_area.name, t.text, t.order)
        for t in NeedsTopic.objects.filter(survey=survey).select_related("priority_area")
    }
    for item in (
        NeedsAnswer.objects.filter(invitation__survey=survey)
        .values("topic_id", "invitation__organisation_id")
        .annotate(
            total=Sum("confidence"),
            n=Count("pk", filter=Q(confidence__isnull=False)),
            not_relevant=Count("pk", filter=Q(confidence__isnull=True)),
        )
        .order_by()
    ):
        key, name = group_of(item["invitation__organisation_id"])
        area, text, order = topic_names[item["topic_id"]]
        found_row = by_group.setdefault(
            (item["topic_id"], key),
            {"area": area, "topic": text, "order": order, "topic_id": item["topic_id"],
             "group": name, "total": 0, "n": 0, "not_relevant": 0, "suppressed": False},
        )  # fmt: skip
        found_row["total"] += item["total"] or 0
        found_row["n"] += item["n"]
        found_row["not_relevant"] += item["not_relevant"]
    topic_groups = sorted(
        by_group.values(), key=lambda t: (t["area"], t["order"], t["topic"], t["group"])
    )
    for t in topic_groups:
        t["confidence"] = t.pop("total") / t["n"] if t["n"] else None

    min_size = int(settings.REPORT_MIN_GROUP_SIZE)
    found = list(rows.values())
    if shared:
        _suppress(found, topics, min_size)
        _suppress_topic_groups(topic_groups, topics, min_size)
    return NeedsReport(
        survey=survey,
        grouping=grouping if by_sector else BY_ORGANISATION,
        start=start,
        end=end,
        rows=rank_rows(found),
        topics=topics,
        topic_groups=topic_groups,
        rate=response_rate(survey),
        shared=shared,
        min_group_size=min_size,
    )
