"""Who is trained in what: each person's achievements (attended courses, completed e-learning,
imported history, which is bookings and enrolments like any other), when each runs out, and how
they stand against what their job role requires."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

from bookings.models import Booking, Enrolment
from competency.models import JobRole, Level, Requirement, StaffRole
from core.clock import LONDON
from courses.models import Course, Event, PriorityArea

if TYPE_CHECKING:
    from people.models import User

IN_DATE = "in_date"
EXPIRING = "expiring"
OUT_OF_DATE = "out_of_date"
MISSING = "missing"
STATE_LABELS = {
    IN_DATE: "In date",
    EXPIRING: "Runs out soon",
    OUT_OF_DATE: "Out of date",
    MISSING: "Not yet achieved",
}


@dataclass(frozen=True)
class Achievement:
    person_id: int
    priority_area_id: int
    level: int
    course_id: int
    course: str
    on: date
    expires: date | None  # None: the level has no refresher interval in the framework
    source: str  # "course" or "e-learning"

    def in_date(self, today: date) -> bool:
        return self.expires is None or self.expires >= today


@dataclass
class Standing:
    """One requirement of a person's job role, and how they stand against it."""

    priority_area: PriorityArea
    level: int
    level_name: str
    state: str
    best: Achievement | None  # the achievement that meets it (or last met it)
    fill_with: list[Course] = field(default_factory=list)

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def is_gap(self) -> bool:
        return self.state in (MISSING, OUT_OF_DATE)


@dataclass
class Record:
    person_id: int
    job_role: JobRole | None
    standings: list[Standing]
    achievements: list[Achievement]

    @property
    def gaps(self) -> list[Standing]:
        return [s for s in self.standings if s.is_gap]


def level_names() -> dict[int, Level]:
    return {level.number: level for level in Level.objects.all()}


def _expiry(on: date, level: Level | None) -> date | None:
    return on + relativedelta(months=level.refresher_months) if level else None


def achievements(person_ids: Iterable[int], *, levels: dict[int, Level] | None = None):
    """{person id: [Achievement, ...]} from attended courses (in full: partial attendance earns
    no certificate and no level) and completed e-learning, newest first. Two queries."""
    levels = level_names() if levels is None else levels
    person_ids = list(person_ids)
    found: dict[int, list[Achievement]] = defaultdict(list)
    attended = Booking.objects.filter(
        person_id__in=person_ids,
        status=Booking.Status.ATTENDED,
        event__status=Event.Status.DELIVERED,
    ).values_list(
        "person_id",
        "event__course__priority_area_id",
        "event__course__competency_level",
        "event__course_id",
        "event__course__title",
        "event__end",
    )
    for person_id, area_id, level, course_id, title, end in attended:
        on = timezone.localtime(end, LONDON).date()
        found[person_id].append(
            Achievement(
                person_id,
                area_id,
                level,
                course_id,
                title,
                on,
                _expiry(on, levels.get(level)),
                "course",
            )
        )
    completed = Enrolment.objects.filter(
        person_id__in=person_ids, completed_at__isnull=False
    ).values_list(
        "person_id",
        "course__priority_area_id",
        "course__competency_level",
        "course_id",
        "course__title",
        "completed_at",
    )
    for person_id, area_id, level, course_id, title, completed_at in completed:
        on = timezone.localtime(completed_at, LONDON).date()
        found[person_id].append(
            Achievement(
                person_id,
                area_id,
                level,
                course_id,
                title,
                on,
                _expiry(on, levels.get(level)),
                "e-learning",
            )
        )
    for items in found.values():
        items.sort(key=lambda a: a.on, reverse=True)
    return found


def standing(
    required: int, area_achievements: list[Achievement], *, today: date
) -> tuple[str, Achievement | None]:
    """How one requirement stands: the in-date achievement at or above the level that runs
    longest, else the latest one that has run out, else nothing."""
    meeting = [a for a in area_achievements if a.level >= required]
    current = [a for a in meeting if a.in_date(today)]
    if current:
        best = max(current, key=lambda a: a.expires or date.max)
        soon = today + timedelta(days=settings.COMPETENCY_REMINDER_DAYS)
        return (EXPIRING if best.expires and best.expires <= soon else IN_DATE), best
    if meeting:
        return OUT_OF_DATE, max(meeting, key=lambda a: a.expires or date.max)
    return MISSING, None


def courses_filling(priority_area_id: int, level: int) -> list[Course]:
    """Published courses that would meet a requirement: e-learning, or with a date to book.
    Each carries its next bookable date (`next_event_id`, `next_event_start`), so a gap links
    straight to the event to book (one query)."""
    upcoming = Event.objects.bookable().filter(start__gt=timezone.now())
    first = upcoming.filter(course_id=OuterRef("pk")).order_by("start", "pk")
    return list(
        Course.objects.published()
        .filter(priority_area_id=priority_area_id, competency_level__gte=level)
        .filter(
            Q(pk__in=upcoming.values("course_id")) | Q(delivery_mode=Course.DeliveryMode.ELEARNING)
        )
        .annotate(
            next_event_id=Subquery(first.values("pk")[:1]),
            next_event_start=Subquery(first.values("start")[:1]),
        )
        .order_by("competency_level", "title")
    )


def records(people, *, today: date | None = None, with_courses: bool = False) -> list[Record]:
    """Each person's record against their job role (a constant number of queries)."""
    today = today or timezone.localdate()
    people = list(people)
    levels = level_names()
    roles = {
        sr.person_id: sr.job_role
        for sr in StaffRole.objects.filter(person__in=people).select_related("job_role")
    }
    requirements = defaultdict(list)
    for req in Requirement.objects.filter(job_role__in=set(roles.values())).select_related(
        "priority_area"
    ):
        requirements[req.job_role_id].append(req)
    found = achievements([p.pk for p in people], levels=levels)
    fill_cache: dict[tuple[int, int], list[Course]] = {}
    result = []
    for person in people:
        role = roles.get(person.pk)
        mine = found.get(person.pk, [])
        standings = []
        for req in requirements.get(role.pk, []) if role else []:
            in_area = [a for a in mine if a.priority_area_id == req.priority_area_id]
            state, best = standing(req.level, in_area, today=today)
            level = levels.get(req.level)
            item = Standing(req.priority_area, req.level, level.name if level else "", state, best)
            if with_courses and (item.is_gap or state == EXPIRING):
                key = (req.priority_area_id, req.level)
                if key not in fill_cache:
                    fill_cache[key] = courses_filling(*key)
                item.fill_with = fill_cache[key]
            standings.append(item)
        result.append(Record(person.pk, role, standings, mine))
    return result


def person_record(person: User, *, today: date | None = None) -> Record:
    return records([person], today=today, with_courses=True)[0]


def job_roles_for(person: User) -> list[JobRole]:
    """The roles a person can choose: their organisation's sector's, and any sector's."""
    sector = person.organisation.sector if person.organisation_id else None
    roles = JobRole.objects.filter(sector="") | JobRole.objects.filter(sector=sector or "")
    return list(roles.distinct().order_by("name"))


# --- an organisation's staff (the organisation manager's view) ------------------------------


def staff_member_get_for_manager(manager: User, person_id: int) -> User:
    """One of the manager's own organisation's active staff; the same 404 for "missing" and
    "not yours"."""
    from django.http import Http404

    from people.models import User as UserModel

    if manager.organisation_id is None:
        raise Http404("No such person on your staff")
    person = (
        UserModel.objects.filter(
            pk=person_id, is_active=True, organisation_id=manager.organisation_id
        )
        .select_related("organisation")
        .first()
    )
    if person is None:
        raise Http404("No such person on your staff")
    return person


def events_to_book_for(person: User):
    """Events a place can be booked on for `person`: scheduled, published, still to start; the
    ones in a priority area where their job role needs training first."""
    from django.db.models import Case, IntegerField, Value, When

    areas = Requirement.objects.filter(job_role__staff__person=person).values("priority_area_id")
    return (
        Event.objects.bookable()
        .filter(start__gt=timezone.now())
        .select_related("course")
        .annotate(
            needed=Case(
                When(course__priority_area_id__in=areas, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("needed", "start")
    )


STAFF_FILTERS = {
    "": "Everyone",
    "gaps": "Out of date or not yet achieved",
    "expiring": "Runs out soon",
    "in_date": "All in date",
    "no_role": "No job role given",
}


@dataclass
class StaffRow:
    person: object
    record: Record
    booked: int  # places held on events still to come
    attended: int
    did_not_attend: int
    cancelled_late: int

    @property
    def counts(self) -> dict[str, int]:
        found = {state: 0 for state in STATE_LABELS}
        for s in self.record.standings:
            found[s.state] += 1
        return found

    @property
    def status(self) -> str:
        if self.record.job_role is None:
            return "no_role"
        if self.record.gaps:
            return "gaps"
        if any(s.state == EXPIRING for s in self.record.standings):
            return "expiring"
        return "in_date"


def staff_overview(
    organisation,
    *,
    today: date | None = None,
    show: str = "",
    job_role_id: int | None = None,
    search: str = "",
) -> list[StaffRow]:
    """The named staff of one organisation, each with their record against their role and
    their bookings: coming up, attended, did not attend, cancelled late."""
    from people.models import User

    people = User.objects.filter(organisation=organisation, is_active=True).order_by(
        "full_name", "email"
    )
    if search:
        people = people.filter(Q(full_name__icontains=search) | Q(email__icontains=search))
    if job_role_id:
        people = people.filter(staff_role__job_role_id=job_role_id)
    people = list(people)
    now = timezone.now()
    counts = {
        row["person_id"]: row
        for row in Booking.objects.filter(person__in=people)
        .values("person_id")
        .annotate(
            booked=Count("pk", filter=Q(status__in=Booking.HOLDS_PLACE, event__start__gt=now)),
            attended=Count("pk", filter=Q(status__in=Booking.ATTENDED_STATUSES)),
            did_not_attend=Count("pk", filter=Q(status=Booking.Status.NO_SHOW)),
            cancelled_late=Count(
                "pk", filter=Q(status=Booking.Status.CANCELLED, cancelled_late=True)
            ),
        )
    }
    rows = []
    for person, record in zip(people, records(people, today=today), strict=True):
        c = counts.get(person.pk, {})
        rows.append(
            StaffRow(
                person,
                record,
                c.get("booked", 0),
                c.get("attended", 0),
                c.get("did_not_attend", 0),
                c.get("cancelled_late", 0),
            )
        )
    return [r for r in rows if not show or r.status == show]


# --- the lead's framework and compliance pages -------------------------------------------


def framework_roles():
    """Every job role with its requirements and how many people hold it (three queries)."""
    from django.db.models import Prefetch

    return JobRole.objects.annotate(holders=Count("staff", distinct=True)).prefetch_related(
        Prefetch(
            "requirements",
            queryset=Requirement.objects.select_related("priority_area").order_by(
                "priority_area__name"
            ),
        )
    )


def course_levels():
    """Courses still offered, by priority area, with the level each achieves there."""
    return (
        Course.objects.filter(retired_on__isnull=True)
        .select_related("priority_area")
        .order_by("priority_area__name", "competency_level", "title")
    )


def staff_counts():
    """Partner organisations with their entered staff count (None where none was given) and
    how many of their people have an account and a job role."""
    from people.models import Organisation

    return (
        Organisation.objects.partners()
        .select_related("staff_count")
        .annotate(
            with_role=Count(
                "people",
                filter=Q(people__is_active=True, people__staff_role__isnull=False),
                distinct=True,
            )
        )
        .order_by("name")
    )


@dataclass
class ComplianceRow:
    """One organisation's compliance in one priority area.

    in_date: people whose job role needs a level in the area and who hold it, in date.
    required: people whose job role needs a level in the area.
    with_role: people with an account and a job role.
    all_in_date: of those, people in date in every area their job role needs (per organisation).
    denominator: the entered staff count when there is one, else `required`."""

    organisation_id: int
    organisation: str
    sector: str
    priority_area_id: int
    priority_area: str
    in_date: int
    required: int
    with_role: int
    all_in_date: int
    staff_count: int | None
    as_of: date | None

    @property
    def from_staff_count(self) -> bool:
        return self.staff_count is not None

    @property
    def measured(self) -> bool:
        """False when no job role held here needs a level in the area: nothing to be in date
        with (a school's staff and adult safeguarding, say), so no share, not 0%."""
        return self.required > 0

    @property
    def staff_counted(self) -> int:
        """The organisation's staff: the entered count, else its people with a job role."""
        return self.staff_count if self.staff_count is not None else self.with_role

    @property
    def denominator(self) -> int:
        """Whom the share is of: the entered staff count (every member of staff in scope), else
        the people whose job role needs a level in this area."""
        return self.staff_count if self.staff_count is not None else self.required

    @property
    def percent(self) -> float | None:
        if not self.measured or not self.denominator:
            return None
        return round(100 * min(self.in_date, self.denominator) / self.denominator, 1)

    @property
    def over_count(self) -> bool:
        """More people in date than the staff count says there are: the count is out of date."""
        return self.staff_count is not None and self.in_date > self.staff_count


def compliance(
    *,
    sector: str = "",
    priority_area_id: int | None = None,
    today: date | None = None,
) -> list[ComplianceRow]:
    """By organisation and priority area: how many staff are trained to the level their job
    role needs there and in date, against the organisation's staff count (or, without one, its
    people with an account and a job role). A constant number of queries, whoever is counted."""
    from people.models import Organisation, User

    today = today or timezone.localdate()
    organisations = Organisation.objects.select_related("staff_count").order_by("name")
    if sector:
        organisations = organisations.filter(sector=sector)
    people = list(
        User.objects.filter(
            is_active=True,
            organisation__in=organisations,
            staff_role__isnull=False,
        ).only("pk", "organisation_id")
    )
    found = records(people, today=today)
    # Only the areas some job role needs: an area nobody needs has nothing to be in date with.
    areas = PriorityArea.objects.filter(
        pk__in=Requirement.objects.values("priority_area_id")
    ).order_by("name")
    if priority_area_id:
        areas = areas.filter(pk=priority_area_id)
    areas = list(areas)
    with_role: dict[int, int] = defaultdict(int)
    required: dict[tuple[int, int], int] = defaultdict(int)
    in_date: dict[tuple[int, int], int] = defaultdict(int)
    all_in_date: dict[int, int] = defaultdict(int)
    for person, record in zip(people, found, strict=True):
        with_role[person.organisation_id] += 1
        if record.standings and all(s.state in (IN_DATE, EXPIRING) for s in record.standings):
            all_in_date[person.organisation_id] += 1
        for s in record.standings:
            key = (person.organisation_id, s.priority_area.pk)
            required[key] += 1
            if s.state in (IN_DATE, EXPIRING):
                in_date[key] += 1
    rows = []
    for organisation in organisations:
        count = getattr(organisation, "staff_count", None)
        if count is None and not with_role.get(organisation.pk):
            continue  # nothing to measure: no staff count and nobody with a job role
        for area in areas:
            key = (organisation.pk, area.pk)
            rows.append(
                ComplianceRow(
                    organisation.pk,
                    organisation.name,
                    organisation.get_sector_display(),
                    area.pk,
                    area.name,
                    in_date[key],
                    required[key],
                    with_role[organisation.pk],
                    all_in_date[organisation.pk],
                    count.staff if count else None,
                    count.as_of if count else None,
                )
            )
    return rows
