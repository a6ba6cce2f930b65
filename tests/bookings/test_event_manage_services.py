"""The services behind the lead's event page: the waiting list's order, offer now, remove,
moving several delegates at once, and messages to the delegates or the waiting list."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bookings import emails, selectors, services
from bookings.models import Booking, BookingLog, EventMessage
from bookings.services import BookingError
from courses.models import Event
from messaging.models import OutboundEmail
from tests.factories import BookingFactory, EventFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db
S = Booking.Status


@pytest.fixture
def queue(event, make_person):
    """A full event (2 places) and three people waiting, joined in order."""
    for _ in range(2):
        services.booking_create(event=event, person=make_person())
    return [services.booking_create(event=event, person=make_person()) for _ in range(3)]


def _order(event) -> list[int]:
    waiting, _offered = selectors.event_waiting_list(event)
    return [b.pk for b in waiting]


# --- the waiting list's order ----------------------------------------------------------------


def test_moving_up_changes_the_order_and_numbers_the_whole_list(event, queue, lead):
    first, second, third = queue
    services.waitlist_move(booking=third, up=True, position=3, actor=lead)
    assert _order(event) == [first.pk, third.pk, second.pk]
    ranks = list(
        Booking.objects.filter(pk__in=[b.pk for b in queue])
        .order_by("waitlist_rank")
        .values_list("pk", "waitlist_rank")
    )
    assert ranks == [(first.pk, 1), (third.pk, 2), (second.pk, 3)]
    log = BookingLog.objects.get(booking=third, action="waitlist_reorder")
    assert (log.actor, log.note) == (lead, "from number 3 to number 2")
    services.waitlist_move(booking=first, up=False, position=1, actor=lead)
    assert _order(event) == [third.pk, first.pk, second.pk]


def test_the_next_in_line_follows_the_leads_order(event, queue, lead, reasons):
    first, second, third = queue
    services.waitlist_move(booking=third, up=True, position=3, actor=lead)
    services.waitlist_move(booking=third, up=True, position=2, actor=lead)
    booked = Booking.objects.filter(event=event, status=S.CONFIRMED).first()
    services.booking_cancel(booking=booked, actor=booked.person, reason=reasons["capacity"])
    statuses = dict(
        Booking.objects.filter(pk__in=[b.pk for b in queue]).values_list("pk", "status")
    )
    assert statuses == {third.pk: S.OFFERED, first.pk: S.WAITLISTED, second.pk: S.WAITLISTED}
    assert selectors.waitlist_position(Booking.objects.get(pk=first.pk)) == 1
    assert selectors.waitlist_positions([Booking.objects.get(pk=second.pk)]) == {second.pk: 2}


def test_a_newcomer_joins_after_a_reordered_list(event, queue, lead, make_person):
    first, second, third = queue
    services.waitlist_move(booking=third, up=True, position=3, actor=lead)
    newcomer = services.booking_create(event=event, person=make_person())
    assert newcomer.waitlist_rank == 4
    assert _order(event) == [first.pk, third.pk, second.pk, newcomer.pk]


def test_a_stale_position_moves_nobody(event, queue, lead):
    first, second, third = queue
    services.waitlist_move(booking=third, up=True, position=3, actor=lead)
    # A second lead, on the page as it was: third still shown as number 3.
    with pytest.raises(BookingError, match=services.WAITLIST_STALE):
        services.waitlist_move(booking=third, up=True, position=3, actor=lead)
    assert _order(event) == [first.pk, third.pk, second.pk]


def test_the_first_cannot_move_up_nor_the_last_down(event, queue, lead):
    first, _second, third = queue
    with pytest.raises(BookingError, match="already first"):
        services.waitlist_move(booking=first, up=True, position=1, actor=lead)
    with pytest.raises(BookingError, match="already last"):
        services.waitlist_move(booking=third, up=False, position=3, actor=lead)


def test_someone_no_longer_waiting_cannot_be_moved(event, queue, lead, reasons):
    first = queue[0]
    services.booking_cancel(booking=first, actor=first.person, reason=None)
    with pytest.raises(BookingError, match="no longer on the waiting list"):
        services.waitlist_move(booking=first, up=False, position=1, actor=lead)


# --- offer now -------------------------------------------------------------------------------


def test_offer_now_is_refused_when_no_place_is_free(event, queue, lead):
    with pytest.raises(BookingError) as refused:
        services.waitlist_offer(booking=queue[1], actor=lead)
    assert refused.value.message == services.NO_PLACE_FREE.format(
        capacity=2, person=queue[1].person
    )
    assert Booking.objects.get(pk=queue[1].pk).status == S.WAITLISTED
    assert not OutboundEmail.objects.filter(purpose="waitlist_offer").exists()


def test_offer_now_gives_a_held_back_place_to_the_person_chosen(
    lead, reasons, mailoutbox, django_capture_on_commit_callbacks
):
    """A free place the queue cannot take (every organisation waiting is at its limit): the
    lead offers it to the second in line, over the limit, with the usual emailed link."""
    dudley = OrganisationFactory()
    event = EventFactory(capacity=3, places_per_organisation=2)
    for _ in range(2):
        services.booking_create(event=event, person=UserFactory(organisation=dudley))
    services.booking_create(event=event, person=UserFactory())  # full: 3 of 3
    waiting = [
        services.booking_create(event=event, person=UserFactory(organisation=dudley))
        for _ in range(2)
    ]
    other = Booking.objects.filter(event=event, status=S.CONFIRMED).exclude(organisation=dudley)[0]
    services.booking_cancel(booking=other, actor=other.person, reason=reasons["capacity"])
    # The place freed is held back: both waiting are from Dudley, at its limit of 2.
    assert Booking.objects.filter(event=event, status=S.OFFERED).count() == 0
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        offered = services.waitlist_offer(booking=waiting[1], actor=lead)
    assert offered.status == S.OFFERED and offered.offer_key
    assert Booking.objects.get(pk=waiting[0].pk).status == S.WAITLISTED
    log = BookingLog.objects.get(booking=offered, action="offer")
    assert log.actor == lead
    [mail] = [m for m in mailoutbox if m.to == [offered.person.email]]
    assert "/bookings/offer/" in mail.body
    services.booking_accept_offer(booking=offered)
    assert Booking.objects.get(pk=offered.pk).status == S.CONFIRMED


def test_offer_now_is_refused_on_a_cancelled_or_started_event(event, queue, lead):
    Event.objects.filter(pk=event.pk).update(capacity=5)  # places free, so only the date refuses
    with pytest.raises(BookingError, match=services.OFFER_EVENT_CLOSED):
        services.waitlist_offer(booking=queue[0], actor=lead, now=event.start)
    assert services.waitlist_offer(booking=queue[1], actor=lead).status == S.OFFERED
    services.event_cancel(event=event, actor=lead, reason="Trainer ill")
    with pytest.raises(BookingError, match=services.OFFER_EVENT_CLOSED):
        services.waitlist_offer(booking=queue[0], actor=lead)


# --- remove ----------------------------------------------------------------------------------


def test_removing_someone_from_the_waiting_list_emails_them(
    event, queue, lead, mailoutbox, django_capture_on_commit_callbacks
):
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        removed = services.waitlist_remove(booking=queue[1], actor=lead)
    assert removed.status == S.CANCELLED and removed.cancelled_at
    row = OutboundEmail.objects.get(booking=removed, purpose="waitlist_removed")
    assert row.state == OutboundEmail.State.SENT
    [mail] = mailoutbox
    assert mail.to == [removed.person.email]
    assert mail.subject == emails.SUBJECTS["waitlist_removed"].format(course=event.course.title)
    assert _order(event) == [queue[0].pk, queue[2].pk]
    with pytest.raises(BookingError, match="no longer on the waiting list"):
        services.waitlist_remove(booking=queue[1], actor=lead)


def test_only_a_waiting_booking_can_be_removed(event, lead):
    booked = BookingFactory(event=event)
    with pytest.raises(BookingError, match="no longer on the waiting list"):
        services.waitlist_remove(booking=booked, actor=lead)
    assert Booking.objects.get(pk=booked.pk).status == S.CONFIRMED


# --- moving several delegates ----------------------------------------------------------------


@pytest.fixture
def three_booked(event):
    event.capacity = 3
    event.save()
    return [BookingFactory(event=event) for _ in range(3)]


def test_several_delegates_move_together_and_are_emailed(
    event, three_booked, lead, django_capture_on_commit_callbacks
):
    later = EventFactory(course=event.course, start=event.start + timedelta(days=7), capacity=5)
    with django_capture_on_commit_callbacks(execute=True):
        moved = services.bookings_move(bookings=three_booked[:2], to_event=later, actor=lead)
    assert {b.event_id for b in moved} == {later.pk}
    assert {b.person_id for b in moved} == {b.person_id for b in three_booked[:2]}
    assert set(
        Booking.objects.filter(pk__in=[b.pk for b in three_booked]).values_list("status", flat=True)
    ) == {S.MOVED, S.CONFIRMED}
    confirmations = OutboundEmail.objects.filter(
        booking__in=moved, purpose="confirmation", state=OutboundEmail.State.SENT
    )
    assert confirmations.count() == 2


def test_a_move_to_a_date_without_room_for_all_moves_nobody(event, three_booked, lead):
    later = EventFactory(course=event.course, start=event.start + timedelta(days=7), capacity=3)
    BookingFactory(event=later)
    with pytest.raises(BookingError) as refused:
        services.bookings_move(bookings=three_booked, to_event=later, actor=lead)
    assert refused.value.message == services.MOVE_NO_ROOM.format(free=2, s="s")
    assert refused.value.field == "to_event"
    assert Booking.objects.filter(event=event, status=S.CONFIRMED).count() == 3
    assert not Booking.objects.filter(event=later, person__in=[b.person for b in three_booked])


def test_a_move_to_another_course_or_a_past_date_is_refused(event, three_booked, lead):
    other_course = EventFactory(start=event.start + timedelta(days=7))
    with pytest.raises(BookingError, match=services.MOVE_SAME_COURSE):
        services.bookings_move(bookings=three_booked, to_event=other_course, actor=lead)
    past = EventFactory(course=event.course, start=timezone.now() - timedelta(days=1))
    with pytest.raises(BookingError, match=services.EVENT_NOT_BOOKABLE):
        services.bookings_move(bookings=three_booked, to_event=past, actor=lead)
    with pytest.raises(BookingError, match=services.MOVE_NOBODY):
        services.bookings_move(bookings=[], to_event=past, actor=lead)


def test_one_refusal_undoes_every_move_and_names_the_person(event, three_booked, lead):
    later = EventFactory(course=event.course, start=event.start + timedelta(days=7), capacity=5)
    already = three_booked[2]
    BookingFactory(event=later, person=already.person)  # already booked on the new date
    with pytest.raises(BookingError) as refused:
        services.bookings_move(bookings=three_booked, to_event=later, actor=lead)
    assert str(already.person) in refused.value.message
    assert "No one was moved" in refused.value.message
    assert Booking.objects.filter(event=event, status=S.CONFIRMED).count() == 3
    assert Booking.objects.filter(event=later).count() == 1
    assert not OutboundEmail.objects.filter(booking__event=later).exists()


# --- messages --------------------------------------------------------------------------------


def test_a_message_to_everyone_booked_owes_one_email_each_and_is_recorded(
    event, queue, lead, mailoutbox, django_capture_on_commit_callbacks
):
    booked = list(Booking.objects.filter(event=event, status=S.CONFIRMED))
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.event_message_send(
            event=event,
            audience=EventMessage.Audience.BOOKED,
            subject_line="  Room change ",
            body="We now meet in room 2.\r\nBring a pen.",
            actor=lead,
        )
    assert (sent.subject, sent.body, sent.recipients, sent.sent_by) == (
        "Room change",
        "We now meet in room 2.\nBring a pen.",
        2,
        lead,
    )
    rows = OutboundEmail.objects.filter(purpose=f"event-message-{sent.pk}")
    assert sorted(rows.values_list("booking_id", flat=True)) == sorted(b.pk for b in booked)
    assert set(rows.values_list("state", flat=True)) == {OutboundEmail.State.SENT}
    assert sorted(m.to[0] for m in mailoutbox) == sorted(b.person.email for b in booked)
    assert all(m.subject == "Room change" and "room 2" in m.body for m in mailoutbox)
    assert event.course.title in mailoutbox[0].body
    [listed] = selectors.event_messages(event)
    assert listed.counts == {"sent": 2, "waiting": 0, "failed": 0, "skipped": 0}


def test_a_message_to_the_waiting_list_goes_to_those_waiting_or_offered(event, queue, lead):
    Booking.objects.filter(pk=queue[0].pk).update(status=S.OFFERED)
    sent = services.event_message_send(
        event=event, audience="waiting", subject_line="Still waiting", body="Hang on.", actor=lead
    )
    rows = OutboundEmail.objects.filter(purpose=sent.purpose)
    assert sorted(rows.values_list("booking_id", flat=True)) == sorted(b.pk for b in queue)
    # A second message owes its own rows: the purpose carries the message's id.
    again = services.event_message_send(
        event=event, audience="waiting", subject_line="Still waiting", body="Hang on.", actor=lead
    )
    assert OutboundEmail.objects.filter(purpose=again.purpose).count() == 3
    counts = {m.pk: m.counts for m in selectors.event_messages(event)}
    assert counts[sent.pk]["waiting"] == 3


def test_the_page_counts_failed_and_pending_copies(event, queue, lead):
    sent = services.event_message_send(
        event=event, audience="waiting", subject_line="Hello", body="Text", actor=lead
    )
    rows = list(OutboundEmail.objects.filter(purpose=sent.purpose).order_by("id"))
    OutboundEmail.objects.filter(pk=rows[0].pk).update(state=OutboundEmail.State.SENT)
    OutboundEmail.objects.filter(pk=rows[1].pk).update(state=OutboundEmail.State.GIVEN_UP)
    [listed] = selectors.event_messages(event)
    assert listed.counts == {"sent": 1, "waiting": 1, "failed": 1, "skipped": 0}


@pytest.mark.parametrize(
    ("audience", "subject", "body", "field", "message"),
    [
        ("booked", "", "Text", "subject", services.MESSAGE_NO_SUBJECT),
        ("booked", "Hello", " \n\x07 ", "body", services.MESSAGE_NO_BODY),
        ("everyone", "Hello", "Text", "audience", "Choose who"),
    ],
)
def test_an_empty_message_is_refused(event, lead, audience, subject, body, field, message):
    BookingFactory(event=event)
    with pytest.raises(BookingError, match=message) as refused:
        services.event_message_send(
            event=event, audience=audience, subject_line=subject, body=body, actor=lead
        )
    assert refused.value.field == field
    assert not EventMessage.objects.exists() and not OutboundEmail.objects.exists()


def test_a_message_to_nobody_is_refused(event, lead):
    BookingFactory(event=event)
    with pytest.raises(BookingError, match=services.MESSAGE_NOBODY):
        services.event_message_send(
            event=event, audience="waiting", subject_line="Hello", body="Text", actor=lead
        )
    assert not EventMessage.objects.exists()
