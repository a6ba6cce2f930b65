"""The subject access export covers every model that holds a person's records: a new model that
points at a person (or at a booking, response... of theirs) fails this test until it is exported
or excluded with a reason in privacy/coverage.py."""

import json

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model

from competency.models import NeedsSurvey
from privacy.anonymise import person_anonymise
from privacy.coverage import COVERED, EXCLUDED
from privacy.export import subject_access_export
from tests.privacy.conftest import EMAIL, NAME

pytestmark = pytest.mark.django_db


def _points_at(model, targets) -> bool:
    return any(
        f.is_relation and f.concrete and f.related_model in targets
        for f in model._meta.get_fields()
    )


def models_holding_a_persons_records() -> set[str]:
    """The user model, models relating to it, and (transitively) models relating to those."""
    found = {get_user_model()}
    while True:
        more = {
            m
            for m in apps.get_models(include_auto_created=False)
            if m not in found and _points_at(m, found)
        }
        if not more:
            return {m._meta.label for m in found}
        found |= more


def test_every_model_holding_a_persons_records_is_exported_or_excluded_with_a_reason():
    holding = models_holding_a_persons_records()
    assert {"people.User", "bookings.Booking", "evaluations.Answer"} <= holding
    missing = sorted(holding - set(COVERED) - set(EXCLUDED))
    assert missing == [], f"Export these, or exclude them in privacy/coverage.py: {missing}"
    assert all(reason.strip() for reason in [*COVERED.values(), *EXCLUDED.values()])


def test_the_export_has_a_section_for_every_covered_model_with_the_persons_rows(world):
    export = subject_access_export(world.person)
    assert set(export["sections"]) == set(COVERED)
    empty = sorted(label for label, rows in export["sections"].items() if not rows)
    # privacy.AuditEntry gains the person's rows once they are exported or anonymised.
    assert empty == ["privacy.AuditEntry"]
    text = json.dumps(export, default=str)
    assert EMAIL in text and NAME in text


def test_the_export_holds_bookings_with_their_history_answers_with_questions_and_emails(world):
    sections = subject_access_export(world.person)["sections"]
    attended = next(b for b in sections["bookings.Booking"] if b["status"] == "Attended")
    assert [(e["action"], e["by"]) for e in attended["log"]] == [
        ("book", "you"),
        ("attendance", "a member of staff"),
    ]
    assert attended["line_manager_email"] == "morag.f@dudley.gov.uk"
    questions = {a["question"] for a in sections["evaluations.Answer"]}
    assert "What do you hope to learn?" in questions
    # six about bookings, and the needs survey's invitation (an email about no booking)
    assert len(sections["messaging.OutboundEmail"]) == 7
    assert [e["purpose"] for e in sections["messaging.OutboundEmail"] if not e["booking_id"]] == [
        f"needs-survey-{NeedsSurvey.objects.get().pk}"
    ]
    assert sections["competency.NeedsAnswer"][0]["confidence"] == 2
    assert {e["recipient"] for e in sections["messaging.OutboundEmail"]} == {"you", "line_manager"}
    assert sections["account.EmailAddress"] == [{"email": EMAIL, "verified": True, "primary": True}]
    # Staff who acted on the person's records are not named in the person's export.
    assert "lee.lead@dudley.gov.uk" not in json.dumps(sections, default=str)


def test_an_anonymised_persons_export_holds_nothing_that_identifies_them(world):
    person_anonymise(person=world.person, actor=world.lead)
    world.person.refresh_from_db()
    export = subject_access_export(world.person)
    text = json.dumps(export, default=str).lower()
    assert EMAIL not in text and NAME.lower() not in text
    assert [e["action"] for e in export["sections"]["privacy.AuditEntry"]] == ["person.anonymise"]


def test_a_bookings_presence_at_each_session_is_in_its_row(db):
    from datetime import timedelta

    from django.utils import timezone

    from bookings import services as booking_services
    from courses.services import event_sessions_set
    from tests.factories import BookingFactory, EventFactory

    first = timezone.now().replace(microsecond=0) - timedelta(hours=30)
    second = first + timedelta(hours=26)
    event = EventFactory(start=first, end=first + timedelta(hours=2))
    event_sessions_set(
        event, [(first, first + timedelta(hours=2)), (second, second + timedelta(hours=2))]
    )
    booking = BookingFactory(event=event)
    one, two = event.sessions.order_by("order")
    booking_services.register_save(
        event=event,
        actor=None,
        marks={booking.pk: booking_services.Mark(sessions={one.pk: True, two.pk: False})},
    )
    [row] = subject_access_export(booking.person)["sections"]["bookings.Booking"]
    assert row["status"] == "Partially attended"
    assert [(s["session"], s["present"]) for s in row["sessions"]] == [(1, True), (2, False)]
