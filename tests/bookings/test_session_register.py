"""Attendance per session, "Mark all attended", needs on the register and the printed sheet."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from bookings import services
from bookings.certificates import certificate_hours
from bookings.models import Booking, BookingLog, SessionAttendance
from bookings.selectors import register_needs_summary
from bookings.services import Mark
from courses.services import event_sessions_set
from people import roles
from tests.factories import BookingFactory, EventFactory, UserFactory

pytestmark = pytest.mark.django_db
S = Booking.Status


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def two_sessions(trainer, *, second_in_days: int = 0):
    """Session 1 yesterday (3 hours), session 2 today or later (2 hours)."""
    now = timezone.now().replace(microsecond=0)
    first = now - timedelta(hours=26)
    second = now - timedelta(hours=1) + timedelta(days=second_in_days)
    event = EventFactory(start=first, end=first + timedelta(hours=3), capacity=40)
    event_sessions_set(
        event, [(first, first + timedelta(hours=3)), (second, second + timedelta(hours=2))]
    )
    event.refresh_from_db()
    event.trainers.add(trainer)
    return event, list(event.sessions.order_by("order"))


@pytest.fixture
def multi(trainer):
    return two_sessions(trainer)


@pytest.fixture
def today_event(trainer):
    start = timezone.now() - timedelta(hours=1)
    event = EventFactory(start=start, end=start + timedelta(hours=3), capacity=60)
    event.trainers.add(trainer)
    return event


def save(event, actor, marks, **kwargs):
    return services.register_save(event=event, actor=actor, marks=marks, **kwargs)


# --- the status follows the sessions ---------------------------------------------------------


@pytest.mark.parametrize(
    ("present", "status"),
    [((True, True), S.ATTENDED), ((True, False), S.PARTIAL), ((False, False), S.NO_SHOW)],
)
def test_status_follows_the_sessions(multi, trainer, present, status):
    event, (one, two) = multi
    booking = BookingFactory(event=event)
    save(event, trainer, {booking.pk: Mark(sessions={one.pk: present[0], two.pk: present[1]})})
    booking.refresh_from_db()
    assert booking.status == status
    assert booking.attendance_marked_at is not None
    rows = SessionAttendance.objects.filter(booking=booking)
    marks = dict(rows.values_list("session", "present"))
    assert marks == {one.pk: present[0], two.pk: present[1]}


def test_the_status_waits_until_every_session_is_marked(multi, trainer):
    event, (one, two) = multi
    booking = BookingFactory(event=event)
    save(event, trainer, {booking.pk: Mark(sessions={one.pk: True})})
    booking.refresh_from_db()
    assert booking.status == S.CONFIRMED
    save(event, trainer, {booking.pk: Mark(sessions={two.pk: False})})
    booking.refresh_from_db()
    assert booking.status == S.PARTIAL
    # A change is logged with the sessions it changed.
    notes = list(BookingLog.objects.filter(booking=booking).values_list("note", flat=True))
    assert notes == ["session 1 present", "session 2 absent"]


def test_a_later_sessions_column_opens_on_its_day(trainer):
    event, (one, two) = two_sessions(trainer, second_in_days=2)
    booking = BookingFactory(event=event)
    with pytest.raises(services.BookingError) as caught:
        save(event, trainer, {booking.pk: Mark(sessions={one.pk: True, two.pk: True})})
    assert caught.value.message == services.SESSION_TOO_EARLY.format(order=2)
    assert not SessionAttendance.objects.exists()


def test_a_session_of_another_event_is_refused(multi, trainer):
    event, _sessions = multi
    _other, (foreign, _two) = two_sessions(trainer)
    booking = BookingFactory(event=event)
    with pytest.raises(services.BookingError) as caught:
        save(event, trainer, {booking.pk: Mark(sessions={foreign.pk: True})})
    assert caught.value.message == services.SESSION_NOT_OF_EVENT


def test_reinstating_on_a_multi_session_event_needs_every_session(multi, trainer):
    event, (one, two) = multi
    booking = BookingFactory(event=event, status=S.CANCELLED, cancelled_at=timezone.now())
    with pytest.raises(services.BookingError):
        save(event, trainer, {booking.pk: Mark(reinstate=True, sessions={one.pk: True})})
    save(event, trainer, {booking.pk: Mark(reinstate=True, sessions={one.pk: True, two.pk: True})})
    booking.refresh_from_db()
    assert booking.status == S.ATTENDED


def test_a_walk_in_is_present_at_the_sessions_held_so_far(trainer):
    event, (one, two) = two_sessions(trainer, second_in_days=2)
    walk_in = services.register_add_walk_in(event=event, person=UserFactory(), actor=trainer)
    assert walk_in.status == S.CONFIRMED  # session 2 is still to come
    assert list(SessionAttendance.objects.values_list("session", "present")) == [(one.pk, True)]


# --- certificates and hours -------------------------------------------------------------------


def test_the_certificate_counts_the_sessions_attended(
    settings, client, multi, trainer, practitioner
):
    settings.EVAL_CERTIFICATE_NEEDS_POST = False  # the gate is tested in tests/evaluations
    event, (one, two) = multi
    booking = BookingFactory(event=event, person=practitioner)
    save(event, trainer, {booking.pk: Mark(sessions={one.pk: True, two.pk: True})})
    booking.refresh_from_db()
    assert certificate_hours(booking) == timedelta(hours=5)  # 3 + 2, not first start to last end
    client.force_login(practitioner)
    page = client.get(reverse("bookings:certificate", args=[booking.pk])).content.decode()
    assert "5 hours" in page


def test_partial_attendance_earns_no_certificate_and_counts_only_its_sessions(
    client, multi, trainer, practitioner
):
    event, (one, two) = multi
    booking = BookingFactory(event=event, person=practitioner)
    save(event, trainer, {booking.pk: Mark(sessions={one.pk: False, two.pk: True})})
    booking.refresh_from_db()
    assert booking.status == S.PARTIAL
    assert certificate_hours(booking) == timedelta(hours=2)
    client.force_login(practitioner)
    assert client.get(reverse("bookings:certificate", args=[booking.pk])).status_code == 404


# --- "Mark all attended" ----------------------------------------------------------------------


def test_mark_all_marks_everyone_not_yet_marked_and_keeps_the_exceptions(
    client, today_event, trainer
):
    came = [BookingFactory(event=today_event) for _ in range(3)]
    absent = BookingFactory(event=today_event, status=S.NO_SHOW)
    cancelled = BookingFactory(event=today_event, status=S.CANCELLED, cancelled_at=timezone.now())
    exception = BookingFactory(event=today_event)
    client.force_login(trainer)
    url = reverse("bookings:register", args=[today_event.pk])
    assert "Mark all attended" in client.get(url).content.decode()
    # The exception chosen in the same form wins over "mark all".
    response = client.post(url, {"mark_all": "1", f"status-{exception.pk}": S.PARTIAL})
    assert response.status_code == 302
    statuses = dict(Booking.objects.values_list("pk", "status"))
    assert [statuses[b.pk] for b in came] == [S.ATTENDED] * 3
    assert statuses[absent.pk] == S.NO_SHOW
    assert statuses[cancelled.pk] == S.CANCELLED
    assert statuses[exception.pk] == S.PARTIAL


def test_mark_all_then_the_exceptions_on_a_multi_session_event(client, multi, trainer):
    event, (one, two) = multi
    bookings = [BookingFactory(event=event) for _ in range(3)]
    client.force_login(trainer)
    url = reverse("bookings:register", args=[event.pk])
    page = client.get(url).content.decode()
    assert "Session 1" in page and "Session 2" in page  # a column per session
    assert client.post(url, {"mark_all": "1"}).status_code == 302
    assert SessionAttendance.objects.filter(present=True).count() == 6
    assert set(Booking.objects.values_list("status", flat=True)) == {S.ATTENDED}
    # The exception: the first delegate missed session 2.
    assert client.post(url, {f"session-{bookings[0].pk}-{two.pk}": "absent"}).status_code == 302
    statuses = dict(Booking.objects.values_list("pk", "status"))
    assert [statuses[b.pk] for b in bookings] == [S.PARTIAL, S.ATTENDED, S.ATTENDED]


def test_mark_all_on_a_multi_session_event_marks_only_the_sessions_held(trainer):
    event, (one, two) = two_sessions(trainer, second_in_days=3)
    booking = BookingFactory(event=event)
    save(event, trainer, {}, mark_rest_attended=True)
    marks = list(SessionAttendance.objects.values_list("booking", "session", "present"))
    assert marks == [(booking.pk, one.pk, True)]
    booking.refresh_from_db()
    assert booking.status == S.CONFIRMED


def test_only_the_events_trainers_and_the_lead_may_mark_all(
    client, today_event, trainer, lead, practitioner
):
    booking = BookingFactory(event=today_event)
    url = reverse("bookings:register", args=[today_event.pk])
    for outsider in (UserFactory(roles=[roles.TRAINER]), practitioner):
        client.force_login(outsider)
        assert client.post(url, {"mark_all": "1"}).status_code == 404
        printed = client.get(reverse("bookings:register_print", args=[today_event.pk]))
        assert printed.status_code == 404
    booking.refresh_from_db()
    assert booking.status == S.CONFIRMED
    client.force_login(lead)
    assert client.post(url, {"mark_all": "1"}).status_code == 302
    booking.refresh_from_db()
    assert booking.status == S.ATTENDED


# --- needs reach the trainer ------------------------------------------------------------------


def test_needs_show_on_the_register_and_the_printed_sheet(client, today_event, trainer):
    needy = BookingFactory(
        event=today_event, access_needs="British Sign Language interpreter", dietary_needs="Halal"
    )
    also = BookingFactory(event=today_event, dietary_needs="halal")
    BookingFactory(event=today_event)
    client.force_login(trainer)
    page = client.get(reverse("bookings:register", args=[today_event.pk])).content.decode()
    assert "British Sign Language interpreter" in page and "Halal" in page
    printed = client.get(reverse("bookings:register_print", args=[today_event.pk]))
    sheet = printed.content.decode()
    assert "British Sign Language interpreter" in sheet
    # The summary for the caterers and the interpreters.
    assert "Food for 3: 1 with no dietary needs; 2 Halal" in sheet
    assert escape(needy.person.get_full_name()) in sheet
    assert escape(also.person.get_full_name()) in sheet
    assert "css/print.css" in sheet and "<style" not in sheet


def test_the_needs_summary_groups_the_same_need_and_counts_the_rest(today_event):
    bookings = [
        BookingFactory(event=today_event, dietary_needs="Vegetarian"),
        BookingFactory(event=today_event, dietary_needs=" vegetarian."),
        BookingFactory(event=today_event, dietary_needs="Nut allergy", access_needs="Step-free"),
        BookingFactory(event=today_event),
    ]
    summary = register_needs_summary(bookings)
    assert summary["people"] == 4
    assert summary["no_dietary_needs"] == 1
    assert [(need, len(names)) for need, names in summary["dietary"]] == [
        ("Vegetarian", 2),
        ("Nut allergy", 1),
    ]
    assert summary["access"] == [("Step-free", [bookings[2].person.get_full_name()])]


def test_the_booking_form_asks_what_the_trainer_should_know(client, practitioner):
    event = EventFactory()
    client.force_login(practitioner)
    page = client.get(reverse("bookings:book", args=[event.pk])).content.decode()
    assert "Anything the trainer should know" in page
