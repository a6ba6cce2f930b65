"""The needs report: four measures per priority area and organisation (or sector), ranked by
the documented rule (a rank per measure, summed), small groups blanked in the downloads, and a
constant number of queries whatever the size."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bookings.models import Booking
from competency import needs_selectors as selectors
from competency import needs_services as services
from competency.models import JobRole, Level, NeedsInvitation, Requirement, StaffRole
from courses.models import CourseInterest, PriorityArea
from evaluations.models import Answer, Invitation, Item, Questionnaire, Response, Stage
from people.models import Organisation
from tests.factories import BookingFactory, CourseFactory, EventFactory, UserFactory

pytestmark = pytest.mark.django_db


class World:
    """Neglect (N) and Exploitation (E); Dudley Council (A, local authority) and West Midlands
    Police (B). Known figures, row by row:

    (N, A): confidence (3 + 1) / 2 = 2.0 from 2; no pre-course; 2 of 2 staff missing; no demand
    (N, B): confidence 4.0 from 1; no pre-course; no staff; 1 on a waiting list
    (E, A): confidence 4.0 from 1 (a2 said not relevant); no pre-course; 3 waiting for dates
    (E, B): confidence 2.0 from 1; pre-course 1.0 from 1; no staff; no demand
    """

    def __init__(self, lead):
        now = timezone.now()
        self.neglect = PriorityArea.objects.create(name="Neglect")
        self.exploitation = PriorityArea.objects.create(name="Exploitation")
        self.a = Organisation.objects.create(name="Dudley Council", sector="local_authority")
        self.b = Organisation.objects.create(name="West Midlands Police", sector="police")
        today = timezone.localdate()
        self.survey = services.needs_survey_create(
            actor=lead,
            title="Needs 2027",
            intro="",
            opens_on=today,
            closes_on=today + timedelta(days=30),
            topics={
                self.neglect: ["Recognising neglect", "Working with families"],
                self.exploitation: ["Spotting grooming online"],
            },
        )
        t1, t2 = self.survey.topics.filter(priority_area=self.neglect).order_by("order")
        (t3,) = self.survey.topics.filter(priority_area=self.exploitation)
        self.a1 = UserFactory(full_name="Ann One", organisation=self.a)
        self.a2 = UserFactory(full_name="Abe Two", organisation=self.a)
        self.b1 = UserFactory(full_name="Bo One", organisation=self.b)
        services.needs_survey_send(
            survey=self.survey, actor=lead, people=[self.a1, self.a2, self.b1]
        )
        for person, ratings in (
            (self.a1, {t1: "2", t2: "4", t3: "4"}),
            (self.a2, {t1: "1", t2: "1", t3: services.NOT_RELEVANT}),
            (self.b1, {t1: "4", t2: "4", t3: "2"}),
        ):
            invitation = NeedsInvitation.objects.get(survey=self.survey, person=person)
            services.needs_answer_submit(
                invitation=invitation, data={t.pk: v for t, v in ratings.items()}
            )
        # Pre-course: one response for B in Exploitation, learning-gain rating 1.
        course_e = CourseFactory(priority_area=self.exploitation, competency_level=2)
        past = EventFactory(course=course_e, start=now - timedelta(days=30))
        booking = BookingFactory(event=past, person=self.b1, organisation=self.b)
        questionnaire = Questionnaire.objects.create(name="Pre", stage=Stage.PRE, family="pre")
        item = Item.objects.create(
            questionnaire=questionnaire, text="Knowledge", kind="rating", is_learning_gain=True
        )
        invitation = Invitation.objects.create(
            booking=booking,
            stage=Stage.PRE,
            questionnaire=questionnaire,
            key="pre-key",
            created_at=now - timedelta(days=40),
            expires_at=now - timedelta(days=30),
        )
        response = Response.objects.create(
            invitation=invitation,
            questionnaire=questionnaire,
            submitted_at=now - timedelta(days=35),
        )
        Answer.objects.create(response=response, item=item, rating=1)
        # Staff: A's two people are social workers needing Neglect level 2, not achieved.
        Level.objects.create(number=2, name="Core", refresher_months=36)
        role = JobRole.objects.create(name="Social worker")
        Requirement.objects.create(job_role=role, priority_area=self.neglect, level=2)
        for person in (self.a1, self.a2):
            StaffRole.objects.create(person=person, job_role=role)
        # Demand: 3 people of A waiting for dates of an E course; 1 of B on an N waiting list.
        undated = CourseFactory(priority_area=self.exploitation)
        for _ in range(3):
            CourseInterest.objects.create(
                course=undated, person=UserFactory(organisation=self.a), organisation=self.a
            )
        told = UserFactory(organisation=self.a)
        CourseInterest.objects.create(
            course=undated, person=told, organisation=self.a, notified_at=now
        )  # already told of dates: no longer waiting
        course_n = CourseFactory(priority_area=self.neglect)
        upcoming = EventFactory(course=course_n, start=now + timedelta(days=20))
        BookingFactory(
            event=upcoming, person=self.b1, organisation=self.b, status=Booking.Status.WAITLISTED
        )


@pytest.fixture
def world(lead):
    return World(lead)


def _order(report):
    return [(r.area, r.group) for r in report.rows]


def test_each_measure_is_computed_per_area_and_organisation(world):
    report = selectors.needs_report(world.survey)
    rows = {(r.area, r.group): r for r in report.rows}
    na = rows[("Neglect", "Dudley Council")]
    assert (na.confidence, na.n_confidence, na.staff_gaps, na.staff_required) == (2.0, 2, 2, 2)
    assert (na.invited, na.answered) == (2, 2)
    eb = rows[("Exploitation", "West Midlands Police")]
    assert (eb.confidence, eb.pre_knowledge, eb.n_pre) == (2.0, 1.0, 1)
    ea = rows[("Exploitation", "Dudley Council")]
    assert (ea.confidence, ea.n_confidence, ea.interest, ea.waiting) == (4.0, 1, 3, 0)
    nb = rows[("Neglect", "West Midlands Police")]
    assert (nb.confidence, nb.waiting, nb.demand) == (4.0, 1, 1)
    assert report.rate == {"invited": 3, "answered": 3, "rate": 100.0}


def test_the_gaps_are_ranked_by_the_sum_of_the_ranks(world):
    report = selectors.needs_report(world.survey)
    # Ranks (confidence, pre-course, staff, demand) and sums, from the figures in World:
    # (E,B) 1+1+2+3 = 7, (N,A) 1+2+1+3 = 7 (tie: same confidence, then by name),
    # (E,A) 3+2+2+1 = 8, (N,B) 3+2+2+2 = 9.
    assert _order(report) == [
        ("Exploitation", "West Midlands Police"),
        ("Neglect", "Dudley Council"),
        ("Exploitation", "Dudley Council"),
        ("Neglect", "West Midlands Police"),
    ]
    assert [r.score for r in report.rows] == [7, 7, 8, 9]
    first = report.rows[0]
    assert first.ranks == {"confidence": 1, "pre_knowledge": 1, "staff_gaps": 2, "demand": 3}
    assert "added up" in report.rule


def test_rank_rows_shares_ties_and_puts_missing_figures_last():
    rows = [
        selectors.NeedsRow(1, "A", 1, "x", confidence=2.0),
        selectors.NeedsRow(1, "A", 2, "y", confidence=2.0),
        selectors.NeedsRow(1, "A", 3, "z", confidence=3.5),
        selectors.NeedsRow(1, "A", 4, "w"),
    ]
    selectors.rank_rows(rows)
    assert [r.ranks["confidence"] for r in rows] == [1, 1, 3, 4]


def test_by_sector_groups_organisations_of_the_same_sector(world, lead):
    c = Organisation.objects.create(name="Staffordshire Police", sector="police")
    c1 = UserFactory(organisation=c)
    services.needs_survey_send(survey=world.survey, actor=lead, people=[c1])
    invitation = NeedsInvitation.objects.get(person=c1)
    services.needs_answer_submit(
        invitation=invitation, data={t.pk: "2" for t in world.survey.topics.all()}
    )
    report = selectors.needs_report(world.survey, grouping=selectors.BY_SECTOR)
    rows = {(r.area, r.group): r for r in report.rows}
    police = rows[("Neglect", "Police")]
    assert (police.confidence, police.n_confidence, police.invited) == (3.0, 2, 2)


def test_downloads_blank_small_groups_and_rank_without_them(world, settings):
    settings.REPORT_MIN_GROUP_SIZE = 2
    report = selectors.needs_report(world.survey, shared=True)
    rows = {(r.area, r.group): r for r in report.rows}
    assert rows[("Neglect", "Dudley Council")].confidence == 2.0  # 2 people: shown
    assert rows[("Exploitation", "Dudley Council")].confidence is None
    assert rows[("Exploitation", "West Midlands Police")].pre_knowledge is None
    # Without the hidden figures: (N,A) 1+1+1+3 = 6, (E,A) 2+1+2+1 = 6 (lower confidence
    # first: E,A has none), (N,B) 2+1+2+2 = 7, (E,B) 2+1+2+3 = 8.
    assert _order(report) == [
        ("Neglect", "Dudley Council"),
        ("Exploitation", "Dudley Council"),
        ("Neglect", "West Midlands Police"),
        ("Exploitation", "West Midlands Police"),
    ]
    # The page (the lead's own) shows every figure.
    full = selectors.needs_report(world.survey)
    assert all(r.confidence is not None for r in full.rows)


def test_the_csv_is_the_shared_report(world, client, lead, settings):
    settings.REPORT_MIN_GROUP_SIZE = 2
    client.force_login(lead)
    response = client.get(reverse("needs:report", args=[world.survey.pk]), {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0][:4] == ["Rank", "Priority area", "Organisation", "Average confidence (1-5)"]
    assert lines[1][:4] == ["1", "Neglect", "Dudley Council", "2.0"]
    assert lines[2][:4] == ["2", "Exploitation", "Dudley Council", ""]
    assert "fewer than 2 people" in text


def test_the_workbook_holds_the_ranking_topics_and_the_rule(world, client, lead, settings):
    from openpyxl import load_workbook

    settings.REPORT_MIN_GROUP_SIZE = 2
    client.force_login(lead)
    response = client.get(reverse("needs:report", args=[world.survey.pk]), {"format": "xlsx"})
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Gaps ranked", "Topics", "Topics by organisation", "About"]
    ranked = book["Gaps ranked"]
    assert [c.value for c in ranked[2]][:4] == [1, "Neglect", "Dudley Council", 2.0]
    assert ranked.cell(row=3, column=4).value is None  # hidden: one respondent
    about = [c.value for c in book["About"]["A"]]
    assert any("added up" in (v or "") for v in about)


def test_the_page_states_the_rule_and_the_response_rate(world, client, lead):
    client.force_login(lead)
    page = client.get(reverse("needs:report", args=[world.survey.pk])).content.decode()
    assert "The four ranks are added up" in page
    assert "Answered by 3 of the 3 people asked (100.0%)" in page


def test_a_period_ending_before_it_starts_is_an_error_on_the_field(world, client, lead):
    client.force_login(lead)
    response = client.get(
        reverse("needs:report", args=[world.survey.pk]),
        {"by": "organisation", "start": "2026-05-01", "end": "2026-04-01"},
    )
    assert response.status_code == 400
    assert "must be the same as or after its start" in response.content.decode()


def test_the_report_takes_the_same_number_of_queries_whatever_the_size(world, lead):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            selectors.needs_report(world.survey)
        return len(queries)

    before = count()
    role = JobRole.objects.get()
    topics = list(world.survey.topics.all())
    for i in range(4):
        org = Organisation.objects.create(name=f"School {i}", sector="education")
        people = [UserFactory(organisation=org) for _ in range(3)]
        for person in people:
            StaffRole.objects.create(person=person, job_role=role)
        services.needs_survey_send(survey=world.survey, actor=lead, people=people)
        for invitation in NeedsInvitation.objects.filter(person__in=people):
            services.needs_answer_submit(invitation=invitation, data={t.pk: "3" for t in topics})
    assert count() == before


def test_each_topic_by_organisation_and_the_secondary_rule(world, lead, settings):
    full = selectors.needs_report(world.survey)
    rows = {(t["topic"], t["group"]): t for t in full.topic_groups}
    assert rows[("Recognising neglect", "Dudley Council")]["confidence"] == 1.5  # (2 + 1) / 2
    assert rows[("Spotting grooming online", "Dudley Council")]["not_relevant"] == 1
    # Two more police answers: grooming online is then shown overall (4 people) and for the
    # police (3), hidden for the council (1 person)... and the police hidden too, or the
    # council's figure would be the total less the police's.
    settings.REPORT_MIN_GROUP_SIZE = 3
    topics = list(world.survey.topics.all())
    for _ in range(2):
        extra = UserFactory(organisation=world.b)
        services.needs_survey_send(survey=world.survey, actor=lead, people=[extra])
        services.needs_answer_submit(
            invitation=NeedsInvitation.objects.get(person=extra),
            data={t.pk: "3" for t in topics},
        )
    shared = selectors.needs_report(world.survey, shared=True)
    overall = {t["topic"]: t for t in shared.topics}
    assert overall["Spotting grooming online"]["confidence"] is not None
    groups = {(t["topic"], t["group"]): t for t in shared.topic_groups}
    assert groups[("Spotting grooming online", "Dudley Council")]["confidence"] is None
    assert groups[("Spotting grooming online", "West Midlands Police")]["confidence"] is None
    # Recognising neglect: the council has 2 (hidden) and the police 3 (shown), 5 overall.
    assert groups[("Recognising neglect", "Dudley Council")]["confidence"] is None
    assert groups[("Recognising neglect", "West Midlands Police")]["confidence"] is None
