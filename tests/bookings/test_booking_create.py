from datetime import timedelta

import pytest
from django.utils import timezone

from bookings import selectors, services
from bookings.models import Booking, BookingLog
from bookings.services import BookingDetails, BookingError
from courses.models import Event
from tests.factories import BookingFactory, CourseFactory, EventFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def test_booking_confirms_a_place_and_records_the_organisation_at_that_moment(event, make_person):
    person = make_person()
    booking = services.booking_create(event=event, person=person)
    assert booking.status == Booking.Status.CONFIRMED
    assert booking.organisation == person.organisation
    person.organisation = OrganisationFactory(name="New employer")
    person.save()
    booking.refresh_from_db()
    assert booking.organisation.name != "New employer"
    assert BookingLog.objects.filter(booking=booking, action="book").count() == 1


def test_full_event_puts_the_next_person_on_the_waiting_list_with_a_position(event, make_person):
    for _ in range(2):
        services.booking_create(event=event, person=make_person())
    third = services.booking_create(event=event, person=make_person())
    fourth = services.booking_create(event=event, person=make_person())
    assert third.status == fourth.status == Booking.Status.WAITLISTED
    assert selectors.waitlist_position(third) == 1
    assert selectors.waitlist_position(fourth) == 2


def test_full_event_refuses_when_the_person_does_not_want_the_waiting_list(event, make_person):
    for _ in range(2):
        services.booking_create(event=event, person=make_person())
    with pytest.raises(BookingError, match=services.EVENT_FULL):
        services.booking_create(event=event, person=make_person(), waitlist_if_full=False)


def test_one_booking_per_person_per_event(event, make_person):
    person = make_person()
    services.booking_create(event=event, person=person)
    with pytest.raises(BookingError, match=services.ALREADY_BOOKED):
        services.booking_create(event=event, person=person)
    assert Booking.objects.filter(event=event, person=person).count() == 1


def test_a_person_who_cancelled_may_book_again(event, make_person, reasons):
    person = make_person()
    booking = services.booking_create(event=event, person=person)
    services.booking_cancel(booking=booking, actor=person, reason=reasons["capacity"])
    again = services.booking_create(event=event, person=person)
    assert again.status == Booking.Status.CONFIRMED


@pytest.mark.parametrize(
    "status,message",
    [
        (Event.Status.CANCELLED, services.EVENT_CANCELLED),
        (Event.Status.DELIVERED, services.EVENT_NOT_BOOKABLE),
    ],
)
def test_only_scheduled_events_can_be_booked(make_person, status, message):
    event = EventFactory(status=status)
    with pytest.raises(BookingError, match=message):
        services.booking_create(event=event, person=make_person())


def test_an_event_that_has_started_cannot_be_booked(make_person):
    event = EventFactory(start=timezone.now() - timedelta(minutes=5))
    with pytest.raises(BookingError, match=services.EVENT_STARTED):
        services.booking_create(event=event, person=make_person())


def test_places_per_organisation_limit_is_enforced(make_person):
    event = EventFactory(capacity=10, places_per_organisation=1)
    org = OrganisationFactory(name="Big Agency")
    services.booking_create(event=event, person=make_person(organisation=org))
    with pytest.raises(BookingError, match=services.ORG_LIMIT_REACHED):
        services.booking_create(event=event, person=make_person(organisation=org))
    other = services.booking_create(event=event, person=make_person())
    assert other.status == Booking.Status.CONFIRMED


def test_prerequisite_course_must_have_been_attended(make_person):
    intro = CourseFactory(title="Introduction to neglect")
    advanced = CourseFactory(title="Graded Care Profile 2")
    advanced.prerequisites.add(intro)
    event = EventFactory(course=advanced)
    person = make_person()
    with pytest.raises(BookingError, match="Introduction to neglect"):
        services.booking_create(event=event, person=person)
    past = EventFactory(
        course=intro, start=timezone.now() - timedelta(days=30), status=Event.Status.DELIVERED
    )
    BookingFactory(event=past, person=person, status=Booking.Status.PARTIAL)
    with pytest.raises(BookingError, match="Introduction to neglect"):
        services.booking_create(event=event, person=person)  # partial attendance is not enough
    BookingFactory(
        event=EventFactory(
            course=intro, start=timezone.now() - timedelta(days=9), status=Event.Status.DELIVERED
        ),
        person=person,
        status=Booking.Status.ATTENDED,
    )
    assert services.booking_create(event=event, person=person).status == Booking.Status.CONFIRMED


def test_details_are_kept_and_dietary_needs_only_for_face_to_face(make_person):
    online = EventFactory(course=CourseFactory(delivery_mode="live_online"))
    details = BookingDetails(
        line_manager_name="Sam Boss",
        line_manager_email="sam@x.org",
        access_needs="Hearing loop",
        dietary_needs="Vegan",
    )
    booking = services.booking_create(event=online, person=make_person(), details=details)
    assert booking.line_manager_email == "sam@x.org"
    assert booking.access_needs == "Hearing loop"
    assert booking.dietary_needs == ""


def test_lead_books_on_someones_behalf(event, make_person, lead):
    person = make_person()
    booking = services.booking_create(event=event, person=person, booked_by=lead)
    assert booking.person == person and booking.booked_by == lead


def test_newcomers_queue_behind_the_waiting_list_when_capacity_grows(event, make_person):
    for _ in range(3):
        services.booking_create(event=event, person=make_person())
    Event.objects.filter(pk=event.pk).update(capacity=4)
    newcomer = services.booking_create(event=event, person=make_person())
    assert newcomer.status == Booking.Status.WAITLISTED


def test_booking_runs_in_a_bounded_number_of_queries(django_assert_max_num_queries, make_person):
    small = EventFactory(capacity=500)
    big = EventFactory(capacity=500)
    for _ in range(5):
        BookingFactory(event=small)
    for _ in range(60):
        BookingFactory(event=big)
    p1, p2 = make_person(), make_person()
    with django_assert_max_num_queries(18) as small_ctx:
        services.booking_create(event=small, person=p1)
    with django_assert_max_num_queries(len(small_ctx.captured_queries)):
        services.booking_create(event=big, person=p2)
