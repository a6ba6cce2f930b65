"""The retention job anonymises people whose last activity is older than the retention period
(default six years), and nobody a day younger; it is scheduled once, daily."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from django_q.models import Schedule

from bookings.models import Booking
from people.models import User
from privacy import anonymise, retention, tasks
from tests.factories import BookingFactory, EventFactory, UserFactory
from tests.privacy.conftest import london

pytestmark = pytest.mark.django_db
LAST_EVENT_END = london(2022, 11, 14, 12, 30)


@pytest.fixture
def old_delegate(db):
    with time_machine.travel(london(2021, 3, 1, 9), tick=False):
        person = UserFactory(email="old.delegate@dudley.gov.uk", full_name="Olwen Oldfield")
        person.last_login = timezone.now()
        person.save()
    event = EventFactory(
        start=LAST_EVENT_END - timedelta(hours=3), end=LAST_EVENT_END, status="delivered"
    )
    BookingFactory(
        event=event,
        person=person,
        status=Booking.Status.ATTENDED,
        created_at=london(2022, 10, 1, 10),
    )
    return person


def test_the_default_retention_is_six_years(settings):
    del settings.PRIVACY_RETENTION_DAYS
    assert retention.retention_days() == 2192
    assert 6 * 365 + 1 <= retention.retention_days() <= 6 * 366


def test_last_activity_is_the_latest_booking_event_login_or_answer(old_delegate):
    person = retention.people_with_last_activity().get(pk=old_delegate.pk)
    assert person.last_activity == LAST_EVENT_END


SIX_YEARS = timedelta(days=2192)


@pytest.mark.parametrize(
    ("since_last_activity", "anonymised"),
    [
        (SIX_YEARS - timedelta(days=1), False),
        (SIX_YEARS, False),
        (SIX_YEARS + timedelta(minutes=1), True),
        (SIX_YEARS + timedelta(days=400), True),
    ],
)
def test_the_job_anonymises_only_past_the_boundary(
    old_delegate, settings, since_last_activity, anonymised
):
    settings.PRIVACY_RETENTION_DAYS = 2192
    with time_machine.travel(LAST_EVENT_END + since_last_activity, tick=False):
        done = tasks.anonymise_expired()
    old_delegate.refresh_from_db()
    assert anonymise.person_is_anonymised(old_delegate) is anonymised
    assert done == (1 if anonymised else 0)


def test_a_recent_login_keeps_a_person(old_delegate):
    later = LAST_EVENT_END + timedelta(days=2192 + 1)
    User.objects.filter(pk=old_delegate.pk).update(last_login=later - timedelta(days=30))
    with time_machine.travel(later, tick=False):
        assert tasks.anonymise_expired() == 0


def test_the_period_is_configurable_and_the_job_runs_twice_harmlessly(old_delegate, settings):
    settings.PRIVACY_RETENTION_DAYS = 365
    with time_machine.travel(LAST_EVENT_END + timedelta(days=366), tick=False):
        assert tasks.anonymise_expired() == 1
        assert tasks.anonymise_expired() == 0


def test_superusers_and_new_accounts_without_activity_are_kept(settings):
    settings.PRIVACY_RETENTION_DAYS = 30
    with time_machine.travel(london(2020, 1, 1, 9), tick=False):
        User.objects.create_superuser(email="root@example.org")
    UserFactory(email="new@dudley.gov.uk")
    assert retention.retention_run() == []


def test_the_job_is_scheduled_daily_by_a_migration():
    schedule = Schedule.objects.get(func="privacy.tasks.anonymise_expired")
    assert (schedule.schedule_type, schedule.repeats) == (Schedule.DAILY, -1)
