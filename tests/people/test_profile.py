from django.urls import reverse

from people.forms import CHOOSE_ORGANISATION

PROFILE = reverse("people:profile")


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(PROFILE)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_person_edits_name_job_title_and_organisation(client, practitioner, police):
    client.force_login(practitioner)
    page = client.get(PROFILE)
    assert page.status_code == 200
    assert f'<option value="{practitioner.organisation.pk}" selected>' in page.content.decode()

    response = client.post(
        PROFILE,
        {"full_name": "Pat Newname", "job_title": "Team manager", "organisation": police.pk},
    )

    assert response.status_code == 302
    practitioner.refresh_from_db()
    assert (practitioner.full_name, practitioner.job_title) == ("Pat Newname", "Team manager")
    assert practitioner.organisation == police


def test_person_types_an_organisation_that_is_not_listed(client, practitioner):
    client.force_login(practitioner)

    client.post(
        PROFILE,
        {
            "full_name": "Pat",
            "job_title": "Nurse",
            "organisation": "other",
            "organisation_name": "Black Country Hospice",
        },
    )

    practitioner.refresh_from_db()
    assert practitioner.organisation.name == "Black Country Hospice"
    assert practitioner.organisation.is_partner is False


def test_profile_needs_an_organisation(client, practitioner):
    client.force_login(practitioner)
    before = practitioner.organisation

    response = client.post(PROFILE, {"full_name": "Pat", "job_title": "Nurse", "organisation": ""})

    assert response.status_code == 200
    assert '<a href="#id_organisation">' in response.content.decode()
    assert CHOOSE_ORGANISATION.split("‘")[0] in response.content.decode()
    practitioner.refresh_from_db()
    assert practitioner.organisation == before
