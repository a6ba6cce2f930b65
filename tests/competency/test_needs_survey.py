"""The training needs survey: the lead creates it (topics by priority area), sends it once per
person through the outbox, and each person answers by their own signed link, once."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from competency import needs_services as services
from competency import needs_tasks as tasks
from competency.models import NeedsAnswer, NeedsInvitation, NeedsSurvey
from messaging.models import OutboundEmail
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(organisation):
    return [
        UserFactory(email=f"person{i}@dudley.gov.uk", organisation=organisation) for i in range(3)
    ]


def _send(survey, lead, people, capture):
    with capture(execute=True):
        return services.needs_survey_send(survey=survey, actor=lead, people=people)


# --- creating -----------------------------------------------------------------------------


def test_a_survey_keeps_its_topics_by_priority_area_in_order(survey, areas):
    topics = list(survey.topics.order_by("priority_area__name", "order"))
    assert [(t.priority_area.name, t.text, t.order) for t in topics] == [
        ("Exploitation", "Spotting grooming online", 1),
        ("Neglect", "Recognising neglect", 1),
        ("Neglect", "Working with families", 2),
    ]


def test_a_survey_without_topics_or_closing_before_it_opens_is_refused(lead, areas):
    today = timezone.localdate()
    common = {"actor": lead, "title": "T", "intro": "", "opens_on": today}
    with pytest.raises(services.NeedsError) as error:
        services.needs_survey_create(**common, closes_on=today, topics={areas["neglect"]: []})
    assert error.value.message == services.NO_TOPICS
    with pytest.raises(services.NeedsError) as error:
        services.needs_survey_create(
            **common, closes_on=today - timedelta(days=1), topics={areas["neglect"]: ["A"]}
        )
    assert error.value.message == services.DATES_WRONG
    assert not NeedsSurvey.objects.exists()


def test_topics_from_text_drops_blank_lines_bullets_and_repeats():
    assert services.topics_from_text("- Recognising neglect\n\n• recognising NEGLECT\nFGM\n") == [
        "Recognising neglect",
        "FGM",
    ]


# --- sending ------------------------------------------------------------------------------


def test_sending_emails_each_person_once_with_their_own_link(
    survey, lead, people, django_capture_on_commit_callbacks
):
    assert _send(survey, lead, people, django_capture_on_commit_callbacks) == 3
    rows = OutboundEmail.objects.filter(purpose=services.email_purpose(survey))
    assert rows.count() == 3 and all(r.booking_id is None for r in rows)
    assert {r.state for r in rows} == {OutboundEmail.State.SENT}
    assert sorted(m.to[0] for m in mail.outbox) == [p.email for p in people]
    tokens = set()
    for message in mail.outbox:
        invitation = NeedsInvitation.objects.get(person__email=message.to[0])
        assert services.needs_link_url(invitation) in message.body
        tokens.add(invitation.key)
    assert len(tokens) == 3


def test_sending_again_emails_no_one_twice_and_only_the_new_person(
    survey, lead, people, organisation, django_capture_on_commit_callbacks
):
    _send(survey, lead, people[:2], django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2
    assert _send(survey, lead, people, django_capture_on_commit_callbacks) == 1
    assert [m.to[0] for m in mail.outbox[2:]] == [people[2].email]
    assert _send(survey, lead, people, django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 3
    assert NeedsInvitation.objects.filter(survey=survey).count() == 3


def test_the_task_run_twice_sends_one_email(survey, lead, people):
    """Worker-free: the outbox row exists after the request; the task sends it once."""
    services.needs_survey_send(survey=survey, actor=lead, people=people[:1])  # no on_commit run
    row = OutboundEmail.objects.get(purpose=services.email_purpose(survey))
    assert row.state == OutboundEmail.State.PENDING and row.person_id == people[0].pk
    assert mail.outbox == []
    args = (row.person_id, row.purpose)
    assert tasks.send_needs_email(*args) is True
    assert tasks.send_needs_email(*args) is False
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert row.state == OutboundEmail.State.SENT


def test_an_invitation_answered_before_its_email_goes_is_skipped(survey, lead, people):
    services.needs_survey_send(survey=survey, actor=lead, people=people[:1])
    invitation = NeedsInvitation.objects.get()
    answers = {t.pk: "3" for t in survey.topics.all()}
    services.needs_answer_submit(invitation=invitation, data=answers)
    row = OutboundEmail.objects.get()
    assert tasks.send_needs_email(row.person_id, row.purpose) is False
    row.refresh_from_db()
    assert row.state == OutboundEmail.State.SKIPPED and mail.outbox == []


def test_whole_organisations_mean_their_active_people(survey, organisation):
    other = OrganisationFactory(name="West Midlands Police")
    mine = UserFactory(organisation=organisation)
    UserFactory(organisation=organisation, is_active=False)
    UserFactory(organisation=other)
    found = services.needs_recipients_from_organisations([organisation.pk])
    assert found == [mine]


def test_pasted_addresses_name_every_bad_line(people):
    text = f"{people[0].email}\nnot an address\n\nnobody@dudley.gov.uk, {people[1].email.upper()}"
    with pytest.raises(services.NeedsError) as error:
        services.needs_recipients_from_emails(text)
    assert error.value.field == "emails"
    assert "line 2: not" in error.value.message
    assert "line 4: nobody@dudley.gov.uk" in error.value.message
    assert people[0].email not in error.value.message
    found = services.needs_recipients_from_emails(f"{people[0].email}; {people[1].email.upper()}")
    assert found == people[:2]


def test_a_closed_survey_cannot_be_sent(survey, lead, people):
    survey.closes_on = survey.opens_on = timezone.localdate() - timedelta(days=1)
    survey.save()
    with pytest.raises(services.NeedsError):
        services.needs_survey_send(survey=survey, actor=lead, people=people)
    assert not NeedsInvitation.objects.exists() and not OutboundEmail.objects.exists()


# --- the lead's pages ---------------------------------------------------------------------


def test_the_lead_creates_a_survey_from_the_form(client, lead, areas):
    client.force_login(lead)
    today = timezone.localdate()
    response = client.post(
        reverse("needs:create"),
        {
            "title": "Needs 2027",
            "intro": "",
            "opens_on": today.isoformat(),
            "closes_on": (today + timedelta(days=10)).isoformat(),
            f"area-{areas['neglect'].pk}": "Recognising neglect\nWorking with families",
            f"area-{areas['exploitation'].pk}": "",
        },
    )
    survey = NeedsSurvey.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{survey.pk}/")
    assert survey.topics.count() == 2 and survey.created_by == lead


def test_a_survey_form_without_topics_says_so_on_the_page(client, lead, areas):
    client.force_login(lead)
    today = timezone.localdate()
    response = client.post(
        reverse("needs:create"),
        {"title": "T", "opens_on": today.isoformat(), "closes_on": today.isoformat()},
    )
    assert response.status_code == 400
    assert services.NO_TOPICS in response.content.decode()
    assert not NeedsSurvey.objects.exists()


def test_sending_from_the_page_with_a_bad_line_names_it_and_sends_nothing(
    client, lead, survey, people
):
    client.force_login(lead)
    response = client.post(
        reverse("needs:send", args=[survey.pk]), {"emails": f"{people[0].email}\nbob@nowhere"}
    )
    assert response.status_code == 400
    assert "line 2: bob@nowhere" in response.content.decode()
    assert not NeedsInvitation.objects.exists()
    empty = client.post(reverse("needs:send", args=[survey.pk]), {"emails": ""})
    assert empty.status_code == 400 and "Paste at least one" in empty.content.decode()


def test_sending_from_the_page_queues_emails_and_says_how_many(
    client, lead, survey, people, organisation, django_capture_on_commit_callbacks
):
    client.force_login(lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("needs:send", args=[survey.pk]),
            {"emails": people[0].email, "organisations": [organisation.pk]},
            follow=True,
        )
    page = response.content.decode()
    # the organisation's people (3) and the lead (no organisation) is not among them
    assert "on its way to 3 people" in page
    assert len(mail.outbox) == 3


def test_the_preview_shows_every_topic_without_a_form_that_saves(client, lead, survey):
    client.force_login(lead)
    page = client.get(reverse("needs:preview", args=[survey.pk])).content.decode()
    for topic in survey.topics.all():
        assert topic.text in page
    assert 'novalidate action="#"' in page and "Send my answers" not in page


# --- answering by the link ----------------------------------------------------------------


@pytest.fixture
def invitation(survey, lead, people):
    services.needs_survey_send(survey=survey, actor=lead, people=people)
    return NeedsInvitation.objects.get(person=people[0])


def _url(invitation):
    return reverse("competency:needs_answer", args=[services.needs_link_token(invitation)])


def test_the_link_opens_the_survey_without_signing_in_and_shows_no_name(client, invitation):
    response = client.get(_url(invitation))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Recognising neglect" in page and "Spotting grooming online" in page
    assert invitation.person.email not in page
    assert "no-store" in response["Cache-Control"]


def test_a_tampered_or_unknown_link_gets_the_friendly_page(client, invitation):
    token = services.needs_link_token(invitation)
    for bad in (token[:-2] + "xx", "nonsense", services.needs_link_token(NeedsInvitation(key="x"))):
        response = client.get(reverse("competency:needs_answer", args=[bad]))
        assert response.status_code == 404
        assert "This link is not working" in response.content.decode()


def test_answers_are_saved_once_and_answering_again_is_refused_kindly(client, invitation):
    topics = list(invitation.survey.topics.all())
    data = {f"topic-{t.pk}": "2" for t in topics}
    data[f"topic-{topics[0].pk}"] = services.NOT_RELEVANT
    response = client.post(_url(invitation), data)
    assert response.status_code == 200 and "Thank you" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.answered_at is not None
    saved = dict(NeedsAnswer.objects.values_list("topic_id", "confidence"))
    assert saved == {topics[0].pk: None, topics[1].pk: 2, topics[2].pk: 2}
    again = client.post(_url(invitation), {f"topic-{t.pk}": "5" for t in topics})
    assert "Already answered" in again.content.decode()
    assert dict(NeedsAnswer.objects.values_list("topic_id", "confidence")) == saved
    assert "Already answered" in client.get(_url(invitation)).content.decode()


def test_a_missing_or_out_of_range_rating_names_the_topic(client, invitation):
    topics = list(invitation.survey.topics.order_by("priority_area__name", "order"))
    data = {f"topic-{t.pk}": "4" for t in topics}
    data[f"topic-{topics[1].pk}"] = "7"
    del data[f"topic-{topics[2].pk}"]
    response = client.post(_url(invitation), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert services.RATE_TOPIC.format(topic=topics[1].text).replace("“", "&ldquo;")[:5] in page
    assert f"“{topics[1].text}”" in page and f"“{topics[2].text}”" in page
    assert not NeedsAnswer.objects.exists()
    # what was chosen is kept
    assert (
        f'id="topic-{topics[0].pk}-4" name="topic-{topics[0].pk}" type="radio" value="4" checked'
        in page
    )


def test_a_closed_survey_says_so(client, invitation):
    survey = invitation.survey
    NeedsSurvey.objects.filter(pk=survey.pk).update(
        opens_on=date(2020, 1, 1), closes_on=timezone.localdate() - timedelta(days=1)
    )
    response = client.get(_url(invitation))
    assert response.status_code == 410 and "This survey is closed" in response.content.decode()
    with pytest.raises(services.NeedsError):
        services.needs_answer_submit(invitation=invitation, data={})


def test_one_persons_link_never_answers_for_another(client, invitation, people):
    other = NeedsInvitation.objects.get(person=people[1])
    topics = list(invitation.survey.topics.all())
    client.post(_url(invitation), {f"topic-{t.pk}": "3" for t in topics})
    other.refresh_from_db()
    assert other.answered_at is None
    assert set(NeedsAnswer.objects.values_list("invitation_id", flat=True)) == {invitation.pk}


def test_the_lead_sees_each_survey_with_how_many_answered(client, lead, invitation, people):
    services.needs_answer_submit(
        invitation=invitation, data={t.pk: "3" for t in invitation.survey.topics.all()}
    )
    client.force_login(lead)
    page = client.get(reverse("needs:list")).content.decode()
    assert "Needs 2027" in page and "1 of 3" in page
    detail = client.get(reverse("needs:survey", args=[invitation.survey.pk])).content.decode()
    assert "1 of 3 asked (33.3%)" in detail
    assert people[1].email not in detail  # the page names no one


def test_only_the_lead_reaches_the_survey_pages(client, practitioner, org_manager, survey):
    for person in (practitioner, org_manager):
        client.force_login(person)
        for name in ("needs:list", "needs:create"):
            assert client.get(reverse(name)).status_code == 403
        response = client.post(reverse("needs:send", args=[survey.pk]), {"emails": person.email})
        assert response.status_code == 403
    assert not NeedsInvitation.objects.exists()


def test_a_lost_queue_is_picked_up_by_the_outbox_sweeper(
    survey, lead, people, monkeypatch, django_capture_on_commit_callbacks
):
    from messaging import outbox

    def broker_down(*args, **kwargs):
        raise ConnectionError("broker down")

    with monkeypatch.context() as patched:
        patched.setattr("django_q.tasks.async_task", broker_down)
        _send(survey, lead, people, django_capture_on_commit_callbacks)
    assert mail.outbox == []
    later = timezone.now() + timedelta(hours=1)
    assert outbox.requeue_stuck(now=later) == 3
    assert sorted(m.to[0] for m in mail.outbox) == [p.email for p in people]
    assert outbox.requeue_stuck(now=later) == 0


# --- dates the app can work with, and the opening day ------------------------------------


def test_a_closing_date_beyond_the_years_the_app_works_with_is_a_field_error(
    client, lead, areas, survey
):
    """Year 9999 was saved, and then the survey's own page and edit page failed with a 500."""
    client.force_login(lead)
    today = timezone.localdate()
    data = {
        "title": "Far off",
        "intro": "",
        "opens_on": today.isoformat(),
        "closes_on": "9999-12-31",
        f"area-{areas['neglect'].pk}": "Recognising neglect",
    }
    page = client.post(reverse("needs:create"), data)
    assert page.status_code == 400
    assert "Enter a date between the years 2000 and 2100" in page.content.decode()
    assert not NeedsSurvey.objects.filter(title="Far off").exists()
    edit = client.post(
        reverse("needs:edit", args=[survey.pk]),
        {**data, "title": survey.title, "closes_on": "9999-12-31"},
    )
    assert edit.status_code == 400
    survey.refresh_from_db()
    assert survey.closes_on.year < 2100
    with pytest.raises(services.NeedsError) as caught:  # the service refuses it too
        services.needs_survey_create(
            actor=lead,
            title="Far off",
            intro="",
            opens_on=date(1900, 1, 1),
            closes_on=today,
            topics={areas["neglect"]: ["Recognising neglect"]},
        )
    assert caught.value.field == "opens_on"


def test_a_survey_is_sent_and_answered_only_from_its_opening_day(
    client, lead, areas, people, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    later = services.needs_survey_create(
        actor=lead,
        title="Next spring",
        intro="",
        opens_on=today + timedelta(days=10),
        closes_on=today + timedelta(days=40),
        topics={areas["neglect"]: ["Recognising neglect"]},
    )
    with pytest.raises(services.NeedsError) as caught:
        _send(later, lead, people, django_capture_on_commit_callbacks)
    day = f"{later.opens_on:%-d %B %Y}"
    assert caught.value.message == services.SURVEY_NOT_OPEN_SEND.format(day=day)
    client.force_login(lead)
    page = client.get(reverse("needs:survey", args=[later.pk])).content.decode()
    assert "you can send it from that day" in page
    # An invitation made before the opening day (e.g. the day was moved) opens no form early.
    invitation = NeedsInvitation.objects.create(
        survey=later, person=people[0], key="early-invitation-key", created_at=timezone.now()
    )
    link = services.needs_link_url(invitation).split("://", 1)[1].split("/", 1)[1]
    answer = client.get("/" + link).content.decode()
    assert "This survey is not open yet" in answer and 'name="topic-' not in answer
    topic = later.topics.get()
    with pytest.raises(services.NeedsError):
        services.needs_answer_submit(invitation=invitation, data={topic.pk: "3"})
    assert not NeedsAnswer.objects.exists()
