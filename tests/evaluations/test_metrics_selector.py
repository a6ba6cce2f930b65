"""evaluation_frames: per-response scores in the database, in a constant number of queries."""

import itertools
import math
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from bookings.models import Booking
from evaluations import metrics
from evaluations.models import Answer, Invitation, Item, Questionnaire, Response, Stage
from evaluations.selectors import BOOKING_COLUMNS, RESPONSE_COLUMNS, evaluation_frames
from tests.factories import BookingFactory, EventFactory, UserFactory

pytestmark = pytest.mark.django_db

_keys = itertools.count()


@pytest.fixture
def questionnaires(db):
    """Pre and post questionnaires: three learning-gain items, plus items that must not count."""
    built = {}
    for stage in (Stage.PRE, Stage.POST):
        questionnaire = Questionnaire.objects.create(
            name=f"{stage} test", stage=stage, family=f"test-{stage}"
        )
        items = {
            f"gain{i}": Item.objects.create(
                questionnaire=questionnaire,
                order=i,
                text=f"Knowledge {i}",
                kind=Item.Kind.RATING,
                is_learning_gain=True,
            )
            for i in (1, 2, 3)
        }
        items["overall"] = Item.objects.create(
            questionnaire=questionnaire, order=4, text="Overall", kind=Item.Kind.RATING
        )
        items["retro"] = Item.objects.create(
            questionnaire=questionnaire,
            order=5,
            text="Looking back, your knowledge before?",
            kind=Item.Kind.RATING,
            is_retrospective=True,
        )
        items["retro_gain"] = Item.objects.create(
            questionnaire=questionnaire,
            order=6,
            text="Looking back, your confidence before?",
            kind=Item.Kind.RATING,
            is_learning_gain=True,
            is_retrospective=True,
        )
        items["comment"] = Item.objects.create(
            questionnaire=questionnaire, order=7, text="Anything else?", kind=Item.Kind.TEXT
        )
        built[stage] = (questionnaire, items)
    built[Stage.STAGE2] = built[Stage.POST]
    return built


def respond(
    questionnaires,
    booking,
    stage,
    ratings=None,
    *,
    respondent="delegate",
    submitted=True,
    imported_score=None,
):
    """One invitation and response with answers {item name: rating}."""
    questionnaire, items = questionnaires[stage]
    now = timezone.now()
    invitation = Invitation.objects.create(
        booking=booking,
        stage=stage,
        respondent=respondent,
        questionnaire=questionnaire,
        key=f"key-{next(_keys)}",
        created_at=now,
        expires_at=now + timedelta(days=30),
    )
    response = Response.objects.create(
        invitation=invitation,
        questionnaire=questionnaire,
        submitted_at=now if submitted else None,
        imported_score=imported_score,
    )
    for name, rating in (ratings or {}).items():
        if name == "comment":
            Answer.objects.create(response=response, item=items[name], text=rating)
        else:
            Answer.objects.create(response=response, item=items[name], rating=rating)
    return response


def scores(frames, stage):
    """{booking_id: (score, retro_score)} of the delegate's answers of `stage`."""
    rows = frames.responses[
        (frames.responses["stage"] == stage) & (frames.responses["respondent"] == "delegate")
    ]
    return {
        int(row.booking_id): (
            None if math.isnan(row.score) else row.score,
            None if math.isnan(row.retro_score) else row.retro_score,
        )
        for row in rows.itertuples()
    }


def test_score_is_the_mean_of_learning_gain_items_without_retrospective_or_other_ratings(
    questionnaires,
):
    booking = BookingFactory(status=Booking.Status.ATTENDED)
    respond(
        questionnaires,
        booking,
        Stage.POST,
        {
            "gain1": 4,
            "gain2": 5,
            "gain3": 3,
            "overall": 1,
            "retro": 2,
            "retro_gain": 1,
            "comment": "Good",
        },
    )

    frames = evaluation_frames(Booking.objects.all())

    # score (4 + 5 + 3) / 3; retrospective (2 + 1) / 2, whether marked learning-gain or not
    assert scores(frames, "post") == {booking.id: (4.0, 1.5)}


def test_a_response_answering_two_of_three_items_averages_those_two(questionnaires):
    skipped = BookingFactory(status=Booking.Status.ATTENDED)
    blank = BookingFactory(status=Booking.Status.ATTENDED)
    respond(questionnaires, skipped, Stage.PRE, {"gain1": 2, "gain3": 5})  # no answer row
    respond(questionnaires, blank, Stage.PRE, {"gain1": 2, "gain2": None, "gain3": 3})

    frames = evaluation_frames(Booking.objects.all())

    assert scores(frames, "pre") == {skipped.id: (3.5, None), blank.id: (2.5, None)}


def test_imported_score_is_used_only_when_there_are_no_learning_gain_answers(questionnaires):
    imported = BookingFactory(status=Booking.Status.ATTENDED)
    answered = BookingFactory(status=Booking.Status.ATTENDED)
    unscored = BookingFactory(status=Booking.Status.ATTENDED)
    respond(questionnaires, imported, Stage.PRE, imported_score=Decimal("3.25"))
    respond(questionnaires, answered, Stage.PRE, {"gain1": 5}, imported_score=Decimal("1.00"))
    respond(questionnaires, unscored, Stage.PRE, {"overall": 4, "comment": "Fine"})

    frames = evaluation_frames(Booking.objects.all())

    assert scores(frames, "pre") == {
        imported.id: (3.25, None),
        answered.id: (5.0, None),
        unscored.id: (None, None),
    }


def test_retrospective_score_is_kept_for_post_responses_only(questionnaires):
    booking = BookingFactory(status=Booking.Status.ATTENDED)
    respond(questionnaires, booking, Stage.PRE, {"gain1": 3, "retro": 1})
    respond(questionnaires, booking, Stage.POST, {"gain1": 4, "retro": 2})

    frames = evaluation_frames(Booking.objects.all())

    assert scores(frames, "pre") == {booking.id: (3.0, None)}
    assert scores(frames, "post") == {booking.id: (4.0, 2.0)}


def test_only_submitted_responses_of_the_given_bookings_are_loaded(questionnaires):
    event = EventFactory()
    mine = BookingFactory(event=event, status=Booking.Status.ATTENDED)
    elsewhere = BookingFactory(status=Booking.Status.ATTENDED)
    respond(questionnaires, mine, Stage.PRE, {"gain1": 2})
    respond(questionnaires, mine, Stage.POST, {"gain1": 4}, submitted=False)
    respond(questionnaires, mine, Stage.STAGE2, {"gain1": 5}, respondent="line_manager")
    respond(questionnaires, elsewhere, Stage.PRE, {"gain1": 1})

    frames = evaluation_frames(Booking.objects.filter(event=event))

    assert list(frames.responses.columns) == list(RESPONSE_COLUMNS)
    assert frames.responses[["booking_id", "stage", "respondent"]].values.tolist() == [
        [mine.id, "pre", "delegate"],
        [mine.id, "stage2", "line_manager"],
    ]


def test_bookings_frame_carries_the_grouping_columns():
    person = UserFactory()
    booking = BookingFactory(person=person, status=Booking.Status.NO_SHOW)
    BookingFactory(status=Booking.Status.CANCELLED)

    frames = evaluation_frames(Booking.objects.filter(pk=booking.pk))

    assert list(frames.bookings.columns) == list(BOOKING_COLUMNS)
    assert frames.bookings.to_dict("records") == [
        {
            "booking_id": booking.id,
            "status": "no_show",
            "event_id": booking.event_id,
            "course_id": booking.event.course_id,
            "priority_area_id": booking.event.course.priority_area_id,
            "organisation_id": person.organisation_id,
            "person_id": person.id,
        }
    ]


def test_no_bookings_give_empty_frames_and_empty_figures():
    frames = evaluation_frames(Booking.objects.none())

    summary = metrics.evaluation_summary(metrics.Evaluations.from_frames(*frames))

    assert list(frames.bookings.columns) == list(BOOKING_COLUMNS)
    assert list(frames.responses.columns) == list(RESPONSE_COLUMNS)
    assert summary["evaluations"]["pre"] == {"invited": 0, "completed": 0, "rate": None}
    assert summary["learning_gain"]["gain"] is None


def make_course_data(questionnaires, event, attendees):
    """`attendees` attended bookings each with pre 2,2,2 and post 4,4,4 answers, plus a no-show."""
    for _ in range(attendees):
        booking = BookingFactory(event=event, status=Booking.Status.ATTENDED)
        respond(questionnaires, booking, Stage.PRE, {"gain1": 2, "gain2": 2, "gain3": 2})
        respond(questionnaires, booking, Stage.POST, {"gain1": 4, "gain2": 4, "retro": 1})
        respond(questionnaires, booking, Stage.STAGE2, {"overall": 5})
    no_show = BookingFactory(event=event, status=Booking.Status.NO_SHOW)
    respond(questionnaires, no_show, Stage.PRE, {"gain1": 3})


@pytest.mark.parametrize("attendees", [2, 25])
def test_frames_load_in_the_same_number_of_queries_for_any_number_of_bookings(
    questionnaires, attendees, django_assert_max_num_queries
):
    event = EventFactory()
    make_course_data(questionnaires, event, attendees)
    bookings = Booking.objects.filter(event__course=event.course)

    with django_assert_max_num_queries(2):
        frames = evaluation_frames(bookings)
        summary = metrics.evaluation_summary(metrics.Evaluations.from_frames(*frames))

    assert summary["evaluations"]["pre"]["completed"] == attendees + 1
    assert summary["evaluations"]["post"] == {
        "invited": attendees,
        "completed": attendees,
        "rate": 100.0,
    }
    assert summary["evaluations"]["stage2"]["completed"] == attendees
    gain = summary["learning_gain"]
    # pre: attendees at 2 and the no-show at 3
    assert gain["pre_mean"] == round((2 * attendees + 3) / (attendees + 1), 2)
    assert gain["post_mean"] == 4.0
    assert (gain["paired"]["n"], gain["paired"]["mean_gain"]) == (attendees, 2.0)
    assert gain["response_shift"]["then_mean"] == 1.0
