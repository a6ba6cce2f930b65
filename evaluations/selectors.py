"""Reads: evaluation figures' frames, questionnaires, and what is due for the scheduled jobs.

`evaluation_frames` is the only way pages and reports load evaluation data: two queries whatever
the number of bookings, and the frames feed the pure functions in `evaluations.metrics`.
pandas and numpy are imported by the functions that use them, so the tasks and the admin, which
use only the other reads, do not load them.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, NamedTuple

from django.conf import settings
from django.db import connections
from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone

from bookings.models import Booking
from evaluations.models import (
    Invitation,
    Questionnaire,
    Respondent,
    Response,
    Stage,
    email_purpose,
)

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from courses.models import Course
    from people.models import User

BOOKING_COLUMNS = (
    "booking_id",
    "status",
    "event_id",
    "course_id",
    "priority_area_id",
    "organisation_id",
    "person_id",
)
BOOKING_TYPES = {
    "booking_id": "int64",
    "status": "str",
    "event_id": "Int64",
    "course_id": "Int64",
    "priority_area_id": "Int64",
    "organisation_id": "Int64",
    "person_id": "Int64",
}
RESPONSE_COLUMNS = ("booking_id", "stage", "respondent", "submitted_at", "score", "retro_score")

# A response's score: its learning-gain items asked identically before and after the course.
# Retrospective "looking back" items are kept apart (retro_score), or they would pull the post
# score towards the pre score.
# Avg skips items left blank (rating NULL), so a response answering 2 of 3 items averages those 2.
# A retrospective item counts as "then" whether or not it is also marked as a learning-gain item.
_LEARNING_GAIN = Q(answers__item__is_learning_gain=True, answers__item__is_retrospective=False)
_RETROSPECTIVE = Q(answers__item__is_retrospective=True)


class EvaluationFrames(NamedTuple):
    bookings: pd.DataFrame
    responses: pd.DataFrame


def evaluation_frames(bookings_qs: QuerySet) -> EvaluationFrames:
    """Load the bookings of `bookings_qs` and their submitted responses' scores in two queries."""
    import pandas as pd

    booking_rows = bookings_qs.order_by().values_list(
        "id",
        "status",
        "event_id",
        "event__course_id",
        "event__course__priority_area_id",
        "organisation_id",
        "person_id",
    )
    bookings = pd.DataFrame.from_records(list(booking_rows), columns=list(BOOKING_COLUMNS))
    bookings = bookings.astype(BOOKING_TYPES)
    bookings = bookings.sort_values("booking_id", ignore_index=True)
    return EvaluationFrames(bookings=bookings, responses=evaluation_responses(bookings_qs))


def values_frame(
    values_qs: QuerySet, columns: list[str], *, types: dict[str, str] | None = None
) -> pd.DataFrame:
    """A values_list queryset as a frame: `columns` name its fields, in the same order.

    For the large reads: select ids, text, numbers and flags, not times. Django would convert a
    bare date-time or boolean column by its declared type, a Python call per value: select
    those as expressions (reports.selectors._as_text, a cast to integer).
    `types`: dtypes of columns (by name in `columns`) that are never NULL, see rows_frame.
    """
    return rows_frame(list(values_qs), list(columns), types)


# rows_frame's dtypes that numpy converts to while it reads the rows.
_NUMPY_TYPES = {"int64": "i8", "float64": "f8", "bool": "?"}


def rows_frame(
    rows: list[tuple], columns: list[str], types: dict[str, str] | None = None
) -> pd.DataFrame:
    """Cursor rows as the frame DataFrame.from_records builds, `types`' columns typed directly.

    from_records infers every column's type from every value (0.1 s for the 150,000 bookings
    at 100x). Columns that are never NULL can be given their dtype instead (ids: "int64", text:
    "str", flags: "bool"; "float64" takes NULL as NaN); the others are inferred as before. The
    rows are read once into numpy records, numbers converted on the way. No rows: from_records'
    own empty frame.
    """
    import numpy as np
    import pandas as pd

    if not rows or not types:
        return pd.DataFrame.from_records(rows, columns=columns)
    record = np.dtype(
        [(f"f{i}", _NUMPY_TYPES.get(types.get(name), object)) for i, name in enumerate(columns)]
    )
    table = np.fromiter(rows, dtype=record, count=len(rows))
    frame = {}
    for i, name in enumerate(columns):
        values = np.ascontiguousarray(table[f"f{i}"])
        if name not in types:
            frame[name] = pd.Series(values).infer_objects()
        elif types[name] in _NUMPY_TYPES:
            frame[name] = values
        else:
            frame[name] = pd.Series(values).astype(types[name])
    return pd.DataFrame(frame)


# The same scores as evaluation_responses' annotations (the same AVG over the same ratings), but
# the answers are averaged per response in a derived table (as bench/floor.py's item_score), then
# joined to the responses: the responses themselves are not grouped. At 100x, 150,000 responses
# (most without item answers, imported past years) were grouped by every column, then sorted.
# PostgreSQL's numeric averages and scores as float8 (the same doubles as float(Decimal): both
# read the number's decimal text), rather than 150,000 Decimals converted in Python.
# The score (the items' average, else the imported score) and the retrospective score (post-course
# only) are chosen here too, as evaluation_responses does for its other callers in pandas: two
# values a row to fetch and convert instead of four.
_SUBMISSION_ORDER_SQL = """
SELECT i.booking_id, {kind},
       COALESCE(s.item_score, {float_}(r.imported_score)) AS score,
       CASE WHEN i.stage = %s THEN s.retro END AS retro_score
FROM {response} r
INNER JOIN {invitation} i ON r.invitation_id = i.id
{join}
LEFT OUTER JOIN (
    SELECT a.response_id,
           {float_}(AVG(CASE WHEN it.is_learning_gain AND NOT it.is_retrospective
                             THEN a.rating END)) AS item_score,
           {float_}(AVG(CASE WHEN it.is_retrospective THEN a.rating END)) AS retro
    FROM {answer} a
    LEFT OUTER JOIN {item} it ON a.item_id = it.id
    GROUP BY a.response_id
) s ON s.response_id = r.id
WHERE {where} AND r.submitted_at IS NOT NULL
ORDER BY r.submitted_at ASC, i.booking_id ASC, i.stage ASC, i.respondent ASC
"""


def _among(connection, column: str, ids) -> tuple[str, list]:
    """SQL for "`column` is one of `ids`" and its one parameter, however many ids there are."""
    ids = [int(i) for i in ids]
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s::bigint[])", [ids]
    # SQLite: one JSON array rather than a parameter per id (SQLite caps the parameters).
    return f"{column} IN (SELECT value FROM json_each(%s))", [json.dumps(ids)]


def _responses_in_submission_order(bookings_qs: QuerySet, event_ids=None) -> pd.DataFrame:
    """booking_id, stage, respondent, score, retro_score; in submission order.

    `event_ids`: the events whose bookings are exactly `bookings_qs`'s (the report has them
    already): the bookings are then joined and filtered by event (faster on both databases than
    150,000 booking ids). Without them, `bookings_qs`'s ids are read first (one more query).
    """
    from bookings.models import Booking
    from evaluations.models import Answer, Invitation, Item

    connection = connections[bookings_qs.db]
    quote = connection.ops.quote_name
    types = {"booking_id": "int64", "score": "float64", "retro_score": "float64"}
    text_columns = ["booking_id", "stage", "respondent", "score", "retro_score"]
    text_types = {**types, "stage": "str", "respondent": "str"}
    if event_ids is None:
        ids = list(bookings_qs.order_by().values_list("pk", flat=True))
        join = ""
        where, params = _among(connection, "i.booking_id", ids)
    else:
        ids = list(event_ids)
        join = f"INNER JOIN {quote(Booking._meta.db_table)} b ON i.booking_id = b.id"
        where, params = _among(connection, "b.event_id", ids)
    if not ids:
        return rows_frame([], columns=text_columns, types=text_types)

    def read(kind: str, kind_params: tuple) -> list[tuple]:
        sql = _SUBMISSION_ORDER_SQL.format(
            kind=kind,
            response=quote(Response._meta.db_table),
            invitation=quote(Invitation._meta.db_table),
            answer=quote(Answer._meta.db_table),
            item=quote(Item._meta.db_table),
            join=join,
            where=where,
            float_="float8" if connection.vendor == "postgresql" else "",
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, (*kind_params, Stage.POST.value, *params))
            return cursor.fetchall()

    # Stage and respondent as one small number (KINDS): 150,000 ints instead of 300,000 strings
    # to fetch and compare. A stage or respondent outside KINDS (NULL code) reads them as text.
    rows = read(_KIND_CODE_SQL, _KIND_CODE_PARAMS)
    if rows and not any(row[1] is None for row in rows):
        frame = rows_frame(
            rows,
            columns=["booking_id", "kind", "score", "retro_score"],
            types={**types, "kind": "int64"},
        )
        codes = frame.pop("kind").to_numpy()
        for position, name in enumerate(("stage", "respondent")):
            names = [kind[position] for kind in KINDS]
            frame.insert(position + 1, name, _category_of(names, codes))
        return frame
    if rows:  # some invitation's stage or respondent is not in KINDS: read them as text
        rows = read("i.stage, i.respondent", ())
    return rows_frame(rows, columns=text_columns, types=text_types)


# (stage, respondent) pairs an invitation can have; their position is the code the report's
# responses query sends instead of the two strings.
KINDS = [
    (stage, respondent) for stage in Stage.values for respondent in ("delegate", "line_manager")
]
_KIND_CODE_SQL = (
    "CASE "
    + " ".join("WHEN i.stage = %s AND i.respondent = %s THEN " + str(n) for n in range(len(KINDS)))
    + " END AS kind"
)
_KIND_CODE_PARAMS = tuple(value for kind in KINDS for value in kind)


def _category_of(names_by_code: list[str], codes: np.ndarray) -> pd.Categorical:
    """The categorical that pd.Series(names).astype("str").astype("category") gives, where
    names = names_by_code[codes]: categories are the distinct names present, sorted."""
    import numpy as np
    import pandas as pd

    present = sorted({names_by_code[c] for c in np.unique(codes)})
    position = {name: n for n, name in enumerate(present)}
    remap = np.array([position.get(name, -1) for name in names_by_code], dtype="int64")
    return pd.Categorical.from_codes(remap[codes], categories=pd.Index(present, dtype="str"))


def evaluation_responses(
    bookings_qs: QuerySet, *, in_submission_order: bool = False, event_ids=None
):
    """The submitted responses' scores of the bookings of `bookings_qs`, in one query.

    RESPONSE_COLUMNS, sorted by booking, stage and respondent; or, `in_submission_order`, without
    submitted_at and sorted by it (then booking): what evaluations.metrics.counted_answers needs,
    without converting every response's time into a Python datetime (the report's 150,000).
    `event_ids` (with `in_submission_order`): see _responses_in_submission_order.
    """
    import pandas as pd

    if in_submission_order:
        # The report's 150,000 rows: scores chosen in SQL; stage and respondent as categories
        # (counted_answers compares them once per stage).
        raw = _responses_in_submission_order(bookings_qs, event_ids)
        columns = {
            "booking_id": raw["booking_id"].astype("int64"),
            "stage": _as_category(raw["stage"]),
            "respondent": _as_category(raw["respondent"]),
            "score": pd.to_numeric(raw["score"], errors="coerce").astype("float64"),
            "retro_score": pd.to_numeric(raw["retro_score"], errors="coerce").astype("float64"),
        }
        return pd.DataFrame(columns, columns=[c for c in RESPONSE_COLUMNS if c in columns])
    # A subquery, not a list of ids: 150,000 ids would exceed SQLite's parameter limit.
    response_rows = (
        Response.objects.filter(
            submitted_at__isnull=False,
            invitation__booking__in=bookings_qs.order_by().values("pk"),
        )
        .order_by()
        .values_list(
            "id",
            "invitation__booking_id",
            "invitation__stage",
            "invitation__respondent",
            "submitted_at",
            "imported_score",
        )
        .annotate(
            item_score=Avg("answers__rating", filter=_LEARNING_GAIN),
            retro=Avg("answers__rating", filter=_RETROSPECTIVE),
        )
    )
    raw = pd.DataFrame.from_records(
        list(response_rows),
        columns=[
            "response_id",
            "booking_id",
            "stage",
            "respondent",
            "submitted_at",
            "imported_score",
            "item_score",
            "retro",
        ],
    )
    item_score = pd.to_numeric(raw["item_score"], errors="coerce").astype("float64")
    imported = pd.to_numeric(raw["imported_score"], errors="coerce").astype("float64")
    retro = pd.to_numeric(raw["retro"], errors="coerce").astype("float64")
    columns = {
        "booking_id": raw["booking_id"].astype("int64"),
        "stage": raw["stage"].astype("str"),
        "respondent": raw["respondent"].astype("str"),
        # Imported past years kept only the score, not the item answers.
        "score": item_score.fillna(imported),
        "retro_score": retro.where(raw["stage"] == Stage.POST.value),
        "submitted_at": pd.to_datetime(raw["submitted_at"], utc=True),
    }
    responses = pd.DataFrame(columns, columns=list(RESPONSE_COLUMNS))
    return responses.sort_values(["booking_id", "stage", "respondent"], ignore_index=True)


def event_returns(event) -> list[dict]:
    """Per delegate on an event: each stage's invitation state (answered / waiting / not sent)."""
    from bookings.models import Booking
    from evaluations.models import Invitation

    bookings = list(
        Booking.objects.filter(event=event, status__in=Booking.HOLDS_PLACE)
        .select_related("person", "organisation")
        .order_by("person__full_name", "person__email")
    )
    invitations = Invitation.objects.filter(
        booking__in=[b.pk for b in bookings], respondent="delegate"
    ).select_related("response")
    state: dict[tuple[int, str], str] = {}
    for inv in invitations:
        response = getattr(inv, "response", None)
        if response is not None and response.submitted_at is not None:
            state[(inv.booking_id, inv.stage)] = "answered"
        elif response is not None:
            state[(inv.booking_id, inv.stage)] = "started"
        else:
            state[(inv.booking_id, inv.stage)] = "waiting"
    return [
        {
            "booking": b,
            "pre": state.get((b.pk, "pre"), "not sent"),
            "post": state.get((b.pk, "post"), "not sent"),
            "stage2": state.get((b.pk, "stage2"), "not sent"),
        }
        for b in bookings
    ]


def _as_category(column: pd.Series) -> pd.Series:
    """Text as a category (sorted categories); a column read as codes already is one."""
    import pandas as pd

    if isinstance(column.dtype, pd.CategoricalDtype):
        return column
    return column.astype("str").astype("category")


# --- questionnaires and what is due ------------------------------------------------------


def questionnaire_for(
    *, course: Course, stage: str, respondent: str = Respondent.DELEGATE
) -> Questionnaire | None:
    """The current questionnaire for a course, stage and respondent: the course's own, else the
    default. A line manager never gets the delegate's questionnaire."""
    current = Questionnaire.objects.filter(stage=stage, respondent=respondent, is_current=True)
    return (
        current.filter(course=course).order_by("-version").first()
        or current.filter(course__isnull=True).order_by("-version").first()
    )


def questionnaire_has_answers(questionnaire: Questionnaire) -> bool:
    """Someone has started answering it: it is locked, edits make a new version."""
    return Response.objects.filter(questionnaire=questionnaire).exists()


def questionnaire_locked(questionnaire: Questionnaire) -> bool:
    """Sent to someone (an invitation made) or answered: its questions can no longer change,
    a new version is made instead."""
    return Invitation.objects.filter(
        questionnaire=questionnaire
    ).exists() or questionnaire_has_answers(questionnaire)


def questionnaire_list() -> list[Questionnaire]:
    """Every questionnaire's latest version, in use first, with its number of questions."""
    latest = {}
    rows = Questionnaire.objects.select_related("course").annotate(n_items=Count("items"))
    for q in rows.order_by("family", "-version"):
        latest.setdefault(q.family, q)
    in_use = {q.family for q in Questionnaire.objects.filter(is_current=True).only("family")}
    return sorted(
        latest.values(), key=lambda q: (q.family not in in_use, q.stage, q.respondent, q.name)
    )


def post_invite_window_start(now: datetime) -> datetime:
    """A course that ended before this is too long ago to be asked about after it (and its
    certificate waits for no post-course evaluation it was never asked)."""
    return now - timedelta(days=settings.EVAL_POST_INVITE_WITHIN_DAYS)


def due_invitations(*, now: datetime | None = None) -> list[tuple[int, str, str]]:
    """(booking id, stage, respondent) for every invitation that is due and not yet made."""
    now = now or timezone.now()
    due = []
    pre = Booking.objects.filter(
        status=Booking.Status.CONFIRMED, event__status="scheduled", event__start__gt=now
    ).exclude(invitations__stage=Stage.PRE)
    if settings.EVAL_PRE_INVITE_DAYS_BEFORE is not None:
        pre = pre.filter(
            event__start__lte=now + timedelta(days=settings.EVAL_PRE_INVITE_DAYS_BEFORE)
        )
    due += [(b, Stage.PRE, "delegate") for b in pre.values_list("id", flat=True)]
    attended = Booking.objects.filter(
        status__in=Booking.ATTENDED_STATUSES, event__status="delivered"
    )
    post = attended.filter(event__end__gt=post_invite_window_start(now)).exclude(
        invitations__stage=Stage.POST
    )
    due += [(b, Stage.POST, "delegate") for b in post.values_list("id", flat=True)]
    stage2_from = now - timedelta(days=settings.EVAL_STAGE2_AFTER_DAYS)
    stage2_window = attended.filter(
        event__end__lte=stage2_from,
        # Don't surprise people about courses from long ago (e.g. imported years).
        event__end__gt=stage2_from - timedelta(days=60),
    )
    due += [
        (b, Stage.STAGE2, "delegate")
        for b in stage2_window.exclude(
            invitations__stage=Stage.STAGE2, invitations__respondent="delegate"
        ).values_list("id", flat=True)
    ]
    if settings.EVAL_STAGE2_LINE_MANAGER:
        lm = stage2_window.exclude(line_manager_email="").exclude(
            invitations__stage=Stage.STAGE2, invitations__respondent="line_manager"
        )
        due += [(b, Stage.STAGE2, "line_manager") for b in lm.values_list("id", flat=True)]
    return due


def due_reminders(*, now: datetime | None = None) -> list[tuple[int, int, str, str]]:
    """(invitation id, booking id, purpose, respondent): reminders due, not yet in the outbox."""
    now = now or timezone.now()
    due = []
    unanswered = Invitation.objects.filter(expires_at__gt=now).exclude(
        response__submitted_at__isnull=False
    )
    for number, days in enumerate(settings.EVAL_REMINDER_DAYS, start=1):
        rows = unanswered.filter(created_at__lte=now - timedelta(days=days)).values_list(
            "id", "booking_id", "stage", "respondent"
        )
        for inv_id, booking_id, stage, respondent in rows:
            purpose = email_purpose(stage, respondent, f"reminder{number}")
            due.append((inv_id, booking_id, purpose, respondent))
    if not due:
        return []
    sent = set(
        Booking.objects.filter(
            emails__purpose__in={p for _, _, p, _ in due}, id__in={b for _, b, _, _ in due}
        ).values_list("id", "emails__purpose", "emails__recipient_role")
    )
    return [(i, b, p, r) for i, b, p, r in due if (b, p, r) not in sent]


def post_invitation_for_delegate(*, event_id: int, person: User) -> Invitation | None:
    """`person`'s own post-course invitation for an event they booked, if one was made."""
    return (
        Invitation.objects.filter(
            booking__event_id=event_id,
            booking__person=person,
            stage=Stage.POST,
            respondent="delegate",
        )
        .select_related("response")
        .first()
    )


def invitation_still_open(invitation_id: int) -> bool:
    """Not yet answered: a reminder for it is still worth sending."""
    return (
        Invitation.objects.filter(pk=invitation_id)
        .exclude(response__submitted_at__isnull=False)
        .exists()
    )
