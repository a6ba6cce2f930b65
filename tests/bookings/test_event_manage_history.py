"""Each delegate's booking history on the lead's event page: a GOV.UK details listing their
BookingLog entries (when, what, by whom in words), read in a fixed number of queries."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bookings import services
from bookings.models import BookingLog
from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def _history(html: str, booking_id: int) -> str:
    found = re.search(
        rf'<details[^>]*data-booking-history="{booking_id}".*?</details>', html, flags=re.S
    )
    assert found, f"no history for booking {booking_id}"
    return found.group(0)


def test_each_delegate_has_their_history_with_who_did_it(client, lead, trainer):
    event = EventFactory(capacity=5, start=timezone.now() + timedelta(days=20))
    own = services.booking_create(
        event=event, person=UserFactory(full_name="Pat Person", email="pat@dudley.gov.uk")
    )
    for_them = services.booking_create(
        event=event,
        person=UserFactory(full_name="Bo Booked", email="bo@dudley.gov.uk"),
        booked_by=lead,
    )
    now = timezone.now()
    BookingLog.objects.create(
        booking=own, actor=None, at=now, action="event_updated", note="changed: venue"
    )
    BookingLog.objects.create(booking=own, actor=trainer, at=now, action="attendance")
    client.force_login(lead)
    html = client.get(reverse("event_manage:page", args=[event.pk])).content.decode()

    mine = _history(html, own.pk)
    assert "govuk-details__summary" in mine and "History" in mine
    assert "Booked" in mine and "Pat Person (the delegate)" in mine
    assert "Sent the event&#x27;s new details" in mine and "(changed: venue)" in mine
    assert "by The system" in mine
    assert f"{trainer.get_full_name()} (trainer)" in mine
    theirs = _history(html, for_them.pk)
    assert f"{lead.get_full_name()} (L&amp;D lead)" in theirs
    assert "Pat Person" not in theirs
    # Oldest first: the booking before the later changes.
    assert mine.index("Booked") < mine.index("by The system")


def _page_queries(client, event) -> int:
    url = reverse("event_manage:page", args=[event.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_history_does_not_add_queries_per_delegate(
    client, lead, trainer, django_assert_max_num_queries
):
    event = EventFactory(capacity=40, start=timezone.now() + timedelta(days=20))
    client.force_login(lead)

    def add(count):
        for _ in range(count):
            booking = services.booking_create(event=event, person=UserFactory(), booked_by=lead)
            BookingLog.objects.create(
                booking=booking, actor=trainer, at=timezone.now(), action="offer"
            )

    add(2)
    few = _page_queries(client, event)
    add(10)
    many = _page_queries(client, event)
    assert many == few
    with django_assert_max_num_queries(27):
        html = client.get(reverse("event_manage:page", args=[event.pk])).content.decode()
    assert html.count('data-booking-history="') == 12
