"""The level 3 reruns in the year before last are evaluated like 2022/23: each stage asked only
of the bookings whose status makes it due, answered at plausible rates, with a learning gain.

Figures from raw records with plain queries, like test_load_demo.
"""

from collections import defaultdict
from statistics import mean

from django.utils import timezone

from bookings.models import Booking
from evaluations import selectors
from evaluations.models import Answer, Invitation, Questionnaire, Response
from evaluations.services import INVITABLE
from reports.periods import current_reporting_year, reporting_year

USED = ("attended", "partial", "no_show")
ATTENDED = ("attended", "partial")


def rerun_bookings(statuses=None):
    start, end = reporting_year(current_reporting_year()[0].year - 2)
    bookings = Booking.objects.filter(
        event__status="delivered",
        event__external_ref__startswith="demo-",
        event__start__date__gte=start,
        event__start__date__lte=end,
    )
    return bookings if statuses is None else bookings.filter(status__in=statuses)


def rate(stage, statuses):
    """Percent of these bookings whose delegate answered the stage."""
    asked = rerun_bookings(statuses)
    answered = (
        asked.filter(
            invitations__stage=stage,
            invitations__respondent="delegate",
            invitations__response__submitted_at__isnull=False,
        )
        .distinct()
        .count()
    )
    return 100 * answered / asked.count()


def mean_score(stage, statuses):
    rows = Answer.objects.filter(
        item__is_learning_gain=True,
        rating__isnull=False,
        response__submitted_at__isnull=False,
        response__invitation__stage=stage,
        response__invitation__booking__in=rerun_bookings(statuses),
    ).values_list("response_id", "rating")
    by_response = defaultdict(list)
    for response_id, rating in rows:
        by_response[response_id].append(rating)
    return mean(mean(r) for r in by_response.values())


def test_the_reruns_have_evaluations_at_plausible_rates_and_a_learning_gain(db, demo):
    assert rerun_bookings(USED).count() > 100  # the year before last has its reruns

    pre, post, stage2 = rate("pre", USED), rate("post", ATTENDED), rate("stage2", ATTENDED)

    assert 50 <= pre <= 95, pre
    assert 40 <= post <= 85, post
    assert 5 <= stage2 <= 30, stage2
    before, after = mean_score("pre", USED), mean_score("post", ATTENDED)
    assert 2.5 <= before <= 3.5, before
    assert 3.8 <= after <= 4.7, after
    assert after - before >= 0.8


def test_only_bookings_a_stage_is_due_for_are_invited_and_answered_in_time(db, demo):
    invitations = Invitation.objects.filter(booking__in=rerun_bookings()).select_related(
        "booking__event", "questionnaire"
    )
    answered = dict(
        Response.objects.filter(invitation__in=invitations, submitted_at__isnull=False).values_list(
            "invitation_id", "submitted_at"
        )
    )
    now = timezone.now()
    stages = defaultdict(int)
    for inv in invitations:
        booking, event = inv.booking, inv.booking.event
        stages[inv.stage] += 1
        assert booking.status in INVITABLE[inv.stage], (inv.stage, booking.status)
        assert inv.respondent == "delegate"
        assert inv.questionnaire.is_current  # the default questionnaires, no extra version
        if inv.stage == "pre":
            assert inv.created_at < event.start
            assert answered.get(inv.pk, event.start) <= event.start
        else:
            assert inv.created_at > booking.attendance_marked_at >= event.end
            assert inv.created_at < now  # stage 2 only once it has come
        assert inv.created_at < answered.get(inv.pk, now) <= now
    # Every place used was asked before, every attendee after and at stage 2; no-shows only before.
    assert stages["pre"] == rerun_bookings(USED).count()
    assert stages["post"] == stages["stage2"] == rerun_bookings(ATTENDED).count()
    assert rerun_bookings(["no_show"]).exists()
    assert not Questionnaire.objects.filter(version__gt=1).exists()


def test_a_worker_started_on_the_demo_does_not_invite_the_reruns_again(db, demo):
    due = {booking_id for booking_id, _, _ in selectors.due_invitations()}

    assert not due & set(rerun_bookings().values_list("id", flat=True))
