"""The report loads its data in a fixed number of queries, however many events and bookings."""

from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bookings.models import Booking
from core.clock import LONDON
from courses.models import Event
from evaluations.models import Stage
from reports.report import report_build
from reports.selectors import ReportFilters
from tests.factories import (
    BookingFactory,
    CourseFactory,
    EventFactory,
    OrganisationFactory,
    UserFactory,
)
from tests.reports.dataset import answer

START, END = date(2022, 4, 1), date(2023, 3, 31)
REPORT_QUERIES = 7  # events, bookings, e-learning, evaluation bookings and responses, areas,
# and stage 2 from delegates and line managers (evaluations.impact)


def grow(events: int, bookings_each: int):
    """Add delivered events with attended, no-show and cancelled bookings and answers."""
    organisations = [OrganisationFactory() for _ in range(3)]
    for i in range(events):
        start = datetime(2022, 5, 2, 9, 30, tzinfo=LONDON) + timedelta(days=7 * i)
        event = EventFactory(
            course=CourseFactory(), start=start, end=start + timedelta(hours=3),
            capacity=bookings_each + 2, status=Event.Status.DELIVERED,
        )  # fmt: skip
        for j in range(bookings_each):
            org = organisations[j % 3]
            status = [Booking.Status.ATTENDED, Booking.Status.NO_SHOW, Booking.Status.CANCELLED][
                j % 3
            ]
            booking = BookingFactory(
                event=event, person=UserFactory(organisation=org), status=status,
                created_at=start - timedelta(days=9),
            )  # fmt: skip
            if status != Booking.Status.CANCELLED:
                answer(booking, Stage.PRE, 3)


@pytest.mark.parametrize("filters", [ReportFilters(), ReportFilters(sector="local_authority")])
def test_the_report_takes_the_same_few_queries_for_small_and_larger_data(
    db, django_assert_max_num_queries, filters
):
    grow(1, 3)
    with django_assert_max_num_queries(REPORT_QUERIES):
        small = report_build(start=START, end=END, filters=filters)
    grow(8, 9)
    with django_assert_max_num_queries(REPORT_QUERIES):
        large = report_build(start=START, end=END, filters=filters)
    assert large["events"]["delivered"] == small["events"]["delivered"] + 8


def test_the_uptake_page_and_xlsx_take_the_same_number_of_queries_at_two_sizes(
    db, client, lead, settings
):
    # Charts are cached in the database cache by default; a memory cache here keeps the count
    # about the report's own reads (how many charts have data varies with the data set).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    client.force_login(lead)
    client.get(reverse("bookings:my_training"))  # a session's first page records its start
    params = {"start": "2022-04-01", "end": "2023-03-31"}
    counts = []
    for events, bookings_each in ((1, 3), (8, 9)):
        grow(events, bookings_each)
        for name in ("reports:uptake", "reports:uptake_xlsx"):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(reverse(name), params).status_code == 200
            counts.append((name, len(queries)))
    assert counts[0] == counts[2]
    assert counts[1] == counts[3]
