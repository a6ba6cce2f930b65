"""What makes a questionnaire answerable (issue 13.4), checked when the lead saves it.

Item.clean() checks each item on its own; `questionnaire_problems` checks the items together
against the questionnaire's stage. The admin runs both on save (QuestionnaireAdmin's formset);
anything else that builds a questionnaire calls `questionnaire_check`.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError

from evaluations.models import Item, Respondent, Stage

CHOICES_TOO_FEW = "A single-choice question needs at least two options (one per line)."
LEARNING_GAIN_NOT_RATING = "A learning-gain question must be a 1–5 rating."
RETROSPECTIVE_NOT_RATING = "A 'looking back' question must be a 1–5 rating."
RETROSPECTIVE_BEFORE = (
    "'Looking back, before the course' questions belong after the course, not on a "
    "pre-course questionnaire."
)
LEARNING_GAIN_MISSING = (
    "A {stage} questionnaire measures learning gain: it needs at least one 1–5 rating question "
    "marked 'is learning gain' (and not 'looking back')."
)
NO_QUESTIONS = "Add at least one question."
MANAGER_ONLY_STAGE2 = "Only a stage 2 questionnaire can be for line managers."


def choice_options(choices: str) -> list[str]:
    """The distinct non-blank options of a choice item, in order."""
    return list(dict.fromkeys(c.strip() for c in choices.splitlines() if c.strip()))


def item_problems(item: Item) -> dict[str, str]:
    """Problems with one item on its own, by field name."""
    problems = {}
    if item.kind == Item.Kind.CHOICE and len(choice_options(item.choices)) < 2:
        problems["choices"] = CHOICES_TOO_FEW
    if item.is_learning_gain and item.kind != Item.Kind.RATING:
        problems["is_learning_gain"] = LEARNING_GAIN_NOT_RATING
    if item.is_retrospective and item.kind != Item.Kind.RATING:
        problems["is_retrospective"] = RETROSPECTIVE_NOT_RATING
    return problems


def questionnaire_problems(*, stage: str, respondent: str, items: Iterable[Item]) -> list[str]:
    """Problems with a questionnaire's items taken together, for its stage."""
    items = list(items)
    problems = []
    if not items:
        problems.append(NO_QUESTIONS)
    if respondent == Respondent.LINE_MANAGER and stage != Stage.STAGE2:
        problems.append(MANAGER_ONLY_STAGE2)
    if stage == Stage.PRE and any(i.is_retrospective for i in items):
        problems.append(RETROSPECTIVE_BEFORE)
    measures_gain = stage in (Stage.PRE, Stage.POST) and respondent == Respondent.DELEGATE
    if measures_gain and not any(
        i.is_learning_gain and i.kind == Item.Kind.RATING and not i.is_retrospective for i in items
    ):
        problems.append(LEARNING_GAIN_MISSING.format(stage=Stage(stage).label.lower()))
    return problems


def questionnaire_check(questionnaire) -> None:
    """Raise ValidationError listing every problem with a saved questionnaire and its items."""
    items = list(questionnaire.items.all())
    messages = [
        f"{item.text}: {message}" for item in items for message in item_problems(item).values()
    ]
    messages += questionnaire_problems(
        stage=questionnaire.stage, respondent=questionnaire.respondent, items=items
    )
    if messages:
        raise ValidationError(messages)
