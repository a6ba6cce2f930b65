"""Who sees the reports: the L&D lead everything, an organisation manager their own organisation
only (whatever the address says), a practitioner or trainer nothing."""

import csv
import io

import pytest
from django.urls import reverse

from evaluations.models import Answer
from people import roles
from tests.factories import UserFactory

PERIOD = {"start": "2022-04-01", "end": "2023-03-31"}
LEAD_ONLY = ["reports:annual", "reports:annual_docx", "reports:quotes"]
REPORT_PAGES = ["reports:index", "reports:uptake", "reports:uptake_xlsx"]


def summary(client, **params):
    response = client.get(reverse("reports:uptake_csv", args=["summary"]), PERIOD | params)
    assert response.status_code == 200
    return {row[0]: row[1] for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig")))}


@pytest.fixture
def police_manager(data):
    return UserFactory(organisation=data.police, roles=[roles.ORG_MANAGER])


@pytest.mark.parametrize("name", REPORT_PAGES + LEAD_ONLY)
def test_a_practitioner_and_a_trainer_get_403(data, client, practitioner, trainer, name):
    for user in (practitioner, trainer):
        client.force_login(user)
        assert client.get(reverse(name), PERIOD).status_code == 403


@pytest.mark.parametrize("name", REPORT_PAGES + LEAD_ONLY)
def test_the_lead_gets_200(data, client, lead, name):
    client.force_login(lead)
    assert client.get(reverse(name), PERIOD).status_code == 200


def test_signed_out_visitors_are_sent_to_sign_in(db, client):
    response = client.get(reverse("reports:uptake"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


@pytest.mark.parametrize("name", LEAD_ONLY)
def test_an_organisation_manager_cannot_see_the_lead_only_pages(data, client, police_manager, name):
    client.force_login(police_manager)
    assert client.get(reverse(name), PERIOD).status_code == 403


def test_an_organisation_manager_without_an_organisation_gets_403(data, client):
    manager = UserFactory(organisation=None, roles=[roles.ORG_MANAGER])
    client.force_login(manager)
    assert client.get(reverse("reports:uptake"), PERIOD).status_code == 403


def test_an_organisation_manager_sees_only_their_organisation(data, client, lead, police_manager):
    client.force_login(lead)
    everyone = summary(client)
    assert everyone["Places used (attended + did not attend)"] == "8"

    client.force_login(police_manager)
    own = summary(client)
    assert own["Places used (attended + did not attend)"] == "3"
    assert own["Organisations among attendees"] == "1"
    # Asking for another organisation, or for a sector, changes nothing.
    assert summary(client, organisation=data.council.pk) == own
    assert summary(client, sector="local_authority") == own
    page = client.get(reverse("reports:uptake"), PERIOD | {"organisation": data.council.pk})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Training uptake: West Midlands Police" in html
    assert "Dudley Council" not in html


def test_an_organisation_manager_does_not_see_small_groups_evaluation_figures(
    data, client, police_manager
):
    client.force_login(police_manager)
    response = client.get(reverse("reports:uptake_csv", args=["evaluation_by_course"]), PERIOD)
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))[1:]
    assert rows and all(row[-1] == "Too few responses to show" for row in rows)
    assert all(cell == "" for row in rows for cell in row[1:-1])


def test_the_uptake_page_defaults_to_the_current_reporting_year(db, client, lead, time_machine):
    time_machine.move_to("2023-02-10 12:00 +00:00")
    client.force_login(lead)
    html = client.get(reverse("reports:uptake")).content.decode()
    assert 'value="2022-04-01"' in html and 'value="2023-03-31"' in html
    time_machine.move_to("2023-04-01 12:00 +01:00")
    client.force_login(lead)  # a fresh session: the old one timed out
    html = client.get(reverse("reports:uptake")).content.decode()
    assert 'value="2023-04-01"' in html and 'value="2024-03-31"' in html


def test_the_uptake_page_shows_tables_charts_with_text_alternatives_and_downloads(
    data, client, lead
):
    client.force_login(lead)
    html = client.get(reverse("reports:uptake"), PERIOD).content.decode()
    assert '<img src="data:image/svg+xml;base64,' in html
    assert (
        'alt="Bar chart: Places used and offered by priority area. Used: Exploitation 2, Neglect 6.'
        in html
    )
    assert '<table class="govuk-table' in html
    assert reverse("reports:uptake_xlsx") + "?start=2022-04-01" in html
    assert reverse("reports:uptake_csv", args=["by_priority"]) in html


def test_an_end_before_the_start_is_an_error_on_the_page(db, client, lead):
    client.force_login(lead)
    response = client.get(reverse("reports:uptake"), {"start": "2023-04-01", "end": "2023-03-31"})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert "The end date must be the same as or after the start date" in response.content.decode()
    bad = client.get(reverse("reports:uptake_xlsx"), {"start": "2023-04-01", "end": "2023-03-31"})
    assert bad.status_code == 400


def test_the_lead_marks_a_comment_publishable_and_it_appears_in_the_annual_section(
    data, client, lead
):
    client.force_login(lead)
    page = client.get(reverse("reports:quotes"), PERIOD).content.decode()
    assert "=cmd|" in page  # the unpublished comment is listed (escaped by the template)
    answer = Answer.objects.get(text__startswith="=cmd")
    response = client.post(
        reverse("reports:quote_mark", args=[answer.pk]),
        {"publishable": "1", "next": reverse("reports:quotes") + "?start=2022-04-01"},
    )
    assert response.status_code == 302
    answer.refresh_from_db()
    assert answer.is_publishable
    annual = client.get(reverse("reports:annual"), PERIOD).content.decode()
    assert "“=cmd|&#x27; /C calc&#x27;!A0”" in annual
    client.post(reverse("reports:quote_mark", args=[answer.pk]), {"publishable": "0"})
    answer.refresh_from_db()
    assert not answer.is_publishable


def test_marking_is_post_only_and_lead_only(data, client, lead, police_manager):
    answer = Answer.objects.get(text__startswith="=cmd")
    client.force_login(lead)
    assert client.get(reverse("reports:quote_mark", args=[answer.pk])).status_code == 405
    client.force_login(police_manager)
    response = client.post(reverse("reports:quote_mark", args=[answer.pk]), {"publishable": "1"})
    assert response.status_code == 403
    answer.refresh_from_db()
    assert not answer.is_publishable


def test_the_index_links_the_reports(db, client, lead):
    client.force_login(lead)
    html = client.get(reverse("reports:index")).content.decode()
    for name in ("reports:uptake", "reports:annual", "reports:quotes"):
        assert reverse(name) in html


@pytest.mark.parametrize(
    "period",
    [{"start": "9990-01-01", "end": "9999-12-31"}, {"start": "0001-01-01", "end": "0001-12-31"}],
)
def test_a_period_outside_the_years_the_app_works_with_is_an_error_not_a_crash(
    db, client, lead, period
):
    """Year 9999 and year 1 ran out of Python's calendar (a London midnight, the period before)
    and answered 500 on every report page and download."""
    client.force_login(lead)
    page = client.get(reverse("reports:uptake"), period)
    assert page.status_code == 200
    assert "Enter a date between the years 2000 and 2100" in page.content.decode()
    for name, args in [
        ("reports:uptake_xlsx", []),
        ("reports:uptake_csv", ["summary"]),
        ("reports:annual_docx", []),
    ]:
        assert client.get(reverse(name, args=args), period).status_code == 400, name
    for name in ("reports:annual", "reports:quotes"):
        assert client.get(reverse(name), period).status_code in (200, 400), name
