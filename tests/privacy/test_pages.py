"""The privacy notice (public, linked from every page) and the L&D lead's request pages."""

import io
import json
import zipfile

import pytest
from django.urls import reverse
from django.utils.html import escape

from people.models import User
from privacy import anonymise
from privacy.models import AuditEntry
from tests.privacy.conftest import EMAIL, NAME

pytestmark = pytest.mark.django_db


def test_the_notice_is_public_linked_from_the_footer_and_states_basis_and_retention(client):
    response = client.get(reverse("privacy:notice"))
    assert response.status_code == 200
    text = response.content.decode()
    for phrase in (
        "data controller",
        "6(1)(e)",
        "6(1)(c)",
        "Working Together to Safeguard Children 2023",
        "legitimate interests",
        "6 years after your last activity",
        "subject access request",
        "Information Commissioner",
    ):
        assert phrase in text, phrase
    catalogue = client.get(reverse("courses:catalogue")).content.decode()
    assert f'href="{reverse("privacy:notice")}"' in catalogue


def test_the_notice_follows_the_configured_retention(client, settings):
    settings.PRIVACY_RETENTION_DAYS = 3 * 365 + 1
    page = client.get(reverse("privacy:notice")).content.decode()
    assert "3 years after your last activity" in page


@pytest.mark.parametrize("name", ["privacy:person_find", "privacy:export", "privacy:anonymise"])
def test_request_pages_are_for_the_lead_only(client, world, name):
    args = [] if name == "privacy:person_find" else [world.person.pk]
    url = reverse(name, args=args)
    assert client.get(url).status_code == 403  # `client` is signed in as the person
    client.logout()
    assert client.get(url).status_code == 302
    client.force_login(world.lead)
    assert client.get(url).status_code == 200


def test_the_lead_finds_a_person_and_downloads_their_data_as_json_and_zip(client, world):
    client.force_login(world.lead)
    found = client.get(reverse("privacy:person_find"), {"email": EMAIL.upper()})
    assert reverse("privacy:export", args=[world.person.pk]) in found.content.decode()

    url = reverse("privacy:export", args=[world.person.pk])
    download = client.post(url, {"format": "json"})
    assert download["Content-Type"] == "application/json"
    assert "attachment" in download["Content-Disposition"]
    assert json.loads(download.content)["sections"]["people.User"][0]["full_name"] == NAME

    archive = zipfile.ZipFile(io.BytesIO(client.post(url, {"format": "zip"}).content))
    assert {"subject-access.json", "bookings.Booking.csv", "evaluations.Answer.csv"} <= set(
        archive.namelist()
    )
    exports = AuditEntry.objects.filter(action="person.export", subject=world.person)
    assert [e.after["format"] for e in exports.order_by("id")] == ["json", "zip"]
    assert {e.actor for e in exports} == {world.lead}


def test_anonymising_needs_the_email_typed_to_confirm(client, world):
    client.force_login(world.lead)
    url = reverse("privacy:anonymise", args=[world.person.pk])
    wrong = client.post(url, {"confirm_email": "someone@else.org"})
    assert wrong.status_code == 200
    assert escape(anonymise.CONFIRMATION_MISMATCH) in wrong.content.decode()
    assert User.objects.get(pk=world.person.pk).email == EMAIL

    done = client.post(url, {"confirm_email": EMAIL})
    assert done.status_code == 302
    assert anonymise.person_is_anonymised(User.objects.get(pk=world.person.pk))


def test_the_export_command_writes_a_zip(world, tmp_path):
    from django.core.management import call_command

    out = tmp_path / "sar.zip"
    call_command("subject_access_export", EMAIL, "--zip", "--output", str(out))
    assert "subject-access.json" in zipfile.ZipFile(out).namelist()
