"""report_frames' reads: times as UTC instants; the organisation of rows recording none."""

from datetime import date, datetime, timedelta

import pandas as pd
import pytest

from bookings.models import Booking, Enrolment
from core.clock import LONDON
from courses.models import Course, Event
from reports.selectors import ReportFilters, report_frames
from tests.factories import (
    BookingFactory,
    CourseFactory,
    EventFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

START, END = date(2022, 4, 1), date(2023, 3, 31)


def test_event_and_completion_times_are_the_stored_instants_to_the_microsecond():
    start = datetime(2022, 6, 15, 9, 30, 12, 345678, tzinfo=LONDON)  # BST: 08:30 UTC
    event = EventFactory(start=start, end=start + timedelta(hours=3), status=Event.Status.DELIVERED)
    module = CourseFactory(delivery_mode=Course.DeliveryMode.ELEARNING)
    completed = datetime(2023, 1, 10, 23, 59, 59, 999999, tzinfo=LONDON)  # GMT
    Enrolment.objects.create(
        course=module, person=UserFactory(), organisation=None,
        enrolled_at=completed - timedelta(days=2), completed_at=completed,
    )  # fmt: skip

    frames = report_frames(start=START, end=END)

    row = frames.events.set_index("event_id").loc[event.pk]
    assert row["start"] == pd.Timestamp(start)
    assert row["end"] == pd.Timestamp(start + timedelta(hours=3))
    assert str(frames.events["start"].dtype) == "datetime64[us, UTC]"
    assert row["day"] == date(2022, 6, 15)
    assert frames.enrolments["completed_at"].tolist() == [pd.Timestamp(completed)]
    assert frames.enrolments["day"].tolist() == [date(2023, 1, 10)]


def test_a_booking_or_completion_without_an_organisation_counts_under_the_delegates():
    own, delegates = OrganisationFactory(sector="police"), OrganisationFactory(sector="health")
    event = EventFactory(
        start=datetime(2022, 7, 1, 9, 30, tzinfo=LONDON), status=Event.Status.DELIVERED
    )
    recorded = BookingFactory(event=event, person=UserFactory(organisation=delegates),
                              organisation=own, status=Booking.Status.ATTENDED)  # fmt: skip
    unrecorded = BookingFactory(event=event, person=UserFactory(organisation=delegates),
                                organisation=None, status=Booking.Status.ATTENDED)  # fmt: skip
    nowhere = BookingFactory(event=event, person=UserFactory(organisation=None),
                             organisation=None, status=Booking.Status.ATTENDED)  # fmt: skip
    module = CourseFactory(delivery_mode=Course.DeliveryMode.ELEARNING)
    Enrolment.objects.create(
        course=module, person=UserFactory(organisation=delegates), organisation=None,
        enrolled_at=event.start, completed_at=event.start + timedelta(days=1),
    )  # fmt: skip

    frames = report_frames(start=START, end=END)

    bookings = frames.bookings.set_index("booking_id")
    assert bookings.loc[recorded.pk, ["organisation_id", "sector"]].tolist() == [own.pk, "police"]
    assert bookings.loc[unrecorded.pk, ["organisation_id", "sector"]].tolist() == [
        delegates.pk, "health"
    ]  # fmt: skip
    assert bookings.loc[nowhere.pk, ["organisation_id", "organisation"]].isna().all()
    # The evaluation bookings keep the booking's own organisation.
    own_ids = frames.eval_bookings.set_index("booking_id")["organisation_id"]
    assert own_ids.loc[recorded.pk] == own.pk and pd.isna(own_ids.loc[unrecorded.pk])
    assert frames.enrolments[["organisation_id", "sector"]].values.tolist() == [
        [delegates.pk, "health"]
    ]  # fmt: skip
    health = report_frames(start=START, end=END, filters=ReportFilters(sector="health"))
    assert sorted(health.bookings["booking_id"]) == [unrecorded.pk]
    assert len(health.enrolments) == 1
