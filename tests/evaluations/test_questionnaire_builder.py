"""The lead's questionnaire builder at /manage/questionnaires/: build with validation, preview,
put in use; a version that has been sent changes only as a new version."""

import pytest
from django.urls import reverse

from bookings.models import Booking
from evaluations import selectors, services
from evaluations.defaults import ensure_default_questionnaires
from evaluations.forms import KIND_MISSING
from evaluations.models import Item, Questionnaire, Stage
from evaluations.validation import CHOICES_TOO_FEW, LEARNING_GAIN_NOT_RATING, MANAGER_ONLY_STAGE2
from tests.factories import BookingFactory, CourseFactory

pytestmark = pytest.mark.django_db

RATING = {
    "text": "How would you rate your knowledge of neglect?",
    "kind": "rating",
    "required": "on",
    "low_label": "Very low",
    "high_label": "Very high",
    "is_learning_gain": "on",
}


@pytest.fixture
def defaults(db):
    return ensure_default_questionnaires()


@pytest.fixture
def lead_client(client, lead):
    client.force_login(lead)
    return client


def create(client, **fields):
    data = {"name": "Neglect: after the course", "stage": "post", "respondent": "delegate"}
    response = client.post(reverse("questionnaires:create"), data | fields)
    assert response.status_code == 302, response.content.decode()
    return Questionnaire.objects.latest("pk")


def add(client, questionnaire, **fields):
    return client.post(reverse("questionnaires:item_add", args=[questionnaire.pk]), fields)


@pytest.mark.parametrize(
    "name", ["questionnaires:list", "questionnaires:create"], ids=["list", "create"]
)
def test_only_the_lead_reaches_the_builder(client, practitioner, trainer, lead, name):
    for user in (practitioner, trainer):
        client.force_login(user)
        assert client.get(reverse(name)).status_code == 403
    client.force_login(lead)
    assert client.get(reverse(name)).status_code == 200


def test_a_practitioner_cannot_change_a_questionnaire(client, practitioner, defaults):
    post = defaults[Stage.POST]
    client.force_login(practitioner)
    url = reverse("questionnaires:item_add", args=[post.pk])
    assert client.post(url, RATING).status_code == 403
    assert client.post(reverse("questionnaires:put_in_use", args=[post.pk])).status_code == 403


def test_a_new_questionnaire_is_a_draft_until_put_in_use_and_then_replaces_the_default(
    lead_client, defaults
):
    course = CourseFactory()
    questionnaire = create(lead_client, course="")
    assert not questionnaire.is_current and questionnaire.version == 1
    assert selectors.questionnaire_for(course=course, stage=Stage.POST) == defaults[Stage.POST]
    assert add(lead_client, questionnaire, **RATING).status_code == 302
    response = add(lead_client, questionnaire, text="Anything else?", kind="text", required="")
    assert response.status_code == 302
    page = lead_client.get(reverse("questionnaires:detail", args=[questionnaire.pk]))
    assert f"in place of {defaults[Stage.POST]}" in page.content.decode()
    lead_client.post(reverse("questionnaires:put_in_use", args=[questionnaire.pk]))
    questionnaire.refresh_from_db()
    defaults[Stage.POST].refresh_from_db()
    assert questionnaire.is_current and not defaults[Stage.POST].is_current
    assert selectors.questionnaire_for(course=course, stage=Stage.POST) == questionnaire
    assert [i.text for i in questionnaire.items.all()] == [RATING["text"], "Anything else?"]


def test_a_course_questionnaire_leaves_the_default_for_other_courses(lead_client, defaults):
    course, other = CourseFactory(), CourseFactory()
    questionnaire = create(lead_client, course=course.pk)
    add(lead_client, questionnaire, **RATING)
    lead_client.post(reverse("questionnaires:put_in_use", args=[questionnaire.pk]))
    assert selectors.questionnaire_for(course=course, stage=Stage.POST) == questionnaire
    assert selectors.questionnaire_for(course=other, stage=Stage.POST) == defaults[Stage.POST]


def test_an_incomplete_questionnaire_cannot_be_put_in_use(lead_client, defaults):
    questionnaire = create(lead_client)
    add(lead_client, questionnaire, text="Anything else?", kind="text")
    response = lead_client.post(
        reverse("questionnaires:put_in_use", args=[questionnaire.pk]), follow=True
    )
    questionnaire.refresh_from_db()
    assert not questionnaire.is_current
    assert "It cannot be put in use yet" in response.content.decode()
    assert "learning gain" in response.content.decode()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"text": "Pick one", "kind": "choice", "choices": "Only one"}, "choices", CHOICES_TOO_FEW),
        (
            {"text": "Say more", "kind": "text", "is_learning_gain": "on"},
            "is_learning_gain",
            LEARNING_GAIN_NOT_RATING,
        ),
        ({"text": "", "kind": "rating"}, "text", "This field is required."),
        ({"text": "Rate it", "kind": "stars"}, "kind", KIND_MISSING),
        ({"text": "Rate it"}, "kind", KIND_MISSING),
    ],
)
def test_a_bad_question_is_refused_on_its_field(lead_client, defaults, fields, field, message):
    questionnaire = create(lead_client)
    response = add(lead_client, questionnaire, **fields)
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    html = response.content.decode()
    assert "There is a problem" in html and 'class="govuk-error-message"' in html
    assert questionnaire.items.count() == 0


def test_line_managers_answer_only_stage_2(lead_client, defaults):
    data = {"name": "Manager view", "stage": "pre", "respondent": "line_manager"}
    response = lead_client.post(reverse("questionnaires:create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["respondent"] == [MANAGER_ONLY_STAGE2]
    assert not Questionnaire.objects.filter(name="Manager view").exists()


def test_a_questionnaire_in_use_must_stay_complete(lead_client, defaults):
    post = defaults[Stage.POST]
    gain = [i for i in post.items.all() if i.is_learning_gain and not i.is_retrospective]
    for item in gain[:-1]:
        services.questionnaire_item_delete(questionnaire=post, item_id=item.pk)
    last = gain[-1]
    response = lead_client.post(
        reverse("questionnaires:item_delete", args=[post.pk, last.pk]), follow=True
    )
    assert "This questionnaire is in use, so it must stay complete" in response.content.decode()
    assert Item.objects.filter(pk=last.pk).exists()


def test_moving_a_question_reorders_the_questionnaire(lead_client, defaults):
    questionnaire = create(lead_client)
    add(lead_client, questionnaire, **RATING)
    add(lead_client, questionnaire, text="Second", kind="text")
    add(lead_client, questionnaire, text="Third", kind="text")
    third = questionnaire.items.get(text="Third")
    move = reverse("questionnaires:item_move", args=[questionnaire.pk, third.pk])
    lead_client.post(move, {"direction": "up"})
    assert [i.text for i in questionnaire.items.all()] == [RATING["text"], "Third", "Second"]
    lead_client.post(move, {"direction": "up"})
    lead_client.post(move, {"direction": "up"})  # already first: nothing moves
    assert [i.text for i in questionnaire.items.all()] == ["Third", RATING["text"], "Second"]
    assert [i.order for i in questionnaire.items.all()] == [1, 2, 3]


def test_a_question_of_another_questionnaire_is_not_found(lead_client, defaults):
    questionnaire = create(lead_client)
    other_item = defaults[Stage.PRE].items.first()
    url = reverse("questionnaires:item_edit", args=[questionnaire.pk, other_item.pk])
    assert lead_client.get(url).status_code == 404


def test_a_sent_questionnaire_changes_only_as_a_new_version(lead_client, defaults):
    pre = defaults[Stage.PRE]
    services.invitation_create(
        booking=BookingFactory(status=Booking.Status.CONFIRMED), stage=Stage.PRE
    )
    item = pre.items.first()
    page = lead_client.get(reverse("questionnaires:detail", args=[pre.pk])).content.decode()
    assert "Make a new version to change" in page and "Add a question" not in page
    url = reverse("questionnaires:item_edit", args=[pre.pk, item.pk])
    response = lead_client.post(url, RATING | {"text": "Reworded"}, follow=True)
    assert "cannot change" in response.content.decode()
    item.refresh_from_db()
    assert item.text != "Reworded"

    response = lead_client.post(reverse("questionnaires:new_version", args=[pre.pk]))
    new = Questionnaire.objects.get(family=pre.family, is_current=True)
    assert new.version == pre.version + 1
    assert response["Location"] == reverse("questionnaires:detail", args=[new.pk])
    new_item = new.items.get(order=item.order, text=item.text)
    response = lead_client.post(
        reverse("questionnaires:item_edit", args=[new.pk, new_item.pk]),
        {"text": "Reworded", "kind": "rating", "is_learning_gain": "on", "required": "on"},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    new_item.refresh_from_db()
    assert (item.text, new_item.text) == (item.text, "Reworded") and item.text != "Reworded"


def test_the_preview_shows_the_questions_and_leads_back_to_the_builder(lead_client, defaults):
    questionnaire = create(lead_client)
    add(lead_client, questionnaire, **RATING)
    html = lead_client.get(reverse("questionnaires:preview", args=[questionnaire.pk]))
    html = html.content.decode()
    assert RATING["text"] in html and "Nothing here is saved" in html
    assert reverse("questionnaires:detail", args=[questionnaire.pk]) in html
    assert "/admin/evaluations/" not in html
