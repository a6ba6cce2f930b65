"""The registry of text columns that can hold someone's name or email (privacy.coverage): every
text column of every model is in it, or excluded with a reason; anonymising cleans the
registered columns in everyone's rows."""

import pytest

from courses.models import Event
from privacy import coverage
from privacy.anonymise import REDACTED, person_anonymise
from tests.privacy.conftest import EMAIL, NAME


def test_every_text_column_is_registered_as_personal_or_excluded_with_a_reason():
    assert coverage.unregistered_text_columns() == [], (
        "Add these to privacy/coverage.py: PERSONAL_TEXT if a name or email can stand in them "
        "(anonymising cleans them), else NOT_PERSONAL_TEXT with the reason"
    )
    assert all(reason.strip() for _, reason in coverage.NOT_PERSONAL_TEXT.values())


def test_a_text_column_missing_from_the_registry_is_reported(monkeypatch):
    # As if bookings.BookingLog had gained its free-text note today, unregistered.
    personal = {k: v for k, v in coverage.PERSONAL_TEXT.items() if k != "bookings.BookingLog"}
    monkeypatch.setattr(coverage, "PERSONAL_TEXT", personal)
    assert coverage.unregistered_text_columns() == ["bookings.BookingLog.note"]


def test_a_new_column_on_a_model_with_excluded_columns_is_reported(monkeypatch):
    # An excluded model's other columns do not cover a column it gains (e.g. an address).
    names, reason = coverage.NOT_PERSONAL_TEXT["evaluations.Invitation"]
    shorter = {**coverage.NOT_PERSONAL_TEXT, "evaluations.Invitation": (names[:-1], reason)}
    monkeypatch.setattr(coverage, "NOT_PERSONAL_TEXT", shorter)
    assert coverage.unregistered_text_columns() == [f"evaluations.Invitation.{names[-1]}"]


def test_the_registry_names_real_text_columns_each_once():
    columns = coverage.text_columns()
    registry = [
        *(f"{label}.{name}" for label, names in coverage.PERSONAL_TEXT.items() for name in names),
        *(
            f"{label}.{name}"
            for label, (names, _) in coverage.NOT_PERSONAL_TEXT.items()
            for name in names
        ),
    ]
    assert sorted(registry) == sorted(columns)


@pytest.mark.django_db
def test_anonymising_cleans_a_registered_column_outside_the_persons_own_records(world):
    event = Event.objects.filter(status=Event.Status.DELIVERED).first()
    event.joining_instructions = f"Ask for {NAME} ({EMAIL}) at reception."
    event.save(update_fields=["joining_instructions"])

    person_anonymise(person=world.person, actor=world.lead)

    event.refresh_from_db()
    assert event.joining_instructions == f"Ask for {REDACTED} ({REDACTED}) at reception."
