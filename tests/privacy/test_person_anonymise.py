"""Anonymising a person: no text column anywhere holds their name or email afterwards, and every
report figure is unchanged to the decimal."""

import json
from datetime import date

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.sessions.models import Session
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django_q.models import OrmQ, Task

from bookings.models import Booking
from evaluations.models import Answer
from people.models import User
from privacy import anonymise
from privacy.models import AuditEntry
from reports.report import report_build
from tests.privacy.conftest import EMAIL, NAME

pytestmark = pytest.mark.django_db


def _report() -> str:
    report = report_build(start=date(2022, 4, 1), end=date(2023, 3, 31))
    return json.dumps(report, sort_keys=True, cls=DjangoJSONEncoder, default=str)


def _hits_in_every_column(needles) -> list[str]:
    """Every table, every column (cast to text): where a needle still appears."""
    hits = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            for column in connection.introspection.get_table_description(cursor, table):
                for needle in needles:
                    cursor.execute(
                        f"SELECT COUNT(*) FROM {quote(table)} "
                        f"WHERE LOWER(CAST({quote(column.name)} AS TEXT)) LIKE %s",
                        [f"%{needle.lower()}%"],
                    )
                    if cursor.fetchone()[0]:
                        hits.append(f"{table}.{column.name}: {needle}")
    return hits


def _hits_in_encoded_columns(needles) -> list[str]:
    """Sessions and task arguments/results are encoded: decode them to look."""
    from django.contrib.sessions.backends.db import SessionStore
    from django_q.signing import SignedPackage

    texts = [
        ("session", json.dumps(SessionStore().decode(s.session_data)))
        for s in Session.objects.all()
    ]
    texts += [("task", repr((t.name, t.args, t.kwargs, t.result))) for t in Task.objects.all()]
    texts += [("ormq", repr(SignedPackage.loads(q.payload))) for q in OrmQ.objects.all()]
    return [f"{where}: {n}" for where, text in texts for n in needles if n.lower() in text.lower()]


def test_anonymised_person_is_nowhere_in_any_column_and_figures_do_not_change(world):
    needles = [NAME, EMAIL]
    assert _hits_in_every_column(needles), "the fixture must put the person in the database"
    assert _hits_in_encoded_columns(needles)
    before = _report()
    assert json.loads(before)["learning_gain"]["n_post"] > 0  # the figures are real ones

    anonymise.person_anonymise(person=world.person, actor=world.lead)

    assert _hits_in_every_column(needles) == []
    assert _hits_in_encoded_columns(needles) == []
    assert _report() == before


def test_the_account_is_closed_and_the_records_reports_count_stay(world):
    person = world.person
    ratings_before = sorted(Answer.objects.filter(rating__isnull=False).values_list("id", "rating"))
    statuses_before = sorted(Booking.objects.values_list("id", "status", "organisation_id"))

    anonymise.person_anonymise(person=person, actor=world.lead)

    person = User.objects.get(pk=person.pk)
    assert person.email == f"anonymised-{person.pk}@invalid"
    assert (person.full_name, person.job_title, person.is_active) == ("", "", False)
    assert not person.has_usable_password()
    assert not person.emailaddress_set.exists()
    assert not Session.objects.exists()  # both of theirs; nobody else had one
    for booking in Booking.objects.filter(person=person):
        assert booking.line_manager_name == booking.line_manager_email == ""
        assert booking.access_needs == booking.dietary_needs == booking.cancellation_detail == ""
    assert (
        not Answer.objects.filter(response__invitation__booking__person=person)
        .exclude(text="")
        .exists()
    )
    assert sorted(Answer.objects.filter(rating__isnull=False).values_list("id", "rating")) == (
        ratings_before
    )
    assert sorted(Booking.objects.values_list("id", "status", "organisation_id")) == statuses_before
    # Tasks hold ids: the one that only carried a booking id is kept, the failure naming them gone.
    assert list(Task.objects.values_list("name", flat=True)) == ["booking-email-1-confirmation"]
    admin_history = LogEntry.objects.filter(object_id=str(person.pk), content_type__model="user")
    assert [e.object_repr for e in admin_history] == ["User (anonymised)"]
    entry = AuditEntry.objects.get(action="person.anonymise")
    assert (entry.actor, entry.subject) == (world.lead, person)
    assert entry.object_repr == f"Person {person.pk}"


def test_other_peoples_text_is_left_alone(world):
    colleague_texts = sorted(
        Answer.objects.exclude(response__invitation__booking__person=world.person)
        .exclude(text="")
        .values_list("id", "text")
    )
    anonymise.person_anonymise(person=world.person, actor=world.lead)
    assert (
        sorted(
            Answer.objects.exclude(response__invitation__booking__person=world.person)
            .exclude(text="")
            .values_list("id", "text")
        )
        == colleague_texts
    )
    world.colleague_booking.refresh_from_db()
    assert world.colleague_booking.line_manager_email == ""


def test_a_person_is_anonymised_once_never_by_themselves_and_never_a_superuser(world):
    with pytest.raises(anonymise.PrivacyError, match=anonymise.CANNOT_ANONYMISE_SELF):
        anonymise.person_anonymise(person=world.lead, actor=world.lead)
    root = User.objects.create_superuser(email="root@example.org")
    with pytest.raises(anonymise.PrivacyError, match=anonymise.CANNOT_ANONYMISE_SUPERUSER):
        anonymise.person_anonymise(person=root, actor=world.lead)
    with pytest.raises(anonymise.PrivacyError, match=anonymise.CONFIRMATION_MISMATCH):
        anonymise.person_anonymise(person=world.person, actor=world.lead, confirm_email="x@y.z")
    anonymise.person_anonymise(person=world.person, actor=world.lead, confirm_email=EMAIL.upper())
    with pytest.raises(anonymise.PrivacyError, match=anonymise.ALREADY_ANONYMISED):
        anonymise.person_anonymise(person=world.person, actor=world.lead)
