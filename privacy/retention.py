"""The retention job: anonymise people whose last activity is older than the retention period."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import DateTimeField, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from bookings.models import Booking, BookingLog, Enrolment
from courses.models import Event
from evaluations.models import Response
from people.models import User
from privacy.anonymise import person_anonymise

DEFAULT_RETENTION_DAYS = 2192  # six years, leap days included
RETENTION_BATCH = 200  # people per run: the job runs daily, a backlog clears over a few days

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.get_fixed_timezone(0))


def retention_days() -> int:
    """How long after their last activity a person is kept (PRIVACY_RETENTION_DAYS)."""
    return int(getattr(settings, "PRIVACY_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


def people_with_last_activity():
    """People annotated with `last_activity`: the latest of joining, signing in, booking, the
    events they booked or trained on, e-learning, evaluation answers and audited actions."""

    def latest(queryset, field):
        return Coalesce(
            Subquery(queryset.order_by(f"-{field}").values(field)[:1]),
            Value(EPOCH),
            output_field=DateTimeField(),
        )

    person = OuterRef("pk")
    return User.objects.annotate(
        last_activity=Greatest(
            F("date_joined"),
            Coalesce(F("last_login"), Value(EPOCH), output_field=DateTimeField()),
            latest(Booking.objects.filter(person=person), "created_at"),
            latest(Booking.objects.filter(person=person), "event__end"),
            latest(Event.objects.filter(trainers=person), "end"),
            latest(Enrolment.objects.filter(person=person), "enrolled_at"),
            latest(Enrolment.objects.filter(person=person), "completed_at"),
            latest(Response.objects.filter(invitation__booking__person=person), "submitted_at"),
            latest(BookingLog.objects.filter(actor=person), "at"),
            output_field=DateTimeField(),
        )
    )


def people_due_for_anonymisation(*, now: datetime | None = None):
    """People whose last activity is more than the retention period ago, not yet anonymised."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=retention_days())
    return (
        people_with_last_activity()
        .filter(last_activity__lt=cutoff, is_superuser=False)
        .exclude(email__startswith="anonymised-", email__endswith="@invalid")
        .order_by("last_activity", "pk")
    )


def retention_run(*, now: datetime | None = None, limit: int = RETENTION_BATCH) -> list[int]:
    """Anonymise (each in its own transaction) up to `limit` people past the retention period."""
    done = []
    for pk in list(people_due_for_anonymisation(now=now).values_list("pk", flat=True)[:limit]):
        person = User.objects.get(pk=pk)
        person_anonymise(person=person, actor=None, reason="retention")
        done.append(pk)
    return done
