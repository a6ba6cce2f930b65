"""Small-group suppression (issue 13, item 6): applied once where the report is built, so no page
or export shared outside the L&D team shows a figure computed from fewer than
REPORT_MIN_GROUP_SIZE (5) people; the lead's own view keeps every figure.

The data: "Tiny Trust" has 3 delegates, whose answers give figures found nowhere else (pre
average 1.56, post 4.44, gain 2.89, stage-2 return 33.3%, normalised gains 0.836 and 0.839...);
"Big Council" has 14 delegates over three courses (8, 6 and 3 answers with Tiny Trust's), so the
whole programme has a group small enough to hide and one that a total would give away.
"""

import csv
import io
import re
import secrets
from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from bookings.models import Booking
from core.clock import LONDON
from courses.models import Event
from evaluations.defaults import ensure_default_questionnaires
from evaluations.models import Answer, Invitation, Response, Stage
from people import roles
from reports.report import report_build
from reports.selectors import ReportFilters
from reports.suppression import suppress_report
from reports.tables import report_tables
from tests.factories import (
    BookingFactory,
    CourseFactory,
    EventFactory,
    OrganisationFactory,
    PriorityAreaFactory,
    UserFactory,
)

PERIOD = {"start": "2022-04-01", "end": "2023-03-31"}
S = Booking.Status


def rated(booking, stage, ratings=()):
    """A submitted response to `stage`: the learning-gain items rated `ratings` in turn."""
    questionnaire = ensure_default_questionnaires()[stage]
    invitation = Invitation.objects.create(
        booking=booking,
        stage=stage,
        questionnaire=questionnaire,
        key=secrets.token_urlsafe(16),
        created_at=booking.event.start - timedelta(days=3),
        expires_at=booking.event.start + timedelta(days=60),
    )
    response = Response.objects.create(
        invitation=invitation,
        questionnaire=questionnaire,
        started_at=invitation.created_at,
        submitted_at=invitation.created_at + timedelta(days=1),
    )
    items = [
        i
        for i in questionnaire.items.order_by("pk")
        if i.is_learning_gain and not i.is_retrospective
    ]
    for item, rating in zip(items, ratings, strict=False):
        Answer.objects.create(response=response, item=item, rating=rating)


@pytest.fixture
def programme(db):
    neglect = PriorityAreaFactory(name="Neglect")
    exploitation = PriorityAreaFactory(name="Exploitation")
    c1 = CourseFactory(title="Neglect Basics", priority_area=neglect)
    c2 = CourseFactory(title="Neglect Advanced", priority_area=neglect)
    c3 = CourseFactory(title="Exploitation Awareness", priority_area=exploitation)
    tiny = OrganisationFactory(name="Tiny Trust")
    big = OrganisationFactory(name="Big Council")

    def event(course, day):  # full days, so no half-day percentage looks like a rate
        start = datetime(*day, 9, 30, tzinfo=LONDON)
        end = start + timedelta(hours=7)
        return EventFactory(
            course=course, start=start, end=end, capacity=20, status=Event.Status.DELIVERED
        )

    e1, e2, e3 = event(c1, (2022, 6, 15)), event(c2, (2022, 9, 14)), event(c3, (2022, 11, 9))

    def book(ev, org, status=S.ATTENDED, **kw):
        created = ev.start - timedelta(days=20)
        return BookingFactory(
            event=ev,
            person=UserFactory(organisation=org),
            organisation=org,
            status=status,
            created_at=created,
            confirmed_at=created,
            **kw,
        )

    # Tiny Trust: three delegates on e1 (pre 4/3, 5/3, 5/3; post 14/3, 13/3, 13/3), one stage-2
    # answer, and one late cancellation on e2.
    for pre, post in [((1, 1, 2), (5, 5, 4)), ((2, 2, 1), (4, 4, 5)), ((1, 2, 2), (5, 4, 4))]:
        booking = book(e1, tiny)
        rated(booking, Stage.PRE, pre)
        rated(booking, Stage.POST, post)
    rated(booking, Stage.STAGE2)
    book(e2, tiny, S.CANCELLED, cancelled_at=e2.start - timedelta(days=1), cancelled_late=True)
    # Big Council: 5 on e1, 6 on e2, 3 on e3; every answer 3 before, 4 after.
    for ev, n in [(e1, 5), (e2, 6), (e3, 3)]:
        for _ in range(n):
            booking = book(ev, big)
            rated(booking, Stage.PRE, (3, 3, 3))
            rated(booking, Stage.POST, (4, 4, 4))
    return {"tiny": tiny, "big": big, "c1": c1, "c2": c2, "c3": c3}


# Tiny Trust's figures: each from 3 people. Two decimal places with a last digit other than 0
# (or a rate no booking figure shares) cannot be mistaken for a count or a place rate.
TINY = {"pre_mean": 1.56, "post_mean": 4.44, "gain": 2.89, "stage2_rate": 33.3}

NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?(?:e-?\d+)?")


def numbers_in(text: str) -> set[float]:
    return {float(n.replace(",", "")) for n in NUMBER.findall(text)}


def leaked(found: set[float], forbidden: set[float]) -> set[float]:
    return {f for f in forbidden if any(abs(f - n) < 1e-9 for n in found)}


def forbidden_figures(report: dict) -> set[float]:
    """Every evaluation figure of the lead's (unsuppressed) report that a reader could recognise:
    floats that are not whole and not a one-decimal rate, and the stage-2 return rate."""
    values: set[float] = set()

    def walk(value):
        if isinstance(value, dict):
            for inner in value.values():
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)
        elif isinstance(value, float) and round(value, 1) != value:
            values.add(value)

    for key in ("learning_gain", "non_response", "evaluation_by_priority", "evaluation_by_course"):
        walk(report[key])
    for row in report["quarters"]:
        walk({k: row[k] for k in ("pre_mean", "post_mean", "gain")})
    return values | {report["evaluations"]["stage2"]["rate"]}


def everything_shown(client, query: dict) -> dict[str, str]:
    """The text of every output a viewer can download for `query`: page (with the charts' text
    alternatives), every table's CSV, every XLSX cell."""
    page = client.get(reverse("reports:uptake"), query)
    assert page.status_code == 200
    texts = {"page": page.content.decode()}
    for slug in re.findall(r"/reports/uptake/([a-z_0-9]+)\.csv", texts["page"]) or [
        t.slug for t in report_tables(report_build(start=date(2022, 4, 1), end=date(2023, 3, 31)))
    ]:
        response = client.get(reverse("reports:uptake_csv", args=[slug]), query)
        assert response.status_code == 200, slug
        texts[f"csv {slug}"] = response.content.decode()
    workbook = load_workbook(io.BytesIO(client.get(reverse("reports:uptake_xlsx"), query).content))
    texts["xlsx"] = "\n".join(
        str(cell)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    )
    return texts


def docx_text(client, query: dict) -> str:
    response = client.get(reverse("reports:annual_docx"), query)
    assert response.status_code == 200
    document = Document(io.BytesIO(response.content))
    cells = [cell.text for t in document.tables for row in t.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_a_small_organisations_manager_sees_no_figure_from_fewer_than_five(programme, client, lead):
    tiny = programme["tiny"]
    full = report_build(
        start=date(2022, 4, 1), end=date(2023, 3, 31), filters=ReportFilters(organisation=tiny.pk)
    )
    forbidden = forbidden_figures(full)
    # The data does what it says: the distinctive figures exist, from 3 people.
    assert set(TINY.values()) <= forbidden
    assert full["learning_gain"]["n_post"] == 3 and full["learning_gain"]["paired"]["n"] == 3
    assert len(forbidden) >= 10

    # The lead's own view of Tiny Trust shows them (so the search below can find a leak).
    client.force_login(lead)
    lead_view = everything_shown(client, PERIOD | {"organisation": tiny.pk})
    assert set(TINY.values()) <= leaked(numbers_in(lead_view["page"]), forbidden)
    assert set(TINY.values()) <= leaked(numbers_in(lead_view["xlsx"]), forbidden)

    manager = UserFactory(organisation=tiny, roles=[roles.ORG_MANAGER])
    client.force_login(manager)
    shown = everything_shown(client, PERIOD)
    assert len(shown) > 10  # page, xlsx and every table's CSV
    for name, text in shown.items():
        assert not leaked(numbers_in(text), forbidden), name
    assert "alt=" in shown["page"]  # the charts' text alternatives were searched too
    assert "fewer than 5 people are not shown" in shown["page"]

    # The annual section is published: its page and .docx hide them too, even for the lead.
    client.force_login(lead)
    annual = client.get(reverse("reports:annual"), PERIOD | {"organisation": tiny.pk})
    assert not leaked(numbers_in(annual.content.decode()), forbidden)
    assert not leaked(numbers_in(docx_text(client, PERIOD | {"organisation": tiny.pk})), forbidden)


def test_the_managers_headline_keeps_booking_figures_and_hides_evaluation_ones(programme, client):
    manager = UserFactory(organisation=programme["tiny"], roles=[roles.ORG_MANAGER])
    client.force_login(manager)
    response = client.get(reverse("reports:uptake_csv", args=["summary"]), PERIOD)
    summary = {
        row[0]: row[1] for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
    }
    assert summary["Attended (including partial attendance)"] == "3"
    assert summary["Pre-course average"] == ""
    assert summary["Post-course average"] == ""
    assert summary["Stage 2 evaluations returned (% of attended)"] == ""
    assert summary["Delegates with both a pre and a post score (paired n)"] == ""


def test_a_total_minus_the_groups_shown_does_not_reveal_a_hidden_one(programme):
    """Courses: 8, 6 and 3 post answers (17 in all). Hiding the 3 alone would leave it as
    17 - 8 - 6, so the next smallest (6) is hidden too. Priority areas: 14 and 3, so both go."""
    start, end = date(2022, 4, 1), date(2023, 3, 31)
    full = report_build(start=start, end=end)
    shared = report_build(start=start, end=end, shared=True)

    def post_means(report, key, label):
        return {r[label]: r["learning_gain"]["post_mean"] for r in report[key]}

    by_course = post_means(full, "evaluation_by_course", "course")
    assert by_course == {
        "Neglect Basics": 4.17,  # (5 x 4 + 40/3) / 8
        "Neglect Advanced": 4.0,
        "Exploitation Awareness": 4.0,
    }
    assert {r["course"]: r["learning_gain"]["n_post"] for r in full["evaluation_by_course"]} == {
        "Neglect Basics": 8,
        "Neglect Advanced": 6,
        "Exploitation Awareness": 3,
    }
    assert post_means(shared, "evaluation_by_course", "course") == {
        "Neglect Basics": by_course["Neglect Basics"],
        "Neglect Advanced": None,  # 6 answers: hidden only because of the total
        "Exploitation Awareness": None,
    }
    assert set(post_means(shared, "evaluation_by_priority", "priority").values()) == {None}
    assert shared["learning_gain"]["post_mean"] == full["learning_gain"]["post_mean"]
    # Quarters: 8 (Q1), 6 (Q2), 3 (Q3), 0 (Q4): Q3 is small, so Q2 goes too.
    assert [q["post_mean"] for q in full["quarters"]][:3] == [
        by_course["Neglect Basics"],
        4.0,
        4.0,
    ]
    assert [q["post_mean"] for q in shared["quarters"]] == [
        by_course["Neglect Basics"],
        None,
        None,
        None,
    ]
    # The lead's own view keeps everything.
    assert full.get("suppression") is None
    assert shared["suppression"]["min_group_size"] == 5


def test_the_comparison_with_the_previous_period_is_built_from_the_hidden_figures(programme):
    shared = report_build(
        start=date(2022, 4, 1),
        end=date(2023, 3, 31),
        filters=ReportFilters(organisation=programme["tiny"].pk),
        shared=True,
    )
    rows = {r["key"]: r for r in shared["comparison"]}
    for key in ("pre_rate", "post_rate", "stage2_rate", "pre_mean", "post_mean", "gain"):
        assert rows[key]["this"] is None and rows[key]["change"] is None, key
    assert rows["attended"]["this"] == 3


def test_a_figure_added_to_the_evaluation_summary_later_is_hidden_too(programme):
    """A new learning-gain figure or stage (say a manager's stage 2) from evaluations.metrics
    is covered without a change here: by the smaller of the pre and post answers, or by the
    number of people asked."""
    report = report_build(
        start=date(2022, 4, 1),
        end=date(2023, 3, 31),
        filters=ReportFilters(organisation=programme["tiny"].pk),
    )
    report["learning_gain"]["hake_gain"] = 0.839
    report["evaluations"]["stage2_manager"] = {"invited": 3, "completed": 2, "rate": 66.7}
    shared = suppress_report(report, 5)
    assert shared["learning_gain"]["hake_gain"] is None
    assert shared["evaluations"]["stage2_manager"] == {
        "invited": None,
        "completed": None,
        "rate": None,
    }
    assert suppress_report(report, 3)["learning_gain"]["hake_gain"] == 0.839
