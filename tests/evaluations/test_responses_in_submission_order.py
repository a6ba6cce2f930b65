"""The report's responses (in submission order) score exactly as evaluation_frames does."""

import math
from datetime import timedelta
from decimal import Decimal

import pytest

from bookings.models import Booking
from evaluations.models import Response, Stage
from evaluations.selectors import evaluation_frames, evaluation_responses
from tests.evaluations.test_metrics_selector import questionnaires, respond  # noqa: F401
from tests.factories import BookingFactory

pytestmark = pytest.mark.django_db


def _keyed(frame):
    return {
        (row.booking_id, row.stage, row.respondent): (
            None if math.isnan(row.score) else row.score,
            None if math.isnan(row.retro_score) else row.retro_score,
        )
        for row in frame.itertuples()
    }


def test_scores_and_order_match_evaluation_frames(questionnaires):  # noqa: F811
    a, b, c = (BookingFactory(status=Booking.Status.ATTENDED) for _ in range(3))
    respond(questionnaires, a, Stage.PRE, {"gain1": 2, "gain2": 3, "retro": 5})  # retro: post only
    respond(questionnaires, a, Stage.POST, {"gain1": 4, "retro": 1, "retro_gain": 2})
    respond(questionnaires, b, Stage.PRE, imported_score=Decimal("2.75"))  # imported years
    respond(questionnaires, b, Stage.POST, {"gain3": 5}, imported_score=Decimal("1.50"))
    respond(questionnaires, c, Stage.POST, {"overall": 3})  # no learning-gain item answered
    respond(questionnaires, c, Stage.STAGE2, {"gain1": 4}, respondent="line_manager")
    respond(questionnaires, c, Stage.PRE, {"gain1": 1}, submitted=False)
    # Submitted in an order other than the rows': c's line manager first, then a's post.
    first = Response.objects.get(invitation__booking=c, invitation__stage=Stage.STAGE2)
    second = Response.objects.get(invitation__booking=a, invitation__stage=Stage.POST)
    submitted = Response.objects.filter(submitted_at__isnull=False)
    earliest = submitted.order_by("submitted_at").first().submitted_at
    Response.objects.filter(pk=first.pk).update(submitted_at=earliest - timedelta(hours=2))
    Response.objects.filter(pk=second.pk).update(submitted_at=earliest - timedelta(hours=1))

    bookings = Booking.objects.all()
    ordered = evaluation_responses(bookings, in_submission_order=True)
    reference = evaluation_frames(bookings).responses

    assert _keyed(ordered) == _keyed(reference)
    assert _keyed(ordered)[(a.pk, "post", "delegate")] == (4.0, 1.5)
    assert _keyed(ordered)[(a.pk, "pre", "delegate")] == (2.5, None)
    assert _keyed(ordered)[(b.pk, "pre", "delegate")] == (2.75, None)
    assert _keyed(ordered)[(b.pk, "post", "delegate")] == (5.0, None)
    assert _keyed(ordered)[(c.pk, "post", "delegate")] == (None, None)
    by_time = reference.sort_values(["submitted_at", "booking_id", "stage", "respondent"])
    assert list(ordered["booking_id"])[:2] == [c.pk, a.pk]
    assert list(ordered["booking_id"]) == list(by_time["booking_id"])
    assert list(ordered.columns) == ["booking_id", "stage", "respondent", "score", "retro_score"]
    assert str(ordered["stage"].dtype) == "category"


def test_a_respondent_outside_the_known_kinds_is_read_as_text_not_dropped(questionnaires):  # noqa: F811
    from evaluations.models import Invitation

    a, b = (BookingFactory(status=Booking.Status.ATTENDED) for _ in range(2))
    respond(questionnaires, a, Stage.PRE, {"gain1": 2})
    respond(questionnaires, b, Stage.STAGE2, {"gain1": 4}, respondent="line_manager")
    Invitation.objects.filter(booking=b).update(respondent="headteacher")  # e.g. an old import

    bookings = Booking.objects.all()
    ordered = evaluation_responses(bookings, in_submission_order=True)

    assert _keyed(ordered) == _keyed(evaluation_frames(bookings).responses)
    assert (b.pk, "stage2", "headteacher") in _keyed(ordered)
    assert list(ordered["respondent"].cat.categories) == ["delegate", "headteacher"]


def test_known_kinds_come_back_as_the_categories_text_would_give(questionnaires):  # noqa: F811
    a, b = (BookingFactory(status=Booking.Status.ATTENDED) for _ in range(2))
    respond(questionnaires, a, Stage.POST, {"gain1": 2})
    respond(questionnaires, b, Stage.STAGE2, {"gain1": 4}, respondent="line_manager")

    ordered = evaluation_responses(Booking.objects.all(), in_submission_order=True)

    by_text = ordered["stage"].astype("str").astype("category")
    assert (
        list(ordered["stage"].cat.categories) == list(by_text.cat.categories) == ["post", "stage2"]
    )
    assert list(ordered["respondent"].cat.categories) == ["delegate", "line_manager"]
    assert list(ordered["stage"]) == ["post", "stage2"] or list(ordered["stage"]) == [
        "stage2",
        "post",
    ]


def test_by_event_ids_the_same_rows_as_by_bookings_for_any_number_of_ids(questionnaires):  # noqa: F811
    a, b, other = (BookingFactory(status=Booking.Status.ATTENDED) for _ in range(3))
    respond(questionnaires, a, Stage.PRE, {"gain1": 2})
    respond(questionnaires, b, Stage.POST, {"gain1": 4, "retro": 1})
    respond(questionnaires, other, Stage.POST, {"gain1": 5})
    bookings = Booking.objects.filter(pk__in=[a.pk, b.pk])
    # More ids than SQLite accepts as parameters (32,766): they go as one.
    event_ids = [a.event_id, b.event_id, *range(10**6, 10**6 + 40_000)]

    by_events = evaluation_responses(bookings, in_submission_order=True, event_ids=event_ids)
    by_bookings = evaluation_responses(bookings, in_submission_order=True)

    assert (
        _keyed(by_events)
        == _keyed(by_bookings)
        == {
            (a.pk, "pre", "delegate"): (2.0, None),
            (b.pk, "post", "delegate"): (4.0, 1.0),
        }
    )
    none = evaluation_responses(bookings, in_submission_order=True, event_ids=[])
    assert list(none.columns) == list(by_events.columns) and none.empty
