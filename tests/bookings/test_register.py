from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from bookings import services
from bookings.models import Booking, BookingLog, CancellationReason
from bookings.services import BookingError, Mark
from courses.models import Event
from tests.factories import BookingFactory, EventFactory, UserFactory

pytestmark = pytest.mark.django_db
S = Booking.Status


@pytest.fixture
def today_event(db):
    start = timezone.now() - timedelta(hours=1)
    return EventFactory(start=start, end=start + timedelta(hours=3), capacity=40)


def test_register_marks_attended_partial_and_did_not_attend_with_reason(today_event, trainer):
    sick = CancellationReason.objects.create(label="Sickness")
    a, p, n = (BookingFactory(event=today_event) for _ in range(3))
    services.register_save(
        event=today_event,
        actor=trainer,
        marks={
            a.pk: Mark(S.ATTENDED),
            p.pk: Mark(S.PARTIAL),
            n.pk: Mark(S.NO_SHOW, reason_id=sick.pk),
        },
    )
    a.refresh_from_db()
    p.refresh_from_db()
    n.refresh_from_db()  # noqa: E702
    assert (a.status, p.status, n.status) == (S.ATTENDED, S.PARTIAL, S.NO_SHOW)
    assert n.non_attendance_reason == sick
    today_event.refresh_from_db()
    assert today_event.status == Event.Status.DELIVERED


def test_correction_is_logged_with_who_and_when(today_event, trainer, lead):
    booking = BookingFactory(event=today_event)
    services.register_save(event=today_event, actor=trainer, marks={booking.pk: Mark(S.NO_SHOW)})
    services.register_save(event=today_event, actor=lead, marks={booking.pk: Mark(S.ATTENDED)})
    log = list(BookingLog.objects.filter(booking=booking).order_by("id"))
    assert [(e.actor, e.from_status, e.to_status) for e in log] == [
        (trainer, S.CONFIRMED, S.NO_SHOW),
        (lead, S.NO_SHOW, S.ATTENDED),
    ]


def test_unchanged_marks_write_no_log(today_event, trainer):
    booking = BookingFactory(event=today_event)
    services.register_save(event=today_event, actor=trainer, marks={booking.pk: Mark(S.ATTENDED)})
    services.register_save(event=today_event, actor=trainer, marks={booking.pk: Mark(S.ATTENDED)})
    assert BookingLog.objects.filter(booking=booking).count() == 1


@pytest.mark.parametrize("status", [S.WAITLISTED, S.OFFERED, S.SUBSTITUTED, S.MOVED, S.CANCELLED])
def test_refused_transitions(today_event, trainer, status):
    booking = BookingFactory(event=today_event, status=status)
    with pytest.raises(BookingError, match="cannot be marked"):
        services.register_save(
            event=today_event, actor=trainer, marks={booking.pk: Mark(S.ATTENDED)}
        )
    booking.refresh_from_db()
    assert booking.status == status


def test_a_cancelled_booking_is_marked_attended_only_when_reinstated(today_event, trainer):
    booking = BookingFactory(event=today_event, status=S.CANCELLED)
    services.register_save(
        event=today_event, actor=trainer, marks={booking.pk: Mark(S.ATTENDED, reinstate=True)}
    )
    booking.refresh_from_db()
    assert booking.status == S.ATTENDED
    assert BookingLog.objects.get(booking=booking).action == "reinstate_and_mark"


def test_only_attendance_statuses_can_be_set(today_event, trainer):
    booking = BookingFactory(event=today_event)
    with pytest.raises(BookingError):
        services.register_save(
            event=today_event, actor=trainer, marks={booking.pk: Mark(S.CANCELLED)}
        )


def test_register_refuses_another_events_booking(today_event, trainer):
    stranger = BookingFactory()
    with pytest.raises(BookingError, match=services.NOT_ON_REGISTER):
        services.register_save(
            event=today_event, actor=trainer, marks={stranger.pk: Mark(S.ATTENDED)}
        )


def test_register_opens_on_the_day(trainer):
    event = EventFactory(start=timezone.now() + timedelta(days=3))
    booking = BookingFactory(event=event)
    with pytest.raises(BookingError, match=services.REGISTER_TOO_EARLY):
        services.register_save(event=event, actor=trainer, marks={booking.pk: Mark(S.ATTENDED)})


def test_walk_in_is_recorded_as_attended(today_event, trainer):
    person = UserFactory(full_name="Wanda Walkin")
    booking = services.register_add_walk_in(event=today_event, person=person, actor=trainer)
    assert booking.is_walk_in and booking.status == S.ATTENDED
    # Said to the trainer about the walk-in, not "You already have a place".
    with pytest.raises(BookingError) as error:
        services.register_add_walk_in(event=today_event, person=person, actor=trainer)
    assert error.value.message == (
        "Wanda Walkin already has a place or a waiting-list place on this event."
    )


def test_reinstating_a_cancelled_row_of_someone_who_booked_again_is_refused(today_event, trainer):
    person = UserFactory(full_name="Rebecca Rebook")
    old = BookingFactory(event=today_event, person=person, status=S.CANCELLED)
    current = BookingFactory(event=today_event, person=person)

    with pytest.raises(BookingError) as error:
        services.register_save(
            event=today_event,
            actor=trainer,
            marks={old.pk: Mark(S.ATTENDED, reinstate=True)},
        )

    assert error.value.message == services.REINSTATE_BOOKED_AGAIN.format(person="Rebecca Rebook")
    old.refresh_from_db()
    current.refresh_from_db()
    assert (old.status, current.status) == (S.CANCELLED, S.CONFIRMED)
    # Their current booking is the one to mark.
    services.register_save(event=today_event, actor=trainer, marks={current.pk: Mark(S.ATTENDED)})
    current.refresh_from_db()
    assert current.status == S.ATTENDED


def test_two_cancelled_rows_of_one_person_cannot_both_come_back(today_event, trainer):
    person = UserFactory()
    first, second = (
        BookingFactory(event=today_event, person=person, status=S.CANCELLED) for _ in range(2)
    )

    with pytest.raises(BookingError, match="booked again"):
        services.register_save(
            event=today_event,
            actor=trainer,
            marks={
                first.pk: Mark(S.ATTENDED, reinstate=True),
                second.pk: Mark(S.ATTENDED, reinstate=True),
            },
        )


def test_forty_delegates_save_in_one_call_with_bounded_queries(
    today_event, trainer, django_assert_max_num_queries
):
    few = EventFactory(start=today_event.start, end=today_event.end)
    few_bookings = [BookingFactory(event=few) for _ in range(3)]
    many = [BookingFactory(event=today_event) for _ in range(40)]
    with django_assert_max_num_queries(12) as ctx:
        services.register_save(
            event=few, actor=trainer, marks={b.pk: Mark(S.ATTENDED) for b in few_bookings}
        )
    with django_assert_max_num_queries(len(ctx.captured_queries)):
        changed = services.register_save(
            event=today_event, actor=trainer, marks={b.pk: Mark(S.ATTENDED) for b in many}
        )
    assert len(changed) == 40
    assert BookingLog.objects.filter(booking__event=today_event).count() == 40


def test_a_trainer_changes_the_register_only_until_the_window_after_the_event_closes(
    client, trainer, lead, settings
):
    """A trainer could add anyone as attended to an event of years ago (a certificate and
    compliance credit); after REGISTER_TRAINER_DAYS_AFTER days only the lead may amend it."""
    from django.urls import reverse

    settings.REGISTER_TRAINER_DAYS_AFTER = 14
    start = timezone.now() - timedelta(days=20)
    old = EventFactory(start=start, end=start + timedelta(hours=3), capacity=40)
    old.trainers.add(trainer)
    booking = BookingFactory(event=old)
    newcomer = UserFactory()
    last_day = services.register_trainer_last_day(old)
    closed = services.REGISTER_CLOSED_TO_TRAINERS.format(day=f"{last_day:%-d %B %Y}")
    with pytest.raises(BookingError) as caught:
        services.register_save(event=old, actor=trainer, marks={booking.pk: Mark(S.ATTENDED)})
    assert caught.value.message == closed
    with pytest.raises(BookingError):
        services.register_add_walk_in(event=old, person=newcomer, actor=trainer)
    assert not Booking.objects.filter(person=newcomer).exists()
    booking.refresh_from_db()
    assert booking.status == S.CONFIRMED
    # The trainer's page says so and offers no form; the lead still amends it.
    client.force_login(trainer)
    page = client.get(reverse("bookings:register", args=[old.pk])).content.decode()
    assert "This register closed to trainers" in page and "walk-in-email" not in page
    services.register_save(event=old, actor=lead, marks={booking.pk: Mark(S.ATTENDED)})
    services.register_add_walk_in(event=old, person=newcomer, actor=lead)
    # Within the window (the last day included) the trainer still can.
    recent = EventFactory(start=start, end=start + timedelta(hours=3), capacity=40)
    on_time = BookingFactory(event=recent)
    with time_machine.travel(services.register_trainer_deadline(recent) - timedelta(minutes=1)):
        services.register_save(event=recent, actor=trainer, marks={on_time.pk: Mark(S.ATTENDED)})
