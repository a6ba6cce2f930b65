"""An organisation manager cannot widen their own scope: their organisation is set by the L&D
lead (recorded in the audit trail), and moving themselves on the profile page is refused."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from people import roles
from people.models import User
from privacy.models import AuditEntry
from tests.factories import UserFactory

PERIOD = {"start": "2022-04-01", "end": "2023-03-31"}


@pytest.fixture
def police_manager(data):
    return UserFactory(organisation=data.police, roles=[roles.ORG_MANAGER])


def _what_the_manager_sees(client) -> dict[str, str]:
    csv_text = client.get(
        reverse("reports:uptake_csv", args=["by_organisation"]), PERIOD
    ).content.decode()
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("reports:uptake_xlsx"), PERIOD).content)
    )
    xlsx_text = " ".join(
        str(cell)
        for ws in book.worksheets
        for row in ws.iter_rows(values_only=True)
        for cell in row
    )
    return {
        "report": client.get(reverse("reports:uptake"), PERIOD).content.decode(),
        "csv": "\n".join(",".join(row) for row in csv.reader(io.StringIO(csv_text))),
        "xlsx": xlsx_text,
        "charges": client.get(reverse("reports:charges"), PERIOD).content.decode(),
    }


def test_a_manager_changing_organisation_on_their_profile_is_refused(
    data, client, police_manager, settings
):
    settings.CHARGE_NO_SHOW = 50
    client.force_login(police_manager)
    page = client.get(reverse("people:profile")).content.decode()
    assert 'name="organisation"' not in page
    assert "sets it while you hold a role" in page
    response = client.post(
        reverse("people:profile"),
        {
            "full_name": "Polly Manager",
            "job_title": "Manager",
            "organisation": str(data.council.pk),
            "organisation_name": "",
        },
    )
    assert response.status_code == 302  # the name and title are saved...
    police_manager.refresh_from_db()
    assert police_manager.full_name == "Polly Manager"
    assert police_manager.organisation == data.police  # ...the organisation is not
    seen = _what_the_manager_sees(client)
    for view, text in seen.items():
        assert "West Midlands Police" in text, view
        assert "Dudley Council" not in text, view


def test_a_manager_cannot_move_to_a_typed_in_organisation_either(data, client, police_manager):
    client.force_login(police_manager)
    client.post(
        reverse("people:profile"),
        {
            "full_name": "Polly Manager",
            "job_title": "Manager",
            "organisation": "other",
            "organisation_name": "Dudley Council",
        },
    )
    police_manager.refresh_from_db()
    assert police_manager.organisation == data.police


def test_a_practitioner_still_changes_their_own_organisation(data, client):
    person = UserFactory(organisation=data.police)
    client.force_login(person)
    client.post(
        reverse("people:profile"),
        {"full_name": "Pat", "job_title": "Nurse", "organisation": str(data.council.pk)},
    )
    person.refresh_from_db()
    assert person.organisation == data.council


def test_a_superuser_moving_a_manager_is_in_the_audit_trail(
    data, client, superuser, police_manager
):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:people_user_change", args=[police_manager.pk]),
        {
            "email": police_manager.email,
            "full_name": police_manager.full_name,
            "job_title": police_manager.job_title,
            "organisation": data.council.pk,
            "is_active": "on",
            "groups": [g.pk for g in police_manager.groups.all()],
            "date_joined_0": "2025-01-01",
            "date_joined_1": "09:00:00",
        },
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="person.organisation", object_id=str(police_manager.pk))
    assert entry.actor == superuser
    assert entry.before["organisation"] == "West Midlands Police"
    assert entry.after["organisation"] == "Dudley Council"
    assert User.objects.get(pk=police_manager.pk).organisation == data.council


def test_giving_a_role_is_in_the_audit_trail(data, client, lead):
    person = UserFactory(organisation=data.police)
    from people.services import person_set_roles
    from privacy.audit import audit_actor

    with audit_actor(lead):
        person_set_roles(person=person, roles=[roles.ORG_MANAGER])
    entry = AuditEntry.objects.get(action="person.roles", object_id=str(person.pk))
    assert entry.actor == lead
    assert entry.after["added"] == roles.ORG_MANAGER


def test_the_service_refuses_a_role_holder_moving_themselves(data, police_manager):
    from people.services import ORGANISATION_SET_BY_LEAD, PersonError, person_update_profile

    with pytest.raises(PersonError, match=ORGANISATION_SET_BY_LEAD[:40]):
        person_update_profile(
            person=police_manager, full_name="P", job_title="M", organisation=data.council
        )
    police_manager.refresh_from_db()
    assert police_manager.organisation == data.police
