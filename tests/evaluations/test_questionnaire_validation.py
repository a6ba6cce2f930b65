"""Issue 13.4: a questionnaire nobody can complete is refused on save; the lead can preview."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from evaluations import validation
from evaluations.defaults import ensure_default_questionnaires
from evaluations.models import Item, Questionnaire, Stage
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def defaults(db):
    return ensure_default_questionnaires()


def _post_data(questionnaire, items, *, stage=None):
    data = {
        "name": questionnaire.name,
        "stage": stage or questionnaire.stage,
        "respondent": questionnaire.respondent,
        "course": "",
        "family": questionnaire.family,
        "intro": questionnaire.intro,
        "items-TOTAL_FORMS": str(len(items)),
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
    }
    for n, item in enumerate(items):
        base = {
            "order": str(n + 1),
            "text": f"Question {n + 1}",
            "kind": "rating",
            "required": "on",
            "low_label": "Low",
            "high_label": "High",
            "choices": "",
            "help_text": "",
        }
        base.update(item)
        for key, value in base.items():
            if value is not None:
                data[f"items-{n}-{key}"] = value
    return data


def _add(client, lead, items, stage=Stage.PRE):
    # The admin is for superusers only; its form keeps the same checks as the lead's builder.
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    blank = Questionnaire(name="Pilot", stage=stage, family="pilot", intro="")
    return client.post(reverse("admin:evaluations_questionnaire_add"), _post_data(blank, items))


LG = {"is_learning_gain": "on"}


def test_a_choice_question_without_two_options_is_refused(client, lead):
    page = _add(client, lead, [LG, {"kind": "choice", "choices": "Only one\n\n"}])
    assert page.status_code == 200
    assert validation.CHOICES_TOO_FEW in page.content.decode()
    assert not Questionnaire.objects.filter(family="pilot").exists()


def test_a_pre_course_questionnaire_needs_a_learning_gain_rating(client, lead):
    page = _add(client, lead, [{"kind": "text"}])
    assert page.status_code == 200
    assert "measures learning gain" in page.content.decode()
    assert not Questionnaire.objects.filter(family="pilot").exists()


def test_looking_back_questions_are_refused_before_the_course(client, lead):
    page = _add(client, lead, [LG, {"is_retrospective": "on"}])
    assert page.status_code == 200
    assert "belong after the course" in page.content.decode()
    assert not Questionnaire.objects.filter(family="pilot").exists()


def test_a_sound_questionnaire_saves(client, lead):
    page = _add(client, lead, [LG, {"kind": "choice", "choices": "Yes\nNo"}])
    assert page.status_code == 302, page.content.decode()[:3000]
    saved = Questionnaire.objects.get(family="pilot")
    assert saved.items.count() == 2


def test_a_looking_back_question_is_fine_after_the_course(client, lead):
    page = _add(client, lead, [LG, {"is_retrospective": "on"}], stage=Stage.POST)
    assert page.status_code == 302


def test_model_validation_refuses_a_choice_item_with_no_options(defaults):
    item = Item(questionnaire=defaults[Stage.STAGE2], text="Pick", kind="choice", choices="")
    with pytest.raises(ValidationError) as error:
        item.full_clean()
    assert validation.CHOICES_TOO_FEW in error.value.messages


def test_the_default_questionnaires_pass_the_checks(defaults):
    for questionnaire in Questionnaire.objects.all():
        validation.questionnaire_check(questionnaire)


def test_lead_previews_a_questionnaire_and_sees_its_problems(client, lead, practitioner, defaults):
    stage2 = defaults[Stage.STAGE2]
    Item.objects.filter(questionnaire=stage2, kind="choice").update(choices="")
    url = reverse("evaluations:questionnaire_preview", args=[stage2.pk])
    client.force_login(lead)
    page = client.get(url).content.decode()
    assert "Preview" in page and stage2.name in page
    assert "Have you used the learning in your practice?" in page
    assert validation.CHOICES_TOO_FEW in page
    assert 'name="submit"' not in page
    client.force_login(practitioner)
    assert client.get(url).status_code in (302, 403, 404)
