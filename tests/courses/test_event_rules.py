"""The rules of a new or changed event (courses.services), and a series' dates."""

from datetime import date, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.clock import LONDON
from courses import services
from courses.models import Event
from courses.services import (
    EVENT_CAPACITY_ABOVE_MAX,
    EVENT_CAPACITY_ABOVE_VENUE,
    EVENT_IN_THE_PAST,
    EVENT_NOTICE_TOO_LONG,
    EVENT_ONLINE_NEEDS_LINK,
    EVENT_ORG_LIMIT_ABOVE_CAPACITY,
    EVENT_ORG_LIMIT_BELOW_ONE,
    EVENT_VENUE_RETIRED,
    event_copy_series,
    event_create,
    event_validate,
    event_warnings,
    series_slots,
)
from tests.factories import CourseFactory, EventFactory, UserFactory, VenueFactory

pytestmark = pytest.mark.django_db


def _new(**values) -> Event:
    start = values.pop("start", timezone.now() + timedelta(days=30))
    return Event(
        course=values.pop("course", None) or CourseFactory(),
        start=start,
        end=values.pop("end", start + timedelta(hours=3)),
        capacity=values.pop("capacity", 20),
        **values,
    )


def _errors(event, **kwargs) -> dict:
    with pytest.raises(ValidationError) as error:
        event_validate(event=event, **kwargs)
    return error.value.message_dict


def test_a_sound_new_event_passes():
    event_validate(event=_new())


def test_a_start_in_the_past_is_refused_unless_recording_history():
    event = _new(start=timezone.now() - timedelta(days=400))

    assert _errors(event) == {"start": [EVENT_IN_THE_PAST]}
    event_validate(event=event, recording_history=True)


def test_an_unchanged_past_start_may_still_be_edited():
    event = EventFactory(start=timezone.now() - timedelta(days=3))
    event.capacity = 25

    event_validate(event=event)
    event.start -= timedelta(days=1)
    assert _errors(event) == {"start": [EVENT_IN_THE_PAST]}


def test_capacity_above_the_sane_maximum_is_refused(settings):
    settings.EVENT_CAPACITY_MAX = 500

    assert _errors(_new(capacity=100_000)) == {
        "capacity": [EVENT_CAPACITY_ABOVE_MAX.format(most=500)]
    }
    event_validate(event=_new(capacity=500))


def test_capacity_above_the_venues_is_refused():
    hall = VenueFactory(name="Small room", capacity=12)

    assert _errors(_new(venue=hall, capacity=13)) == {
        "capacity": [EVENT_CAPACITY_ABOVE_VENUE.format(venue="Small room", most=12)]
    }
    event_validate(event=_new(venue=hall, capacity=12))


@pytest.mark.parametrize(
    ("limit", "message"),
    [(0, EVENT_ORG_LIMIT_BELOW_ONE), (21, EVENT_ORG_LIMIT_ABOVE_CAPACITY.format(capacity=20))],
)
def test_the_per_organisation_limit_is_between_one_and_the_capacity(limit, message):
    assert _errors(_new(places_per_organisation=limit)) == {"places_per_organisation": [message]}
    event_validate(event=_new(places_per_organisation=20))


def test_a_notice_period_over_the_maximum_is_refused():
    assert _errors(_new(notice_working_days=61)) == {
        "notice_working_days": [EVENT_NOTICE_TOO_LONG.format(most=60)]
    }
    event_validate(event=_new(notice_working_days=0))


def test_an_online_venue_needs_a_joining_link():
    teams = VenueFactory(name="Teams", is_online=True, address="")

    assert _errors(_new(venue=teams)) == {"joining_link": [EVENT_ONLINE_NEEDS_LINK]}
    event_validate(event=_new(venue=teams, joining_link="https://meet.example.org/1"))


def test_a_retired_venue_is_refused_for_a_new_event_but_kept_by_an_old_one():
    old = VenueFactory(name="Old hall")
    event = EventFactory(venue=old)
    old.is_active = False
    old.save()

    assert _errors(_new(venue=old)) == {"venue": [EVENT_VENUE_RETIRED]}
    event.capacity = 10
    event_validate(event=event)


def test_a_duplicate_start_of_the_same_course_is_a_warning_not_a_refusal():
    first = EventFactory()
    twin = _new(course=first.course, start=first.start)

    event_validate(event=twin)
    assert event_warnings(event=twin) == [
        services.WARNING_DUPLICATE.format(
            course=first.course.title, start=first.start.astimezone(LONDON)
        )
    ]
    assert (
        event_warnings(event=_new(course=first.course, start=first.start + timedelta(hours=1)))
        == []
    )
    assert event_warnings(event=first) == []  # itself is no duplicate


def test_a_cancelled_event_at_the_same_start_is_no_duplicate():
    first = EventFactory(status=Event.Status.CANCELLED)

    assert event_warnings(event=_new(course=first.course, start=first.start)) == []


def test_a_bank_holiday_is_a_warning():
    christmas = datetime(2030, 12, 25, 9, 30, tzinfo=LONDON)
    # 2030-08-26 is the summer bank holiday in England and Wales (not in Scotland).
    august = datetime(2030, 8, 26, 9, 30, tzinfo=LONDON)

    assert event_warnings(event=_new(start=christmas)) == [
        "Wednesday 25 December 2030 is a bank holiday in England and Wales"
    ]
    assert len(event_warnings(event=_new(start=august))) == 1
    assert event_warnings(event=_new(start=datetime(2030, 12, 27, 9, 30, tzinfo=LONDON))) == []


def test_event_create_saves_the_event_and_its_trainers_and_refuses_a_bad_one(trainer):
    event = event_create(event=_new(), trainers=[trainer])

    assert list(event.trainers.all()) == [trainer]
    with pytest.raises(ValidationError):
        event_create(event=_new(capacity=0))
    assert Event.objects.count() == 1


def test_series_slots_keep_the_london_time_across_a_clock_change():
    slots = series_slots(
        first_day=date(2030, 3, 19), start=time(9, 30), end=time(12, 30), every_weeks=2, count=3
    )

    assert [s.date() for s, _ in slots] == [date(2030, 3, 19), date(2030, 4, 2), date(2030, 4, 16)]
    assert {(s.astimezone(LONDON).time(), e.astimezone(LONDON).time()) for s, e in slots} == {
        (time(9, 30), time(12, 30))
    }
    # 31 March 2030 the clocks go forward: the UTC hour moves.
    assert slots[0][0].utcoffset() == timedelta(0)
    assert slots[1][0].utcoffset() == timedelta(hours=1)


def test_a_series_is_limited_in_length(settings):
    settings.EVENT_SERIES_MAX = 10

    with pytest.raises(ValidationError):
        series_slots(first_day=date(2030, 1, 1), start=time(9), end=time(10), count=11)


def test_a_series_copies_the_event_with_its_trainers():
    trainer = UserFactory()
    source = EventFactory(capacity=15, places_per_organisation=3)
    source.trainers.add(trainer)
    slots = series_slots(
        first_day=date(2030, 5, 7), start=time(10), end=time(13), every_weeks=2, count=6
    )

    copies = event_copy_series(source=source, slots=slots)

    assert len(copies) == 6
    for copy in copies:
        copy.refresh_from_db()
        assert (copy.course, copy.venue, copy.capacity, copy.places_per_organisation) == (
            source.course,
            source.venue,
            15,
            3,
        )
        assert list(copy.trainers.all()) == [trainer]


def test_a_series_with_one_refused_date_creates_none():
    source = EventFactory()
    today = timezone.localdate()
    slots = series_slots(
        first_day=today - timedelta(days=7), start=time(9), end=time(12), every_weeks=2, count=3
    )

    with pytest.raises(ValidationError) as error:
        event_copy_series(source=source, slots=slots)

    assert Event.objects.count() == 1
    assert len(error.value.messages) == 1
    assert EVENT_IN_THE_PAST in error.value.messages[0]
