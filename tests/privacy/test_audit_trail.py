"""The L&D lead's audit trail (/manage/audit/): who changed what and when, newest first, filtered,
50 a page, as CSV; for the lead alone, in a constant number of queries."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from competency import needs_services
from courses.models import PriorityArea
from privacy import trail
from privacy.anonymise import person_anonymise
from privacy.forms import DATES_REVERSED
from privacy.models import AuditEntry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/manage/audit/"


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def entry(**fields) -> AuditEntry:
    fields.setdefault("action", "questionnaire.change")
    fields.setdefault("object_type", "evaluations.questionnaire")
    fields.setdefault("object_id", "7")
    fields.setdefault("object_repr", "Post-course evaluation (v2)")
    return AuditEntry.objects.create(**fields)


@pytest.fixture
def signed_in(client, lead):
    # Giving the lead their role is itself an entry: start each test from an empty trail.
    AuditEntry.objects.all().delete()
    client.force_login(lead)
    return client


def rows_of(response) -> list:
    return response.context["rows"]


def test_the_url_is_under_manage_and_the_manage_page_links_to_it(signed_in):
    assert reverse("audit:trail") == URL
    manage = signed_in.get(reverse("courses:manage")).content.decode()
    assert f'href="{URL}"' in manage
    assert "Audit trail" in manage


def test_entries_are_listed_newest_first_with_when_in_london_who_what_and_the_change(
    signed_in, lead
):
    lead.full_name = "Lee Lead"
    lead.save()
    entry(
        at=utc(2026, 1, 10, 9, 5),
        actor=None,
        action="person.roles",
        object_type="people.user",
        object_id="12",
        object_repr="Person 12",
        before={"removed": ""},
        after={"added": "Trainer", "roles": "Trainer"},
    )
    entry(
        at=utc(2026, 7, 1, 12, 30),  # British Summer Time: 13:30 in London
        actor=lead,
        before={"intro": "", "is_current": False, "version": 1},
        after={"intro": "Two minutes, please.", "is_current": True, "version": 1},
    )

    response = signed_in.get(URL)

    assert response.status_code == 200
    newest, oldest = rows_of(response)
    assert (newest.who, newest.action, newest.kind, newest.record) == (
        "Lee Lead",
        "Questionnaire changed",
        "Questionnaire",
        "Post-course evaluation (v2)",
    )
    # Only the fields that differ; JSON values shown plainly.
    assert [str(c) for c in newest.changes] == [
        "intro: — → Two minutes, please.",
        "is current: No → Yes",
    ]
    assert (oldest.who, oldest.action, oldest.kind) == ("System", "Roles changed", "Person")
    assert [str(c) for c in oldest.changes] == ["added: — → Trainer", "roles: — → Trainer"]
    page = response.content.decode()
    assert "1 Jul 2026, 13:30" in page and "10 Jan 2026, 09:05" in page
    assert page.index("Questionnaire changed") < page.index("Roles changed")
    assert "Two minutes, please." in page and "System" in page


def test_an_anonymised_actor_is_named_by_number_only(signed_in, lead):
    former = UserFactory(full_name="Zebedee Quintrell", email="zeb@dudley.gov.uk")
    entry(actor=former)
    person_anonymise(person=former, actor=lead, reason="request", confirm_email=former.email)

    response = signed_in.get(URL, {"action": "questionnaire.change"})

    assert [r.who for r in rows_of(response)] == [f"Person {former.pk} (anonymised)"]


def test_long_values_are_cut_with_an_ellipsis_on_the_page_and_kept_whole_in_the_csv(signed_in):
    long_text = "Tell us how confident you feel about safeguarding. " * 6
    entry(before={"intro": ""}, after={"intro": long_text})

    row = rows_of(signed_in.get(URL))[0]
    shown = row.changes[0].after
    assert shown.endswith("…") and len(shown) == trail.VALUE_SHOWN_MAX
    assert long_text.strip() not in signed_in.get(URL).content.decode()

    download = signed_in.get(URL, {"format": "csv"}).content.decode("utf-8-sig")
    changes = list(csv.DictReader(io.StringIO(download)))[0]["Changes"]
    assert changes == f"intro: — → {long_text.strip()}"


def test_the_filters_narrow_by_kind_action_who_record_and_london_days(signed_in, lead):
    colleague = UserFactory(full_name="Colin Colleague")
    questionnaire = entry(actor=lead, at=utc(2026, 6, 30, 23, 30))  # 1 July, 00:30 in London
    person = entry(
        actor=colleague,
        action="person.organisation",
        object_type="people.user",
        object_repr="Person 5",
        at=utc(2026, 7, 2, 9),
    )
    system = entry(
        actor=None,
        action="person.anonymise",
        object_type="people.user",
        object_repr="Person 6",
        at=utc(2026, 6, 30, 22, 59),  # 30 June, 23:59 in London
    )

    def found(**params) -> list[int]:
        response = signed_in.get(URL, params)
        assert response.status_code == 200, response.context["form"].errors
        return [r.entry.pk for r in rows_of(response)]

    assert found() == [person.pk, questionnaire.pk, system.pk]
    assert found(object_type="people.user") == [person.pk, system.pk]
    assert found(action="person.anonymise") == [system.pk]
    assert found(actor=colleague.pk) == [person.pk]
    assert found(actor="null") == [system.pk]
    assert found(record="person 5") == [person.pk]
    # Days are London's: an entry at 23:30 UTC on 30 June is on 1 July, one at 22:59 is not.
    assert found(start="2026-07-01", end="2026-07-01") == [questionnaire.pk]
    assert found(start="01/07/2026") == [person.pk, questionnaire.pk]
    assert found(end="30/06/2026") == [system.pk]
    assert found(object_type="people.user", start="2026-07-02") == [person.pk]


def test_the_filter_choices_are_what_the_trail_holds_with_readable_labels(signed_in, lead):
    entry(actor=lead)
    entry(action="email.resend", object_type="messaging.outboundemail", object_repr="reminder")
    form = signed_in.get(URL).context["form"]

    assert list(form.fields["object_type"].choices) == [
        ("", "All kinds of record"),
        ("messaging.outboundemail", "Email"),
        ("evaluations.questionnaire", "Questionnaire"),
    ]
    assert list(form.fields["action"].choices) == [
        ("", "All actions"),
        ("email.resend", "Email sent again"),
        ("questionnaire.change", "Questionnaire changed"),
    ]
    actors = [label for _, label in form.fields["actor"].choices]
    assert actors == ["Anyone", "System (nobody signed in)", lead.full_name]


@pytest.mark.parametrize(
    "params, field, message",
    [
        ({"start": "31/02/2026"}, "start", "Enter the from date as a real date"),
        ({"end": "next tuesday"}, "end", "Enter the to date as a real date"),
        ({"start": "0001-01-01"}, "start", "between the years 2000 and 2100"),
        ({"end": "9999-12-31"}, "end", "between the years 2000 and 2100"),
        ({"start": "2026-07-02", "end": "2026-07-01"}, "end", DATES_REVERSED),
    ],
)
def test_bad_dates_are_errors_on_their_field_with_an_error_summary(
    signed_in, lead, params, field, message
):
    entry(actor=lead, at=utc(2026, 7, 1, 9))

    response = signed_in.get(URL, params)

    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    page = response.content.decode()
    assert "govuk-error-summary" in page and f'href="#id_{field}"' in page
    assert f'id="id_{field}-error"' in page
    assert "<title>Error: Audit trail" in page
    assert response.context["rows"] == []  # nothing listed for filters that make no sense
    # ... nor downloaded: the page again, with its errors.
    download = signed_in.get(URL, {**params, "format": "csv"})
    assert download.status_code == 400 and download["Content-Type"].startswith("text/html")


def test_fifty_a_page_with_govuk_pagination_that_keeps_the_filters(signed_in, lead):
    start = utc(2026, 3, 1, 9)
    AuditEntry.objects.bulk_create(
        AuditEntry(
            at=start + timedelta(minutes=i),
            actor=lead,
            action="questionnaire.change",
            object_type="evaluations.questionnaire",
            object_repr=f"Questionnaire {i}",
        )
        for i in range(120)
    )
    entry(action="email.resend", object_type="messaging.outboundemail", at=start)

    first = signed_in.get(URL, {"action": "questionnaire.change"})
    assert [r.record for r in rows_of(first)] == [f"Questionnaire {i}" for i in range(119, 69, -1)]
    page = first.content.decode()
    assert "120 entries match your filters" in page
    assert 'class="govuk-pagination"' in page
    assert 'href="?action=questionnaire.change&amp;page=2" rel="next"' in page

    last = signed_in.get(URL, {"action": "questionnaire.change", "page": "3"})
    assert [r.record for r in rows_of(last)] == [f"Questionnaire {i}" for i in range(19, -1, -1)]
    assert "(page 3 of 3)" in last.content.decode()
    # A page past the end shows the last; nonsense shows the first.
    assert rows_of(signed_in.get(URL, {"page": "99"}))[-1].record == "Questionnaire 0"
    assert rows_of(signed_in.get(URL, {"page": "x"}))[0].record == "Questionnaire 119"


def test_the_csv_holds_the_filtered_entries_with_a_bom_crlf_and_formulas_escaped(signed_in, lead):
    lead.full_name = "Lee Lead"
    lead.save()
    entry(
        actor=lead,
        at=utc(2026, 7, 1, 12, 30),
        object_id="44",
        object_repr='=HYPERLINK("http://evil.example")',
        before={"name": "Old", "stage": "post"},
        after={"name": "+New", "stage": "post"},
    )
    entry(actor=None, action="email.resend", object_type="messaging.outboundemail")

    response = signed_in.get(URL, {"format": "csv", "action": "questionnaire.change"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-trail_')
    raw = response.content.decode("utf-8")
    assert raw.startswith("\ufeff")
    assert raw.split("\r\n")[0] == (
        "\ufeffWhen (UK time),Who,Action,Kind of record,Record,Record id,Changes"
    )
    rows = list(csv.reader(io.StringIO(raw.removeprefix("\ufeff"), newline="")))
    assert rows[1:] == [
        [
            "2026-07-01 13:30:00",
            "Lee Lead",
            "Questionnaire changed",
            "Questionnaire",
            '\'=HYPERLINK("http://evil.example")',
            "44",
            "name: Old → +New",
        ]
    ]


def test_the_csv_of_the_whole_trail_puts_each_change_on_its_own_line(signed_in):
    entry(before={"a": 1, "b": "x"}, after={"a": 2, "b": "y"})
    raw = signed_in.get(URL, {"format": "csv"}).content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(raw, newline="")))
    assert [r["Changes"] for r in rows] == ["a: 1 → 2\nb: x → y"]
    assert [r["Who"] for r in rows] == ["System"]


def test_only_the_lead_sees_the_trail(client, lead, practitioner, trainer, org_manager):
    for who in (practitioner, trainer, org_manager):
        client.force_login(who)
        assert client.get(URL).status_code == 403
        assert client.get(URL, {"format": "csv"}).status_code == 403
    client.logout()
    assert client.get(URL)["Location"].startswith(reverse("account_login"))
    client.force_login(lead)
    assert client.get(URL).status_code == 200
    assert client.get(URL, {"format": "xlsx"}).status_code == 404


def _queries(client, params=None) -> int:
    client.get(URL, params or {})  # the first request of a session loads more (not the page's)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, params or {})
    assert response.status_code == 200
    return len(queries)


def test_a_page_takes_the_same_number_of_queries_for_5_entries_as_for_60_by_60_people(signed_in):
    def add(count: int) -> None:
        for i in range(count):
            entry(actor=UserFactory(), before={"n": i}, after={"n": i + 1})

    add(5)
    few = _queries(signed_in)
    few_filtered = _queries(signed_in, {"object_type": "evaluations.questionnaire"})
    add(55)
    assert len(rows_of(signed_in.get(URL))) == 50
    assert _queries(signed_in) == few
    assert _queries(signed_in, {"object_type": "evaluations.questionnaire"}) == few_filtered
    assert few <= 12


def test_the_csv_takes_the_same_number_of_queries_however_many_people_acted(signed_in):
    def csv_queries() -> int:
        signed_in.get(URL)
        with CaptureQueriesContext(connection) as queries:
            assert signed_in.get(URL, {"format": "csv"}).status_code == 200
        return len(queries)

    entry(actor=UserFactory())
    few = csv_queries()
    for _ in range(30):
        entry(actor=UserFactory())
    assert csv_queries() == few


# --- training needs surveys are in the trail -------------------------------------------------


@pytest.fixture
def areas(db):
    return (
        PriorityArea.objects.create(name="Neglect"),
        PriorityArea.objects.create(name="Exploitation"),
    )


def test_the_lead_editing_a_survey_on_its_page_is_in_the_trail(signed_in, lead, areas):
    neglect, _ = areas
    today = timezone.localdate()
    survey = needs_services.needs_survey_create(
        actor=lead,
        title="Needs 2027",
        intro="",
        opens_on=today,
        closes_on=today + timedelta(days=30),
        topics={neglect: ["Recognising neglect"]},
    )
    response = signed_in.post(
        reverse("needs:edit", args=[survey.pk]),
        {
            "title": "Needs 2027",
            "intro": "Ten minutes, please.",
            "closes_on": (today + timedelta(days=30)).isoformat(),
            f"area-{neglect.pk}": "Recognising neglect",
        },
    )
    assert response.status_code == 302
    page = signed_in.get(URL, {"object_type": "competency.needssurvey"})
    changed, created = rows_of(page)
    assert (changed.who, changed.action, changed.kind, changed.record) == (
        lead.full_name,
        "Training needs survey changed",
        "Training needs survey",
        "Needs 2027",
    )
    assert [str(c) for c in changed.changes] == ["intro: — → Ten minutes, please."]
    assert created.action == "Training needs survey created"
    assert "topics: Neglect: — → Recognising neglect" in [str(c) for c in created.changes]


def test_reading_the_trail_writes_nothing(signed_in, lead):
    entry(actor=lead, at=utc(2026, 1, 1))
    signed_in.get(URL)
    signed_in.get(URL, {"format": "csv"})
    assert AuditEntry.objects.count() == 1


def test_a_date_filter_of_one_day_includes_the_whole_london_day(signed_in):
    day = date(2026, 3, 29)  # the clocks go forward: a 23-hour day
    first = entry(at=utc(2026, 3, 29, 0, 0))  # 00:00 GMT
    last = entry(at=utc(2026, 3, 29, 22, 59))  # 23:59 BST
    entry(at=utc(2026, 3, 29, 23, 0))  # 00:00 BST on the 30th
    response = signed_in.get(URL, {"start": day.isoformat(), "end": day.isoformat()})
    assert [r.entry.pk for r in rows_of(response)] == [last.pk, first.pk]
