"""The lead's questionnaire builder: its settings and one question at a time (input only; the
services decide what a questionnaire in use may become)."""

from __future__ import annotations

from django import forms

from bookings.forms import GovukForm
from courses.models import Course
from evaluations.models import Item, Respondent, Stage
from evaluations.validation import MANAGER_ONLY_STAGE2, item_problems

KIND_MISSING = "Choose the type of answer: a 1–5 rating, a single choice or free text."


class QuestionnaireSettingsForm(GovukForm):
    name = forms.CharField(label="Name", max_length=200)
    stage = forms.ChoiceField(
        label="When it is sent", choices=Stage.choices, widget=forms.RadioSelect
    )
    respondent = forms.ChoiceField(
        label="Who answers it",
        choices=Respondent.choices,
        initial=Respondent.DELEGATE,
        widget=forms.RadioSelect,
        help_text="A line manager answers only the stage 2 (impact on practice) questionnaire.",
    )
    course = forms.ModelChoiceField(
        Course.objects.order_by("title"),
        label="Course",
        required=False,
        empty_label="Every course (the partnership's default)",
        help_text="A course's own questionnaire replaces the default for that course.",
    )
    intro = forms.CharField(
        label="Introduction (optional)",
        required=False,
        widget=forms.Textarea,
        help_text="Shown above the questions.",
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("respondent") == Respondent.LINE_MANAGER
            and cleaned.get("stage")
            and cleaned["stage"] != Stage.STAGE2
        ):
            self.add_error("respondent", MANAGER_ONLY_STAGE2)
        return cleaned


class ItemForm(GovukForm):
    text = forms.CharField(label="Question", max_length=500)
    help_text = forms.CharField(label="Hint (optional)", max_length=300, required=False)
    kind = forms.ChoiceField(
        label="Type of answer",
        choices=Item.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": KIND_MISSING, "invalid_choice": KIND_MISSING},
    )
    required = forms.BooleanField(label="An answer is required", required=False, initial=True)
    low_label = forms.CharField(
        label="Rating: what 1 means", max_length=60, required=False, initial="Very low"
    )
    high_label = forms.CharField(
        label="Rating: what 5 means", max_length=60, required=False, initial="Very high"
    )
    choices = forms.CharField(
        label="Single choice: the options",
        required=False,
        widget=forms.Textarea,
        help_text="One option per line, at least two.",
    )
    is_learning_gain = forms.BooleanField(
        label="Counts towards learning gain (self-rated knowledge, 1 to 5)", required=False
    )
    is_retrospective = forms.BooleanField(
        label="Looking back: asks after the course what the delegate knew before it",
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            for field, message in item_problems(Item(**cleaned)).items():
                self.add_error(field, message)
        return cleaned
