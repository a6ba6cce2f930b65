"""Reads for the reports: a period's events, bookings, completions and evaluations as frames.

`report_frames` loads everything a report needs in a fixed number of queries (six), whatever the
size of the data: each table once, as columns (values_list), into pandas. `reports.metrics` then
computes every figure from the frames. Never a query per event or per booking. pandas is imported
by the functions that use it, so the URLconf (which imports the filter form) does not load it.

Which records count (issue 5):
- events: start date in Europe/London within the dates inclusive; delivered or cancelled by the
  organiser (scheduled events are neither);
- bookings and evaluations: only those on delivered events, counted with their event's date;
- e-learning completions: by completion date (Europe/London).
Course filters (priority area, course, audience, delivery mode) select events and e-learning
modules in SQL; organisation and sector filters select bookings and completions in pandas, on
the booking's organisation (else the delegate's current one) - so an organisation filter never
changes the events and places offered, which are the whole programme's.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, timedelta
from typing import TYPE_CHECKING, NamedTuple

from django.db import connections
from django.db.models import (
    Case,
    ExpressionWrapper,
    F,
    Field,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    When,
)
from django.db.models.functions import Cast

from bookings.models import Booking, Enrolment
from core.clock import LONDON
from courses.models import Course, Event, PriorityArea, local_midnight
from evaluations.selectors import BOOKING_COLUMNS as EVALUATION_BOOKING_COLUMNS
from evaluations.selectors import BOOKING_TYPES as EVALUATION_BOOKING_TYPES
from evaluations.selectors import evaluation_responses, values_frame
from people.models import Organisation, User, normalise_name

if TYPE_CHECKING:
    import pandas as pd

NO_ORGANISATION = "Not recorded"


@dataclass(frozen=True)
class ReportFilters:
    """Optional filters; None means "all"."""

    priority_area: int | None = None
    course: int | None = None
    audience: str | None = None
    delivery_mode: str | None = None
    organisation: int | None = None
    sector: str | None = None

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def course_q(self, prefix: str = "") -> Q:
        """The course filters as a Q on a model reaching Course through `prefix`."""
        q = Q()
        if self.priority_area:
            q &= Q(**{f"{prefix}priority_area_id": self.priority_area})
        if self.course:
            q &= Q(**{f"{prefix}id": self.course})
        if self.audience:
            q &= Q(**{f"{prefix}audience": self.audience})
        if self.delivery_mode:
            q &= Q(**{f"{prefix}delivery_mode": self.delivery_mode})
        return q


class ReportFrames(NamedTuple):
    events: pd.DataFrame  # delivered and organiser-cancelled events, one row each
    bookings: pd.DataFrame  # bookings on the delivered events, after organisation filters
    enrolments: pd.DataFrame  # e-learning completions
    eval_bookings: pd.DataFrame  # as evaluation_frames().bookings, the same bookings
    responses: pd.DataFrame  # evaluation_responses(in_submission_order=True): no submitted_at
    priorities: pd.DataFrame  # every priority area: priority_area_id, priority, first/last year


def previous_period(start: date, end: date) -> tuple[date, date]:
    """The period of the same length (in days) that ends the day before `start`."""
    length = (end - start).days + 1
    return start - timedelta(days=length), start - timedelta(days=1)


def period_events(start: date, end: date, filters: ReportFilters | None = None):
    """Delivered and organiser-cancelled events starting (Europe/London) within the dates."""
    filters = filters or ReportFilters()
    return (
        Event.objects.starting_between(start, end)
        .filter(status__in=[Event.Status.DELIVERED, Event.Status.CANCELLED])
        .filter(filters.course_q("course__"))
    )


def delivered_event_bookings(start: date, end: date, filters: ReportFilters) -> QuerySet[Booking]:
    """Every booking of the delivered events starting (Europe/London) within the dates."""
    delivered = period_events(start, end, filters).filter(status=Event.Status.DELIVERED)
    return Booking.objects.filter(event__in=delivered.values("pk"))


def _organisation_columns(df: pd.DataFrame) -> pd.DataFrame:
    """One organisation per row: the recorded one, else the person's; a name key for counting."""
    recorded = df["organisation_id"].notna()
    person_org_id = df["person_org_id"]
    if recorded.any() and person_org_id.isna().all():
        # Read only for the rows without one (_person_organisation_id), the delegates'
        # organisations can all be missing: numbers still, as a column of ids with gaps.
        person_org_id = person_org_id.astype("float64")
    df = df.assign(
        organisation_id=df["organisation_id"].where(recorded, person_org_id),
        organisation=df["organisation"].where(recorded, df["person_org"]),
        sector=df["sector"].where(recorded, df["person_sector"]),
    ).drop(columns=["person_org_id", "person_org", "person_sector"])
    # Counted by normalised name, not id: two records of one organisation typed in another case
    # or spacing are one organisation.
    names = df["organisation"]
    if names.notna().any():
        # Each distinct name once (a few hundred), not once per row (150,000 at 100x).
        keys = {name: _name_key(name) for name in names.dropna().unique()}
        df["organisation_key"] = names.map(keys)
    else:
        df["organisation_key"] = names.map(_name_key)
    return df


def _name_key(name) -> str | None:
    return normalise_name(name) if isinstance(name, str) and name.strip() else None


def _apply_organisation_filter(df: pd.DataFrame, filters: ReportFilters, key: str | None):
    if filters.organisation:
        same_id = df["organisation_id"] == filters.organisation
        same_name = df["organisation_key"] == key if key else False
        df = df[(same_id | same_name).fillna(False).astype(bool)]
    if filters.sector:
        df = df[df["sector"] == filters.sector]
    return df


def _person_organisation_id(db: str) -> Case:
    """The delegate's organisation, on rows (bookings, enrolments) that record none of their own.

    Only those rows use it (_organisation_columns). SQLite looks it up for them alone: joining
    the delegates into each of the 150,000 bookings at 100x cost 0.1 s. PostgreSQL joins them (a
    hash join, a few ms): it would cost a subquery as if run for every row, and with the default
    jit_above_cost a plan that dear has its expressions JIT-compiled first (0.35 s at 100x).
    """
    if connections[db].vendor == "postgresql":
        organisation = F("person__organisation_id")
    else:
        organisation = Subquery(
            User.objects.filter(pk=OuterRef("person_id")).order_by().values("organisation_id")
        )
    return Case(When(organisation__isnull=True, then=organisation))


def _with_organisation_names(
    df: pd.DataFrame, organisations: pd.DataFrame, *, own: bool = True
) -> pd.DataFrame:
    """Name and sector of the delegate's organisation (and, `own`, of the row's), by id.

    From the organisations (a few hundred rows) rather than joined into each of the rows
    (150,000 bookings at 100x).
    """
    named = {}
    if own:
        named["organisation"] = df["organisation_id"].map(organisations["name"])
        named["sector"] = df["organisation_id"].map(organisations["sector"])
    named["person_org"] = df["person_org_id"].map(organisations["name"])
    named["person_sector"] = df["person_org_id"].map(organisations["sector"])
    return df.assign(**named)


def _as_read(expression) -> ExpressionWrapper:
    """`expression` as the database driver reads it (a flag: 0/1 on SQLite, a bool on PostgreSQL).

    A plain Field as the output field: Django has no per-row converter for it, so a large read
    with no other converted column skips Django's conversion loop altogether (143,000 rows at
    100x), as reading from the cursor did. A boolean or integer output field would convert each
    value in Python.
    """
    return ExpressionWrapper(expression, output_field=Field())


def _as_text(field: str) -> Cast:
    """A date-time column as the database's text, for `_utc_times`.

    SQLite stores it as text, PostgreSQL gives it in its ISO DateStyle (the only one psycopg
    reads anyway): the drivers would build a Python datetime per row instead (40,000 at 100x).
    """
    return Cast(field, output_field=TextField())


def _utc_times(text: pd.Series) -> pd.Series:
    """`_as_text` values as UTC instants, parsed in one go."""
    import pandas as pd

    return pd.to_datetime(text, utc=True, format="ISO8601")


def _london_day(series: pd.Series) -> pd.Series:
    import pandas as pd

    if series.empty:
        return pd.Series([], dtype="object", index=series.index)
    return pd.to_datetime(series, utc=True).dt.tz_convert(LONDON).dt.date


EVENT_COLUMNS = [
    "event_id", "course_id", "course", "priority_area_id", "audience", "delivery_mode",
    "start", "end", "capacity", "status", "sessions_total",
]  # fmt: skip
BOOKING_COLUMNS = [
    "booking_id", "event_id", "status", "confirmed", "cancelled_late", "cancellation_reason",
    "non_attendance_reason", "organisation_id", "organisation", "sector", "person_org_id",
    "person_org", "person_sector",
]  # fmt: skip
BOOKING_ID_COLUMNS = [
    "booking_id", "event_id", "status", "confirmed", "cancelled_late", "cancellation_reason",
    "non_attendance_reason", "organisation_id", "person_org_id", "person_id",
]  # fmt: skip
ENROLMENT_ID_COLUMNS = [
    "enrolment_id", "course_id", "course", "priority_area_id", "completed_at", "organisation_id",
    "organisation", "sector", "person_org_id",
]  # fmt: skip


def report_frames(
    *, start: date, end: date, filters: ReportFilters | None = None, load_from: date | None = None
) -> ReportFrames:
    """Load the frames for start..end (from `load_from`, for comparisons) in six queries."""
    import pandas as pd

    filters = filters or ReportFilters()
    load_from = load_from or start
    org_key = None

    events_qs = period_events(load_from, end, filters)
    events = values_frame(
        events_qs.order_by()
        .annotate(start_text=_as_text("start"), end_text=_as_text("end"))
        .values_list(
            "id",
            "course_id",
            "course__title",
            "course__priority_area_id",
            "course__audience",
            "course__delivery_mode",
            "start_text",
            "end_text",
            "capacity",
            "status",
            "sessions_total",
        ),  # fmt: skip
        columns=EVENT_COLUMNS,
    )
    events["start"] = _utc_times(events["start"])
    events["end"] = _utc_times(events["end"])
    # The time taught: an event of several sessions keeps its sessions' total (courses.services.
    # event_sessions_set); the others run from start to end.
    events["duration"] = pd.to_timedelta(events["sessions_total"]).fillna(
        events["end"] - events["start"]
    )
    events = events.drop(columns=["sessions_total"])
    events["day"] = _london_day(events["start"])
    events["capacity"] = events["capacity"].astype("int64")
    events = events.sort_values(["start", "event_id"], ignore_index=True)

    delivered_qs = events_qs.filter(status=Event.Status.DELIVERED).values("pk")
    bookings_qs = Booking.objects.filter(event__in=delivered_qs)
    bookings = values_frame(
        bookings_qs.order_by()
        # A flag computed by the database, not 150,000 datetimes converted one by one.
        .annotate(
            confirmed=_as_read(Q(confirmed_at__isnull=False)),
            person_org_id=_person_organisation_id(bookings_qs.db),
            # 0/1 rather than the column itself, which SQLite's driver hands to Django's bool
            # converter one row at a time.
            late=_as_read(Cast("cancelled_late", output_field=IntegerField())),
        )
        .values_list(
            "id",
            "event_id",
            "status",
            "confirmed",
            "late",
            "cancellation_reason__label",
            "non_attendance_reason__label",
            "organisation_id",
            "person_org_id",
            "person_id",
        ),
        columns=BOOKING_ID_COLUMNS,
        types={
            "booking_id": "int64",
            "event_id": "int64",
            "status": "str",
            "confirmed": "bool",
            "cancelled_late": "bool",
            "person_id": "int64",
        },
    )
    organisations = pd.DataFrame.from_records(
        list(Organisation.objects.order_by().values_list("id", "name", "sector")),
        columns=["id", "name", "sector"],
    ).set_index("id")
    bookings = _with_organisation_names(bookings, organisations)[[*BOOKING_COLUMNS, "person_id"]]
    bookings["booking_organisation_id"] = bookings["organisation_id"]
    bookings = _organisation_columns(bookings)
    if filters.organisation:
        # The filtered organisation's name key comes from its own bookings (no extra query), so
        # a duplicate record of it in another case or spacing is included.
        named = bookings.loc[
            bookings["organisation_id"] == filters.organisation, "organisation_key"
        ]
        org_key = named.dropna().iloc[0] if named.notna().any() else None
    bookings = _apply_organisation_filter(bookings, filters, org_key)
    bookings["confirmed"] = bookings["confirmed"].astype(bool)
    bookings["cancelled_late"] = bookings["cancelled_late"].astype(bool)
    # A handful of statuses over 150,000 rows: the metrics test them some thirty times (isin,
    # ==), several times faster on categories than on strings.
    bookings["status"] = bookings["status"].astype("category")
    bookings = bookings.sort_values("booking_id", ignore_index=True)
    # The evaluation frames' bookings (evaluations.selectors.BOOKING_COLUMNS), from the rows just
    # loaded rather than read again: the booking's own organisation, course and priority area
    # from the events frame.
    course_of = events.drop_duplicates("event_id").set_index("event_id")
    eval_bookings = pd.DataFrame(
        {
            "booking_id": bookings["booking_id"],
            "status": bookings["status"],
            "event_id": bookings["event_id"],
            "course_id": bookings["event_id"].map(course_of["course_id"]),
            "priority_area_id": bookings["event_id"].map(course_of["priority_area_id"]),
            "organisation_id": bookings["booking_organisation_id"],
            "person_id": bookings["person_id"],
        },
        columns=list(EVALUATION_BOOKING_COLUMNS),
    ).astype(EVALUATION_BOOKING_TYPES)
    bookings = bookings.drop(columns=["person_id", "booking_organisation_id"])

    enrolment_qs = Enrolment.objects.filter(
        completed_at__isnull=False,
        completed_at__gte=local_midnight(load_from),
        completed_at__lt=local_midnight(end, 1),
    ).filter(filters.course_q("course__"))
    enrolments = values_frame(
        enrolment_qs.order_by()
        .annotate(
            completed_text=_as_text("completed_at"),
            person_org_id=_person_organisation_id(enrolment_qs.db),
        )
        .values_list(
            "id",
            "course_id",
            "course__title",
            "course__priority_area_id",
            "completed_text",
            "organisation_id",
            "organisation__name",
            "organisation__sector",
            "person_org_id",
        ),  # fmt: skip
        columns=ENROLMENT_ID_COLUMNS,
        types={"enrolment_id": "int64", "course_id": "int64", "course": "str"},
    )
    enrolments = _with_organisation_names(enrolments, organisations, own=False)
    enrolments["completed_at"] = _utc_times(enrolments["completed_at"])
    enrolments = _organisation_columns(enrolments)
    enrolments = _apply_organisation_filter(enrolments, filters, org_key)
    enrolments["day"] = _london_day(enrolments["completed_at"])

    delivered_ids = events.loc[events["status"] == Event.Status.DELIVERED, "event_id"]
    responses = evaluation_responses(
        bookings_qs, in_submission_order=True, event_ids=delivered_ids.tolist()
    )
    responses = responses[responses["booking_id"].isin(eval_bookings["booking_id"])]

    priorities = pd.DataFrame.from_records(
        list(
            PriorityArea.objects.order_by("name").values_list(
                "id", "name", "first_year", "last_year"
            )
        ),
        columns=["priority_area_id", "priority", "first_year", "last_year"],
    )
    return ReportFrames(
        events=events,
        bookings=bookings.reset_index(drop=True),
        enrolments=enrolments.reset_index(drop=True),
        eval_bookings=eval_bookings.reset_index(drop=True),
        responses=responses.reset_index(drop=True),
        priorities=priorities,
    )


def filter_labels(filters: ReportFilters) -> dict[str, str]:
    """Readable names of the filters in use (a few small queries, for headings only)."""
    labels = {}
    if filters.priority_area:
        area = PriorityArea.objects.filter(pk=filters.priority_area).first()
        labels["Priority area"] = area.name if area else str(filters.priority_area)
    if filters.course:
        course = Course.objects.filter(pk=filters.course).first()
        labels["Course"] = course.title if course else str(filters.course)
    if filters.audience:
        labels["Audience"] = dict(Course.Audience.choices).get(filters.audience, filters.audience)
    if filters.delivery_mode:
        labels["Delivery mode"] = dict(Course.DeliveryMode.choices).get(
            filters.delivery_mode, filters.delivery_mode
        )
    if filters.organisation:
        org = Organisation.objects.filter(pk=filters.organisation).first()
        labels["Organisation"] = org.name if org else str(filters.organisation)
    if filters.sector:
        labels["Sector"] = dict(Organisation.Sector.choices).get(filters.sector, filters.sector)
    return labels


def publishable_quotes(*, start: date, end: date, filters: ReportFilters | None = None) -> list:
    """Free-text answers the L&D lead marked publishable, on delivered events in the period."""
    from evaluations.models import Answer

    filters = filters or ReportFilters()
    delivered = period_events(start, end, filters).filter(status=Event.Status.DELIVERED)
    rows = (
        Answer.objects.filter(
            is_publishable=True,
            response__submitted_at__isnull=False,
            response__invitation__booking__event__in=delivered.values("pk"),
        )
        .exclude(text="")
        .order_by("response__invitation__booking__event__course__title", "id")
        .values_list("text", "response__invitation__booking__event__course__title")
    )
    return [{"text": text, "course": course} for text, course in rows]


def quote_answers(
    *, start: date, end: date, filters: ReportFilters | None = None, show: str = "all"
) -> QuerySet:
    """Free-text answers on delivered events in the period, newest first, for the lead to mark.

    `show`: "all", "publishable" (marked publishable) or "unmarked" (not marked).
    """
    from evaluations.models import Answer, Item

    delivered = period_events(start, end, filters).filter(status=Event.Status.DELIVERED)
    answers = (
        Answer.objects.filter(
            item__kind=Item.Kind.TEXT,
            response__submitted_at__isnull=False,
            response__invitation__booking__event__in=delivered.values("pk"),
        )
        .exclude(text="")
        .select_related("item", "response__invitation__booking__event__course")
        .order_by("-response__submitted_at", "-id")
    )
    if show == "publishable":
        return answers.filter(is_publishable=True)
    if show == "unmarked":
        return answers.filter(is_publishable=False)
    return answers
