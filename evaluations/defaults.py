"""The partnership-wide default questionnaires (course=None): pre-course, post-course, stage 2.

The learning-gain items are worded identically before and after the course, so the pre and post
scores (the mean of a response's learning-gain items) measure the same thing.
"""

from django.db import transaction

from evaluations.models import Item, Questionnaire, Respondent, Stage

LEARNING_GAIN_ITEMS = (
    "How would you rate your knowledge of this subject?",
    "How confident are you in applying this in your practice?",
    "How well do you understand your safeguarding responsibilities in this area?",
)
RATING_LABELS = {"low_label": "Very low", "high_label": "Very high"}
USED_LEARNING_CHOICES = ("Yes", "Partly", "No")

# One spec per stage: (family, name, intro, items). Items are dicts of Item fields.
DEFAULTS = {
    Stage.PRE: (
        "default-pre",
        "Before the course",
        "A few questions before the course, so we can see what you learn. It takes two minutes.",
        [
            *(
                {"text": text, "kind": Item.Kind.RATING, "is_learning_gain": True, **RATING_LABELS}
                for text in LEARNING_GAIN_ITEMS
            ),
            {"text": "What do you hope to learn?", "kind": Item.Kind.TEXT, "required": False},
        ],
    ),
    Stage.POST: (
        "default-post",
        "After the course",
        "Thank you for coming. Please tell us what you learnt and how the course went.",
        [
            *(
                {"text": text, "kind": Item.Kind.RATING, "is_learning_gain": True, **RATING_LABELS}
                for text in LEARNING_GAIN_ITEMS
            ),
            {
                "text": "Looking back, how would you have rated your knowledge of this subject "
                "before the course?",
                "kind": Item.Kind.RATING,
                "is_retrospective": True,
                **RATING_LABELS,
            },
            {
                "text": "How would you rate the course overall?",
                "kind": Item.Kind.RATING,
                "low_label": "Very poor",
                "high_label": "Excellent",
            },
            {"text": "What will you do differently?", "kind": Item.Kind.TEXT},
            {
                "text": "Is there anything else you would like to tell us about the course?",
                "kind": Item.Kind.TEXT,
                "required": False,
            },
        ],
    ),
    Stage.STAGE2: (
        "default-stage2",
        "Impact on practice (stage 2)",
        "A few months on: has the course made a difference to your practice?",
        [
            {
                "text": "Have you used the learning in your practice?",
                "kind": Item.Kind.CHOICE,
                "choices": "\n".join(USED_LEARNING_CHOICES),
            },
            {
                "text": "Please give an example of how you have used the learning.",
                "kind": Item.Kind.TEXT,
                "required": False,
            },
            {
                "text": "What, if anything, has made it hard to use the learning?",
                "kind": Item.Kind.TEXT,
                "required": False,
            },
            {
                "text": "How much has the course improved your safeguarding practice?",
                "kind": Item.Kind.RATING,
                "low_label": "Not at all",
                "high_label": "A great deal",
            },
        ],
    ),
}


# The line manager's own stage 2: what they have seen change in the delegate's practice. Its one
# 1-5 rating is the manager's score, set beside the delegate's own stage-2 rating
# (evaluations.impact).
MANAGER_STAGE2 = (
    "default-stage2-manager",
    "Impact on practice: line manager (stage 2)",
    "A few months after the course: have you seen a change in your colleague's practice?",
    [
        {
            "text": "How much change have you observed in their safeguarding practice since "
            "the course?",
            "kind": Item.Kind.RATING,
            "low_label": "No change",
            "high_label": "A great deal",
        },
        {
            "text": "Please give an example of a change you have observed.",
            "kind": Item.Kind.TEXT,
            "required": False,
        },
    ],
)


def seed_manager_questionnaire(questionnaire_model, item_model):
    """Create the line manager's stage-2 questionnaire if its family has none (migration-safe:
    takes the models, so a data migration can pass its historical ones)."""
    family, name, intro, items = MANAGER_STAGE2
    current = questionnaire_model.objects.filter(family=family, is_current=True).first()
    if current is not None:
        return current
    current, created = questionnaire_model.objects.get_or_create(
        family=family,
        version=1,
        defaults={
            "name": name,
            "stage": Stage.STAGE2.value,
            "respondent": Respondent.LINE_MANAGER.value,
            "course": None,
            "intro": intro,
        },
    )
    if created:
        item_model.objects.bulk_create(
            item_model(questionnaire=current, order=order, **{**spec, "kind": str(spec["kind"])})
            for order, spec in enumerate(items, start=1)
        )
    return current


@transaction.atomic
def ensure_manager_questionnaire() -> Questionnaire:
    """The line manager's stage-2 questionnaire (seeded by migration 0004; tests flush it)."""
    return seed_manager_questionnaire(Questionnaire, Item)


@transaction.atomic
def ensure_default_questionnaires() -> dict[str, Questionnaire]:
    """Create the default pre, post and stage-2 questionnaires if missing; return them by stage."""
    result = {}
    for stage, (family, name, intro, items) in DEFAULTS.items():
        current = (
            Questionnaire.objects.filter(family=family, is_current=True)
            .order_by("-version")
            .first()
        )
        if current is None:
            current, created = Questionnaire.objects.get_or_create(
                family=family,
                version=1,
                defaults={"name": name, "stage": stage, "course": None, "intro": intro},
            )
            if created:
                Item.objects.bulk_create(
                    Item(questionnaire=current, order=order, **spec)
                    for order, spec in enumerate(items, start=1)
                )
        result[stage] = current
    ensure_manager_questionnaire()
    return result
