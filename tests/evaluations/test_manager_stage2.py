"""Issue 13.5 and 12.4: the line manager's stage 2 is their own questionnaire, tied to the
address invited, and reported beside the delegates' own stage 2."""

from datetime import date, datetime, timedelta

import pytest

from bookings.models import Booking
from core.clock import LONDON
from evaluations import services, tasks
from evaluations.defaults import ensure_default_questionnaires
from evaluations.models import Item, Respondent, Stage
from reports.annual import annual_section
from reports.exporters import report_json
from reports.report import report_build
from reports.tables import report_tables, table_by_slug
from tests.factories import BookingFactory, EventFactory, OrganisationDomainFactory

pytestmark = pytest.mark.django_db
S = Booking.Status
START, END = date(2022, 4, 1), date(2023, 3, 31)


@pytest.fixture(autouse=True)
def setup(db, monkeypatch):
    ensure_default_questionnaires()
    OrganisationDomainFactory(domain="council.gov.uk")
    monkeypatch.setattr("django.db.transaction.on_commit", lambda func, *a, **k: func())


@pytest.fixture
def event():
    start = datetime(2022, 6, 1, 10, tzinfo=LONDON)
    return EventFactory(start=start, end=start + timedelta(hours=3), status="delivered")


def _booking(event, n, manager=True):
    return BookingFactory(
        event=event,
        status=S.ATTENDED,
        line_manager_email=f"boss{n}@council.gov.uk" if manager else "",
    )


def _answer(invitation, rating):
    data = {}
    for item in invitation.questionnaire.items.all():
        if item.kind == Item.Kind.RATING:
            data[item.id] = str(rating)
        elif item.kind == Item.Kind.CHOICE:
            data[item.id] = item.choices.splitlines()[0]
        else:
            data[item.id] = "We saw it in a strategy meeting."
    services.response_save(invitation=invitation, data=data, submit=True)


def test_the_manager_gets_their_own_questionnaire_at_the_address_invited(event, mailoutbox):
    booking = _booking(event, 1)
    delegate = services.invitation_create(booking=booking, stage=Stage.STAGE2)
    manager = services.invitation_create(
        booking=booking, stage=Stage.STAGE2, respondent=Respondent.LINE_MANAGER
    )
    assert delegate.questionnaire.respondent == Respondent.DELEGATE
    assert manager.questionnaire.respondent == Respondent.LINE_MANAGER
    assert manager.questionnaire != delegate.questionnaire
    assert "observed" in manager.questionnaire.items.first().text
    assert manager.email == "boss1@council.gov.uk"
    # The booking's address changes later (e.g. the delegate edits it): the reminder still goes
    # only to the manager who was invited.
    Booking.objects.filter(pk=booking.pk).update(line_manager_email="me@council.gov.uk")
    mailoutbox.clear()
    tasks.send_evaluation_email(booking.pk, "eval-stage2-lm-reminder1", "line_manager", manager.pk)
    assert [m.to for m in mailoutbox] == [["boss1@council.gov.uk"]]


@pytest.mark.parametrize("address", ["own", "anyone@gmail.com"])
def test_no_manager_invitation_for_the_delegates_own_or_a_non_partner_address(event, address):
    booking = _booking(event, 1)
    email = booking.person.email if address == "own" else address
    Booking.objects.filter(pk=booking.pk).update(line_manager_email=email)
    booking.refresh_from_db()
    with pytest.raises(services.EvaluationError, match="line manager's address cannot be"):
        services.invitation_create(
            booking=booking, stage=Stage.STAGE2, respondent=Respondent.LINE_MANAGER
        )


@pytest.fixture
def answered(event):
    """Five delegates rate their practice 4, 3, 5, 2, 4; four managers are asked and three
    answer 3, 3, 4 (for the delegates who said 4, 3, 5): paired difference -2/3."""
    delegate_ratings = [4, 3, 5, 2, 4]
    manager_ratings = [3, 3, 4, None]
    for n, rating in enumerate(delegate_ratings):
        booking = _booking(event, n, manager=n < 4)
        _answer(services.invitation_create(booking=booking, stage=Stage.STAGE2), rating)
        if n < 4:
            invitation = services.invitation_create(
                booking=booking, stage=Stage.STAGE2, respondent=Respondent.LINE_MANAGER
            )
            if manager_ratings[n] is not None:
                _answer(invitation, manager_ratings[n])


def test_report_shows_delegates_and_managers_side_by_side_with_the_paired_difference(answered):
    impact = report_build(start=START, end=END)["stage2_impact"]
    assert impact["delegates"] == {
        "asked": 5,
        "returned": 5,
        "rate": 100.0,
        "mean": 3.6,
        "n": 5,
        "suppressed": False,
    }
    assert impact["line_managers"] == {
        "asked": 4,
        "returned": 3,
        "rate": 75.0,
        "mean": 3.33,
        "n": 3,
        "suppressed": False,
    }
    assert impact["paired"] == {
        "n": 3,
        "delegate_mean": 4.0,
        "manager_mean": 3.33,
        "difference": -0.67,
        "suppressed": False,
    }


def test_the_figures_reach_the_page_table_and_the_json(answered):
    report = report_build(start=START, end=END)
    table = table_by_slug(report_tables(report), "stage2_impact")
    assert [row["who"] for row in table.rows] == [
        "Delegates (own practice)",
        "Line managers (observed)",
        "Both answered: manager minus delegate",
    ]
    assert table.rows[1]["mean"] == 3.33 and table.rows[2]["n"] == 3
    assert report_json(report)["stage2_impact"]["paired"]["difference"] == -0.67


def test_a_shared_view_blanks_means_from_too_few_answers(answered, settings):
    settings.REPORT_MIN_GROUP_SIZE = 5
    impact = report_build(start=START, end=END, shared=True)["stage2_impact"]
    assert impact["delegates"]["mean"] == 3.6  # five answers: shown
    assert impact["line_managers"]["mean"] is None and impact["line_managers"]["suppressed"]
    assert impact["paired"]["difference"] is None


def test_annual_section_reports_the_managers_view_only_when_enough_answered(answered):
    sentences = annual_section(start=START, end=END, min_group=3).evaluations
    assert any("3 line managers" in s and "3.33" in s for s in sentences)
    assert any("-0.67" in s for s in sentences)
    sentences = annual_section(start=START, end=END, min_group=5).evaluations
    assert not any("line managers" in s for s in sentences)


def test_anonymising_the_manager_clears_the_address_their_invitation_was_sent_to(event, lead):
    from privacy.anonymise import person_anonymise
    from tests.factories import UserFactory

    booking = _booking(event, 7)
    manager = services.invitation_create(
        booking=booking, stage=Stage.STAGE2, respondent=Respondent.LINE_MANAGER
    )
    person_anonymise(person=UserFactory(email="boss7@council.gov.uk"), actor=lead)
    manager.refresh_from_db()
    assert manager.email == ""
