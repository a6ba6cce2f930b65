"""The lead edits a training needs survey before it closes: the title, introduction and closing
date at any time, the topics only while nobody has answered. Invitees see the survey as it is
now, and a respondent whose page was open during an edit is told, not failed."""

import re
from datetime import date, timedelta
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone

from competency import needs_services as services
from competency.models import NeedsAnswer, NeedsInvitation, NeedsSurvey, NeedsTopic
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(organisation):
    return [UserFactory(organisation=organisation) for _ in range(2)]


@pytest.fixture
def invitation(survey, lead, people):
    services.needs_survey_send(survey=survey, actor=lead, people=people)
    return NeedsInvitation.objects.get(person=people[0])


def _answer(invitation, rating="3"):
    data = {t.pk: rating for t in invitation.survey.topics.all()}
    return services.needs_answer_submit(invitation=invitation, data=data)


def _topics(survey):
    return [
        (t.priority_area.name, t.text, t.order)
        for t in survey.topics.order_by("priority_area__name", "order")
    ]


def _update(survey, lead, **changes):
    fields = {"title": survey.title, "intro": survey.intro, "closes_on": survey.closes_on}
    return services.needs_survey_update(survey=survey, actor=lead, **(fields | changes))


def _form(survey, areas, **changes):
    """The edit form's fields as the page fills them, with `changes` (area-<name> for topics)."""
    data = {"title": survey.title, "intro": survey.intro, "closes_on": survey.closes_on.isoformat()}
    texts = {name: [] for name in areas}
    for topic in survey.topics.order_by("order"):
        name = next(n for n, a in areas.items() if a.pk == topic.priority_area_id)
        texts[name].append(topic.text)
    data |= {f"area-{areas[name].pk}": "\n".join(lines) for name, lines in texts.items()}
    for key, value in changes.items():
        if key.startswith("area-"):
            key = f"area-{areas[key.removeprefix('area-')].pk}"
        data[key] = value
    return data


def _edit_url(survey):
    return reverse("needs:edit", args=[survey.pk])


# --- title, introduction, closing date ----------------------------------------------------


def test_the_lead_changes_the_title_intro_and_closing_date_and_the_page_shows_them(
    client, lead, survey, areas
):
    client.force_login(lead)
    detail = client.get(reverse("needs:survey", args=[survey.pk])).content.decode()
    assert f'href="{_edit_url(survey)}"' in detail
    page = client.get(_edit_url(survey)).content.decode()
    assert 'value="Needs 2027"' in page and "Help us plan." in page
    assert 'name="opens_on"' not in page  # the opening date is not for changing
    new_close = survey.closes_on + timedelta(days=14)
    response = client.post(
        _edit_url(survey),
        _form(
            survey,
            areas,
            title="Safeguarding needs 2027",
            intro="Tell us where you want training.",
            closes_on=new_close.isoformat(),
        ),
        follow=True,
    )
    assert response.redirect_chain == [(reverse("needs:survey", args=[survey.pk]), 302)]
    survey.refresh_from_db()
    assert (survey.title, survey.intro, survey.closes_on) == (
        "Safeguarding needs 2027",
        "Tell us where you want training.",
        new_close,
    )
    page = response.content.decode()
    assert "Your changes to the survey are saved." in page
    assert "Safeguarding needs 2027" in page and "Tell us where you want training." in page
    assert f"to the end of {new_close:%-d %B %Y}" in page
    assert _topics(survey) == [  # the topics were left as they were
        ("Exploitation", "Spotting grooming online", 1),
        ("Neglect", "Recognising neglect", 1),
        ("Neglect", "Working with families", 2),
    ]


@pytest.mark.parametrize(
    ("closes_on", "message"),
    [
        (lambda s: timezone.localdate() - timedelta(days=1), services.CLOSES_IN_PAST),
        (lambda s: s.opens_on - timedelta(days=1), services.DATES_WRONG),
    ],
    ids=["before-today", "before-it-opened"],
)
def test_a_closing_date_in_the_past_or_before_the_opening_is_an_error_on_that_field(
    client, lead, areas, closes_on, message
):
    today = timezone.localdate()
    # It opened a week ago, so "before today" and "before it opened" are different days.
    survey = services.needs_survey_create(
        actor=lead,
        title="Needs 2027",
        intro="",
        opens_on=today - timedelta(days=7),
        closes_on=today + timedelta(days=7),
        topics={areas["neglect"]: ["Recognising neglect"]},
        today=today - timedelta(days=7),
    )
    client.force_login(lead)
    bad = closes_on(survey)
    response = client.post(
        _edit_url(survey), _form(survey, areas, title="Changed", closes_on=bad.isoformat())
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert 'class="govuk-error-summary"' in page
    assert f'<a href="#id_closes_on">{message}</a>' in page
    assert 'id="id_closes_on-error" class="govuk-error-message"' in page
    assert "closing date" in message  # names the field
    survey.refresh_from_db()
    assert survey.title == "Needs 2027" and survey.closes_on == today + timedelta(days=7)
    with pytest.raises(services.NeedsError) as error:
        _update(survey, lead, closes_on=bad)
    assert (error.value.message, error.value.field) == (message, "closes_on")


def test_an_empty_title_or_a_date_that_is_not_a_date_is_a_field_error(client, lead, survey, areas):
    client.force_login(lead)
    response = client.post(_edit_url(survey), _form(survey, areas, title=" ", closes_on="31/02"))
    page = response.content.decode()
    assert response.status_code == 400
    assert '<a href="#id_title">Enter a title for the survey.</a>' in page
    assert '<a href="#id_closes_on">Enter a real date.</a>' in page
    survey.refresh_from_db()
    assert survey.title == "Needs 2027"


def test_a_closed_survey_cannot_be_edited(client, lead, survey, areas):
    yesterday = timezone.localdate() - timedelta(days=1)
    NeedsSurvey.objects.filter(pk=survey.pk).update(opens_on=date(2020, 1, 1), closes_on=yesterday)
    survey.refresh_from_db()
    with pytest.raises(services.NeedsError) as error:
        _update(survey, lead, title="Changed", closes_on=yesterday + timedelta(days=30))
    assert error.value.message == services.SURVEY_CLOSED_EDIT.format(day=f"{yesterday:%-d %B %Y}")
    client.force_login(lead)
    detail = client.get(reverse("needs:survey", args=[survey.pk])).content.decode()
    assert _edit_url(survey) not in detail
    response = client.post(_edit_url(survey), _form(survey, areas, title="Changed"), follow=True)
    assert response.redirect_chain == [(reverse("needs:survey", args=[survey.pk]), 302)]
    assert "it can no longer be changed" in response.content.decode()
    survey.refresh_from_db()
    assert survey.title == "Needs 2027"


# --- topics -------------------------------------------------------------------------------


def test_before_anyone_answers_the_lead_changes_the_topics_their_areas_and_order(
    client, lead, survey, areas, invitation
):
    kept = survey.topics.get(text="Working with families")
    client.force_login(lead)
    page = client.get(_edit_url(survey)).content.decode()
    assert "Recognising neglect\nWorking with families</textarea>" in page
    response = client.post(
        _edit_url(survey),
        _form(
            survey,
            areas,
            **{
                "area-neglect": "Working with families\nRecognising neglect at home",
                "area-exploitation": "",
                "area-think_family": "Whole-family assessment",
            },
        ),
    )
    assert response.status_code == 302
    assert _topics(survey) == [
        ("Neglect", "Working with families", 1),
        ("Neglect", "Recognising neglect at home", 2),
        ("Think Family", "Whole-family assessment", 1),
    ]
    assert survey.topics.get(text="Working with families").pk == kept.pk  # same topic, moved
    # Nobody had answered, so an invitee answers the new topics.
    _answer(invitation)
    assert NeedsAnswer.objects.filter(invitation=invitation).count() == 3


def test_topics_left_empty_everywhere_are_refused_on_the_page(client, lead, survey, areas):
    client.force_login(lead)
    empty = {f"area-{name}": "" for name in areas}
    response = client.post(_edit_url(survey), _form(survey, areas, title="Changed", **empty))
    assert response.status_code == 400
    assert services.NO_TOPICS in response.content.decode()
    survey.refresh_from_db()
    assert survey.title == "Needs 2027" and survey.topics.count() == 3


def test_once_someone_answered_the_topics_are_fixed_and_the_page_says_why(
    client, lead, survey, areas, invitation
):
    _answer(invitation)
    before = _topics(survey)
    with pytest.raises(services.NeedsError) as error:
        _update(
            survey,
            lead,
            title="Changed",
            topics={areas["neglect"]: ["Recognising neglect"]},
        )
    assert (error.value.message, error.value.field) == (services.TOPICS_FIXED, "topics")
    survey.refresh_from_db()
    assert survey.title == "Needs 2027" and _topics(survey) == before  # nothing half-saved
    # The same topics again are not a change: the rest is saved.
    same = {areas["neglect"]: ["Recognising neglect", "Working with families"]}
    same[areas["exploitation"]] = ["Spotting grooming online"]
    assert _update(survey, lead, title="Changed", topics=same).title == "Changed"

    client.force_login(lead)
    detail = client.get(reverse("needs:survey", args=[survey.pk])).content.decode()
    assert "These topics are fixed: people have answered them." in detail
    page = client.get(_edit_url(survey)).content.decode()
    assert "The topics can no longer change: 1 person has already answered them" in page
    assert "<li>Spotting grooming online</li>" in page
    assert 'name="area-' not in page  # no boxes to change them in
    data = {"title": "Needs 2027 (final)", "intro": "", "closes_on": survey.closes_on.isoformat()}
    assert client.post(_edit_url(survey), data).status_code == 302
    survey.refresh_from_db()
    assert survey.title == "Needs 2027 (final)" and survey.intro == ""
    assert _topics(survey) == before


def test_an_answer_arriving_while_the_lead_edits_the_topics_keeps_them_and_says_why(
    client, lead, survey, areas, invitation
):
    client.force_login(lead)
    page = client.get(_edit_url(survey)).content.decode()
    assert 'name="area-' in page  # nobody had answered when the lead opened the page
    before = _topics(survey)
    _answer(invitation)  # ...then someone answers
    changed = _form(survey, areas, title="Changed", **{"area-neglect": "Something else"})
    response = client.post(_edit_url(survey), changed)
    page = response.content.decode()
    assert response.status_code == 400
    assert services.TOPICS_FIXED in page
    assert "1 person has already answered them" in page and 'name="area-' not in page
    assert 'value="Changed"' in page  # what the lead typed is kept for saving again
    survey.refresh_from_db()
    assert survey.title == "Needs 2027" and _topics(survey) == before


# --- who may edit -------------------------------------------------------------------------


def test_only_the_lead_can_edit_a_survey(client, practitioner, org_manager, survey, areas):
    url = _edit_url(survey)
    data = _form(survey, areas, title="Hacked")
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.post(url, data).status_code == 302
    for person in (practitioner, org_manager):
        client.force_login(person)
        assert client.get(url).status_code == 403
        assert client.post(url, data).status_code == 403
    survey.refresh_from_db()
    assert survey.title == "Needs 2027"


# --- what invitees see --------------------------------------------------------------------


def _link(invitation):
    return reverse("competency:needs_answer", args=[services.needs_link_token(invitation)])


def test_an_invitee_who_opens_the_link_after_an_edit_sees_the_new_title_and_intro(
    client, lead, survey, invitation
):
    first = client.get(_link(invitation)).content.decode()
    assert "Needs 2027" in first and "Help us plan." in first
    new_close = survey.closes_on + timedelta(days=7)
    _update(
        survey,
        lead,
        title="Safeguarding needs 2027",
        intro="Five minutes, and it shapes next year.",
        closes_on=new_close,
    )
    page = client.get(_link(invitation)).content.decode()
    assert "Safeguarding needs 2027" in page and "Five minutes, and it shapes next year." in page
    assert "Help us plan." not in page
    assert f"closes at the end of {new_close:%-d %B %Y}" in page


def test_a_respondent_whose_page_was_open_during_a_topic_change_is_told_and_keeps_ratings(
    client, lead, survey, areas, invitation
):
    page = client.get(_link(invitation)).content.decode()
    [shown] = re.findall(r'name="shown" value="([0-9,]+)"', page)
    posted = {f"topic-{t.pk}": "4" for t in NeedsTopic.objects.filter(survey=survey)}
    posted["shown"] = shown  # the page as it was before the edit
    kept = survey.topics.get(text="Working with families")
    _update(
        survey,
        lead,
        topics={areas["neglect"]: ["Working with families", "Neglect and disability"]},
    )
    response = client.post(_link(invitation), posted)
    page = response.content.decode()
    assert response.status_code == 400
    assert "The survey's topics changed after you opened it" in page
    assert "Spotting grooming online" not in page and "Neglect and disability" in page
    assert (  # the rating of the topic still there is kept
        f'id="topic-{kept.pk}-4" name="topic-{kept.pk}" type="radio" value="4" checked' in page
    )
    assert not NeedsAnswer.objects.exists()
    added = survey.topics.get(text="Neglect and disability")
    again = client.post(_link(invitation), {f"topic-{kept.pk}": "4", f"topic-{added.pk}": "2"})
    assert again.status_code == 200 and "Thank you" in again.content.decode()
    assert dict(NeedsAnswer.objects.values_list("topic_id", "confidence")) == {
        kept.pk: 4,
        added.pk: 2,
    }


def test_posted_fields_that_are_not_a_topic_of_the_survey_are_ignored(client, invitation):
    topics = list(invitation.survey.topics.all())
    data = {f"topic-{t.pk}": "5" for t in topics}
    data |= {"topic-²": "3", "topic-" + "9" * 5000: "3", "topic-999999": "3"}
    data["shown"] = "²,x," + "9" * 5000
    response = client.post(
        _link(invitation), urlencode(data), content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200 and "Thank you" in response.content.decode()
    assert sorted(NeedsAnswer.objects.values_list("topic_id", flat=True)) == sorted(
        t.pk for t in topics
    )
