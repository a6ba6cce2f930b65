"""The audit trail: questionnaire and training needs survey changes, bulk register marks (one
entry per delegate), and logs nobody can edit or delete, trainers least of all."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from bookings import services as booking_services
from bookings.models import Booking, BookingLog
from competency import needs_services
from courses.models import PriorityArea
from evaluations.defaults import ensure_default_questionnaires
from evaluations.models import Item, Questionnaire, Stage
from evaluations.services import questionnaire_new_version
from people import roles
from people.models import OrganisationLog
from privacy.audit import audit_actor, current_actor
from privacy.middleware import AuditActorMiddleware
from privacy.models import AuditEntry
from tests.factories import BookingFactory, EventFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(db):
    return UserFactory(email="lee.lead@dudley.gov.uk", roles=[roles.LEAD], is_staff=True)


@pytest.fixture
def trainer(db):
    # Staff status too: the worst case, someone who can reach the admin at all.
    return UserFactory(email="tess.trainer@dudley.gov.uk", roles=[roles.TRAINER], is_staff=True)


def test_a_new_questionnaire_and_a_new_version_are_logged_with_who_and_before_after(
    lead, django_capture_on_commit_callbacks
):
    with audit_actor(lead), django_capture_on_commit_callbacks(execute=True):
        post = ensure_default_questionnaires()[Stage.POST]
    created = AuditEntry.objects.get(action="questionnaire.create", object_id=str(post.pk))
    assert created.actor == lead
    assert created.after["version"] == 1 and created.after["stage"] == "post"
    items = AuditEntry.objects.get(action="questionnaire.items", object_id=str(post.pk))
    assert len(items.after) == post.items.count()

    with audit_actor(lead), django_capture_on_commit_callbacks(execute=True):
        new = questionnaire_new_version(questionnaire=post)
    entry = AuditEntry.objects.get(action="questionnaire.create", object_id=str(new.pk))
    assert (entry.actor, entry.after["version"], entry.after["family"]) == (lead, 2, post.family)
    copied = AuditEntry.objects.get(action="questionnaire.items", object_id=str(new.pk))
    assert copied.after == items.after


def test_editing_a_questionnaire_or_an_item_logs_before_and_after(lead):
    questionnaire = Questionnaire.objects.create(name="Pilot", stage=Stage.PRE, family="pilot")
    item = Item.objects.create(questionnaire=questionnaire, text="Confidence?", kind="rating")
    with audit_actor(lead):
        questionnaire.intro = "Two minutes, please."
        questionnaire.save()
        item.text = "How confident are you?"
        item.save()
        item.delete()
    change = AuditEntry.objects.get(action="questionnaire.change")
    assert (change.before, change.after) == ({"intro": ""}, {"intro": "Two minutes, please."})
    item_change = AuditEntry.objects.get(action="questionnaire_item.change")
    assert item_change.before == {"text": "Confidence?"}
    assert item_change.after == {"text": "How confident are you?"}
    assert item_change.actor == lead
    assert AuditEntry.objects.filter(action="questionnaire_item.delete", actor=lead).exists()


def test_the_middleware_attributes_entries_to_the_signed_in_person(lead):
    request = RequestFactory().get("/")
    request.user = lead
    seen = []
    AuditActorMiddleware(lambda r: seen.append(current_actor()))(request)
    assert seen == [lead]
    assert current_actor() is None


def test_mark_all_present_on_thirty_delegates_writes_thirty_entries(lead):
    now = timezone.now()
    event = EventFactory(capacity=30, start=now - timedelta(hours=1), end=now + timedelta(hours=2))
    bookings = [BookingFactory(event=event) for _ in range(30)]
    marks = {b.pk: booking_services.Mark(status=Booking.Status.ATTENDED) for b in bookings}

    booking_services.register_save(event=event, actor=lead, marks=marks, now=now)

    entries = BookingLog.objects.filter(booking__event=event, action="attendance")
    assert entries.count() == 30
    assert {(e.actor_id, e.at, e.from_status, e.to_status) for e in entries} == {
        (lead.pk, now, "confirmed", "attended")
    }
    assert set(entries.values_list("booking_id", flat=True)) == {b.pk for b in bookings}


def test_trainers_have_no_permission_to_change_or_delete_log_entries(trainer, lead):
    for codename in ("change_bookinglog", "delete_bookinglog", "add_bookinglog"):
        assert not trainer.has_perm(f"bookings.{codename}")
    assert not Permission.objects.filter(
        group__name=roles.TRAINER, codename__in=["change_bookinglog", "delete_bookinglog"]
    ).exists()
    for codename in ("change_auditentry", "delete_auditentry"):
        assert not trainer.has_perm(f"privacy.{codename}")
        assert not lead.has_perm(f"privacy.{codename}")


@pytest.mark.parametrize("who", ["trainer", "lead", "superuser"])
def test_the_admin_refuses_to_edit_or_delete_log_entries(client, request, who):
    user = request.getfixturevalue(who)
    entry = BookingLog.objects.create(
        booking=BookingFactory(),
        actor=None,
        at=timezone.now(),
        action="book",
        to_status="confirmed",
    )
    audit = AuditEntry.objects.create(action="person.export", object_type="people.user")
    org_log = OrganisationLog.objects.create(action=OrganisationLog.Action.ACCEPTED, detail="x")
    client.force_login(user)
    for name, pk in (
        ("bookings_bookinglog", entry.pk),
        ("privacy_auditentry", audit.pk),
        ("people_organisationlog", org_log.pk),
    ):
        change = reverse(f"admin:{name}_change", args=[pk])
        delete = reverse(f"admin:{name}_delete", args=[pk])
        data = {"action": "tampered", "note": "tampered"}
        assert client.post(change, data, follow=True).status_code == 403
        assert client.post(delete, {"post": "yes"}, follow=True).status_code == 403
        assert client.get(reverse(f"admin:{name}_add"), follow=True).status_code == 403
    entry.refresh_from_db()
    assert (entry.action, entry.note) == ("book", "")
    assert AuditEntry.objects.filter(pk=audit.pk).exists()
    assert OrganisationLog.objects.filter(pk=org_log.pk, detail="x").exists()
    # A superuser may read the logs in the admin; nobody else reaches it at all.
    expected = 200 if who == "superuser" else 403
    listing = client.get(reverse("admin:bookings_bookinglog_changelist"), follow=True)
    assert listing.status_code == expected


def test_creating_and_editing_a_needs_survey_is_recorded_with_who_and_before_after(lead):
    neglect = PriorityArea.objects.create(name="Neglect")
    exploitation = PriorityArea.objects.create(name="Exploitation")
    today = timezone.localdate()
    survey = needs_services.needs_survey_create(
        actor=lead,
        title="Needs 2027",
        intro="",
        opens_on=today,
        closes_on=today + timedelta(days=30),
        topics={neglect: ["Recognising neglect", "Home visits"]},
    )
    created = AuditEntry.objects.get(action="needs_survey.create")
    assert (created.actor, created.object_type, created.object_id) == (
        lead,
        "competency.needssurvey",
        str(survey.pk),
    )
    assert created.object_repr == "Needs 2027"
    assert created.before == {}
    assert created.after == {
        "title": "Needs 2027",
        "intro": "",
        "opens_on": today.isoformat(),
        "closes_on": (today + timedelta(days=30)).isoformat(),
        "topics: Neglect": "Recognising neglect; Home visits",
    }

    needs_services.needs_survey_update(
        survey=survey,
        actor=lead,
        title="Needs 2027/28",
        intro="",
        closes_on=today + timedelta(days=40),
        topics={neglect: ["Recognising neglect"], exploitation: ["County lines"]},
    )
    changed = AuditEntry.objects.get(action="needs_survey.change")
    assert changed.actor == lead
    assert changed.before == {
        "title": "Needs 2027",
        "closes_on": (today + timedelta(days=30)).isoformat(),
        "topics: Neglect": "Recognising neglect; Home visits",
        "topics: Exploitation": "",
    }
    assert changed.after == {
        "title": "Needs 2027/28",
        "closes_on": (today + timedelta(days=40)).isoformat(),
        "topics: Neglect": "Recognising neglect",
        "topics: Exploitation": "County lines",
    }

    # Saving it again unchanged records nothing.
    needs_services.needs_survey_update(
        survey=survey,
        actor=lead,
        title="Needs 2027/28",
        intro="",
        closes_on=today + timedelta(days=40),
        topics={neglect: ["Recognising neglect"], exploitation: ["County lines"]},
    )
    assert AuditEntry.objects.filter(action__startswith="needs_survey").count() == 2
