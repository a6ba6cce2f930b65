"""courses.signals.event_published: sent once per event that practitioners can now book, after
the commit (apps that react, such as the demand notification, enqueue work that reads the event)."""

from datetime import datetime, time, timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from core.clock import LONDON
from courses.models import Event
from courses.services import event_copy_series, event_create, series_slots
from courses.signals import event_published
from tests.factories import CourseFactory, VenueFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def published():
    seen = []

    def receiver(sender, event, **kwargs):
        seen.append(event.pk)

    event_published.connect(receiver, dispatch_uid="test-published")
    yield seen
    event_published.disconnect(dispatch_uid="test-published")


def _event(status=Event.Status.SCHEDULED, days=40):
    day = (timezone.now() + timedelta(days=days)).astimezone(LONDON).date()
    return Event(
        course=CourseFactory(),
        venue=VenueFactory(capacity=30),
        start=datetime.combine(day, time(9, 30), tzinfo=LONDON),
        end=datetime.combine(day, time(12, 30), tzinfo=LONDON),
        capacity=20,
        status=status,
    )


def test_a_new_scheduled_event_is_announced_once_after_the_commit(
    published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        event = event_create(event=_event())
        assert published == []  # not before the commit
    assert published == [event.pk] and len(callbacks) == 1


def test_a_draft_is_not_announced(published, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        event_create(event=_event(status=Event.Status.DRAFT))
    assert published == []


def test_history_is_not_announced(published, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        event_create(event=_event(days=-40), recording_history=True)
    assert published == []


def test_each_date_of_a_series_is_announced(published, django_capture_on_commit_callbacks):
    source = _event()
    source.save()
    first = source.start.astimezone(LONDON).date() + timedelta(weeks=1)
    slots = series_slots(first_day=first, start=time(9, 30), end=time(12, 30), count=3)
    with django_capture_on_commit_callbacks(execute=True):
        copies = event_copy_series(source=source, slots=slots)
    assert published == [c.pk for c in copies]


def test_nothing_is_announced_when_the_transaction_rolls_back(
    published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            event_create(event=_event())
            raise RuntimeError("the caller fails after saving")
    assert published == []
