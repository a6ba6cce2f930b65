"""The whole flow: booked -> pre invite -> answered -> attended -> post invite -> reminders stop
after answering -> stage 2 scheduled; and the link's rules."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from bookings import services as booking_services
from bookings.models import Booking
from evaluations import selectors, services, tasks
from evaluations.defaults import ensure_default_questionnaires
from evaluations.models import Invitation, Item, Response, Stage
from tests.factories import BookingFactory, EventFactory, OrganisationDomainFactory, UserFactory

pytestmark = pytest.mark.django_db
LINK = re.compile(r"https?://[^/\s]+(/evaluations/r/[^\s]+/)")


@pytest.fixture(autouse=True)
def questionnaires(db):
    return ensure_default_questionnaires()


@pytest.fixture(autouse=True)
def run_on_commit(monkeypatch):
    """Run after-commit work at once: tests run inside one transaction that never commits."""
    monkeypatch.setattr("django.db.transaction.on_commit", lambda func, *a, **k: func())


def _answers(invitation, rating="4"):
    data = {}
    for item in invitation.questionnaire.items.all():
        if item.kind == Item.Kind.RATING:
            data[item.id] = rating
        elif item.kind == Item.Kind.CHOICE:
            data[item.id] = item.choices.splitlines()[0]
        else:
            data[item.id] = "Useful"
    return data


def _link_in(mail):
    return LINK.search(mail.body).group(1)


def test_whole_flow_from_booking_to_stage_two(client, mailoutbox, settings):
    start = timezone.now() + timedelta(days=10)
    event = EventFactory(start=start, end=start + timedelta(hours=3))
    person = UserFactory()
    booking = booking_services.booking_create(event=event, person=person)

    # Pre-course invitation once the place is confirmed (each at most once).
    assert tasks.invite_due() == 1
    assert tasks.invite_due() == 0
    pre_mail = [m for m in mailoutbox if "Before your course" in m.subject]
    assert len(pre_mail) == 1 and pre_mail[0].to == [person.email]
    link = _link_in(pre_mail[0])
    pre = Invitation.objects.get(booking=booking, stage=Stage.PRE)
    assert client.get(link).status_code == 200
    data = {f"item-{k}": v for k, v in _answers(pre, "2").items()}
    response = client.post(link, {**data, "submit": "1"})
    assert response.status_code == 200 and b"Thank you" in response.content

    # Attendance marked -> post-course invitation.
    with time_machine.travel(start + timedelta(hours=4)):
        booking_services.register_save(
            event=event, actor=None, marks={booking.pk: booking_services.Mark("attended")}
        )
        mailoutbox.clear()
        assert tasks.invite_due() == 1
        post = Invitation.objects.get(booking=booking, stage=Stage.POST)
        assert [m.to for m in mailoutbox] == [[person.email]]
    # Reminder 3 days later; once answered, no more reminders.
    with time_machine.travel(post.created_at + timedelta(days=3, minutes=1)):
        assert tasks.remind_due() == 1
        assert tasks.remind_due() == 0
        assert len(mailoutbox) == 2 and mailoutbox[-1].subject.startswith("Reminder")
        services.response_save(invitation=post, data=_answers(post, "5"), submit=True)
    with time_machine.travel(post.created_at + timedelta(days=7, minutes=1)):
        assert tasks.remind_due() == 0
        assert len(mailoutbox) == 2

    # Stage 2 after the configured time (12 weeks by default), not before.
    with time_machine.travel(event.end + timedelta(days=settings.EVAL_STAGE2_AFTER_DAYS - 1)):
        assert tasks.invite_due() == 0
    with time_machine.travel(event.end + timedelta(days=settings.EVAL_STAGE2_AFTER_DAYS, hours=1)):
        assert tasks.invite_due() == 1
    assert Invitation.objects.filter(booking=booking, stage=Stage.STAGE2).exists()


def test_reminder_is_not_sent_once_answered_even_if_already_queued(mailoutbox):
    booking = BookingFactory(status=Booking.Status.CONFIRMED)
    invitation = services.invitation_create(booking=booking, stage=Stage.PRE)
    mailoutbox.clear()
    services.response_save(invitation=invitation, data=_answers(invitation), submit=True)
    assert (
        tasks.send_evaluation_email(booking.pk, "eval-pre-reminder1", "delegate", invitation.pk)
        is False
    )
    assert mailoutbox == []


def test_no_show_gets_no_post_invitation(mailoutbox):
    booking = BookingFactory(status=Booking.Status.NO_SHOW, event=EventFactory(status="delivered"))
    assert (booking.pk, Stage.POST, "delegate") not in selectors.due_invitations()
    with pytest.raises(services.EvaluationError):
        services.invitation_create(booking=booking, stage=Stage.POST)


def test_stage_two_asks_the_line_manager_too(mailoutbox):
    OrganisationDomainFactory(domain="x.org")  # a partner's address
    event = EventFactory(start=timezone.now() - timedelta(days=90), status="delivered")
    event.end = event.start + timedelta(hours=3)
    event.save()
    booking = BookingFactory(
        event=event,
        status=Booking.Status.ATTENDED,
        line_manager_name="Sam Boss",
        line_manager_email="sam@x.org",
    )
    due = selectors.due_invitations()
    assert (booking.pk, Stage.STAGE2, "line_manager") in due
    tasks.invite_due()
    lm_mail = [m for m in mailoutbox if m.to == ["sam@x.org"]]
    # Identified by the delegate's (proved) address, never by a name someone typed.
    assert len(lm_mail) == 1 and booking.person.email in lm_mail[0].body
    assert "Sam Boss" not in lm_mail[0].body


@pytest.fixture
def invitation(db):
    booking = BookingFactory(status=Booking.Status.CONFIRMED)
    return services.invitation_create(booking=booking, stage=Stage.PRE)


def _url(invitation):
    return reverse("evaluations:answer", args=[services.invitation_link_token(invitation)])


def test_link_works_once_then_says_already_answered(client, invitation):
    url = _url(invitation)
    data = {f"item-{k}": v for k, v in _answers(invitation).items()}
    assert client.post(url, {**data, "submit": "1"}).status_code == 200
    again = client.get(url)
    assert again.status_code == 200 and b"Already answered" in again.content
    assert client.post(url, {**data, "submit": "1"}).status_code == 200
    assert Response.objects.filter(invitation=invitation).count() == 1


def test_tampered_expired_and_unknown_links_get_the_same_friendly_page(client, invitation):
    token = services.invitation_link_token(invitation)
    tampered = token[:-3] + ("aaa" if token[-3:] != "aaa" else "bbb")
    unknown = services.invitation_link_token(Invitation(key="no-such-key"))
    invitation.expires_at = timezone.now() - timedelta(seconds=1)
    invitation.save()
    pages = [
        client.get(reverse("evaluations:answer", args=[t])) for t in (tampered, unknown, token)
    ]
    assert {p.status_code for p in pages} == {404}
    assert len({p.content for p in pages}) == 1
    assert b"This link is not working" in pages[0].content


def test_the_page_reveals_no_one_elses_data_and_is_not_cached(client, invitation):
    other = BookingFactory(status=Booking.Status.CONFIRMED)
    page = client.get(_url(invitation))
    assert other.person.get_full_name().encode() not in page.content
    assert "no-store" in page["Cache-Control"]
    assert page["Referrer-Policy"] == "same-origin"
    assert invitation.booking.person.email.encode() not in page.content


def test_validation_errors_name_the_item(client, invitation):
    first_rating = invitation.questionnaire.items.filter(kind=Item.Kind.RATING).first()
    page = client.post(_url(invitation), {"submit": "1", f"item-{first_rating.id}": "9"})
    assert page.status_code == 400
    assert first_rating.text.encode() in page.content
    assert services.RATING_RANGE.encode() in page.content
    assert not Response.objects.filter(invitation=invitation).exists()


def test_progress_is_saved_and_shown_again(client, invitation):
    item = invitation.questionnaire.items.filter(kind=Item.Kind.RATING).first()
    client.post(_url(invitation), {"save": "1", f"item-{item.id}": "3"})
    response = Response.objects.get(invitation=invitation)
    assert response.submitted_at is None
    page = client.get(_url(invitation))
    assert f'name="item-{item.id}" type="radio" value="3" checked'.encode() in page.content


def test_fresh_link_replaces_the_old_one(client, invitation, mailoutbox):
    old = _url(invitation)
    services.invitation_refresh(invitation=invitation)
    invitation.refresh_from_db()
    assert client.get(old).status_code == 404
    assert client.get(_url(invitation)).status_code == 200


def test_questionnaire_page_runs_a_constant_number_of_queries(
    client, invitation, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        client.get(_url(invitation))


def test_editing_an_answered_questionnaire_makes_a_new_version(invitation):
    services.response_save(invitation=invitation, data=_answers(invitation), submit=True)
    old = invitation.questionnaire
    new = services.questionnaire_new_version(questionnaire=old)
    old.refresh_from_db()
    assert new.version == old.version + 1 and new.is_current and not old.is_current
    assert new.items.count() == old.items.count()
    assert (
        selectors.questionnaire_for(course=invitation.booking.event.course, stage=Stage.PRE) == new
    )
    answered_items = set(
        Response.objects.get(invitation=invitation).answers.values_list(
            "item__questionnaire_id", flat=True
        )
    )
    assert answered_items == {old.id}


def _attended_ended_days_ago(days: float) -> Booking:
    end = timezone.now() - timedelta(days=days)
    event = EventFactory(start=end - timedelta(hours=3), status="delivered")
    event.end = end
    event.save()
    return BookingFactory(event=event, status=Booking.Status.ATTENDED)


def test_a_post_course_invitation_goes_only_for_a_course_that_ended_within_the_window(settings):
    """A register marked a little late still asks; a course from long ago (an imported past year,
    a register marked months on) never asks "How was it?"."""
    settings.EVAL_POST_INVITE_WITHIN_DAYS = 28
    recent = _attended_ended_days_ago(27)
    old = _attended_ended_days_ago(29)
    due = selectors.due_invitations()
    assert (recent.pk, Stage.POST, "delegate") in due
    assert (old.pk, Stage.POST, "delegate") not in due


def test_a_certificate_waits_only_for_a_post_course_evaluation_that_was_or_will_be_asked(
    settings,
):
    from evaluations.hooks import CERTIFICATE_WAITS, certificate_gate

    settings.EVAL_CERTIFICATE_NEEDS_POST = True
    settings.EVAL_POST_INVITE_WITHIN_DAYS = 28
    recent = _attended_ended_days_ago(2)  # not asked yet: it will be
    old = _attended_ended_days_ago(400)  # never asked, never will be
    asked_old = _attended_ended_days_ago(400)
    services.invitation_create(booking=asked_old, stage=Stage.POST)  # asked: answer first
    gate = certificate_gate([recent, old, asked_old])
    assert gate == {recent.pk: CERTIFICATE_WAITS, asked_old.pk: CERTIFICATE_WAITS}
