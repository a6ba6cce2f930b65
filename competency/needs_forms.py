"""Input of the training needs analysis pages (validation only; the services act)."""

from __future__ import annotations

from django import forms

from competency.needs_selectors import GROUPINGS
from core.forms import GovukForm
from courses.models import PriorityArea
from people.models import Organisation


def _date(label: str, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": f"Enter the {label.lower()}.", "invalid": "Enter a real date."},
        **kwargs,
    )


class NeedsSurveyForm(GovukForm):
    """The survey, and a box of topics (one per line) for each priority area in use."""

    title = forms.CharField(
        label="Title",
        max_length=200,
        error_messages={"required": "Enter a title for the survey."},
    )
    intro = forms.CharField(
        label="Introduction (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea,
        help_text="Shown at the top of the survey and in the email.",
    )
    opens_on = _date("Opening date")
    closes_on = _date("Closing date", help_text="Answers are taken until the end of this day.")

    def __init__(self, *args, areas: list[PriorityArea], **kwargs):
        super().__init__(*args, **kwargs)
        self.areas = areas
        for area in areas:
            self.fields[f"area-{area.pk}"] = forms.CharField(
                label=area.name,
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 3}),
                help_text="One topic a line, e.g. “Recognising neglect in older children”.",
            )

    def area_fields(self):
        return [self[f"area-{area.pk}"] for area in self.areas]

    def clean(self):
        data = super().clean()
        opens, closes = data.get("opens_on"), data.get("closes_on")
        if opens and closes and closes < opens:
            self.add_error(
                "closes_on", "The closing date must be the same as or after the opening date."
            )
        return data


class NeedsSurveyEditForm(NeedsSurveyForm):
    """The same form for a survey that exists: its opening date is fixed, and its topics are
    left out once they are (`topics_fixed`: someone has answered)."""

    def __init__(self, *args, survey, areas: list[PriorityArea], topics_fixed: bool, **kwargs):
        topics: dict[int, list[str]] = {}
        for topic in survey.topics.order_by("order", "id"):
            topics.setdefault(topic.priority_area_id, []).append(topic.text)
        initial = {"title": survey.title, "intro": survey.intro, "closes_on": survey.closes_on}
        initial |= {f"area-{pk}": "\n".join(texts) for pk, texts in topics.items()}
        super().__init__(*args, areas=[] if topics_fixed else areas, initial=initial, **kwargs)
        del self.fields["opens_on"]
        self.fields["closes_on"].help_text = (
            f"Answers are taken until the end of this day. The survey opened on "
            f"{survey.opens_on:%-d %B %Y}."
        )
        self.topics_fixed = topics_fixed


class NeedsSendForm(GovukForm):
    emails = forms.CharField(
        label="Email addresses",
        required=False,
        max_length=200_000,
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 6}),
        help_text="One a line (or separated by commas): people who have an account.",
    )
    organisations = forms.ModelMultipleChoiceField(
        label="Or everyone in these organisations",
        required=False,
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose organisations from the list."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = Organisation.objects.partners().order_by("name")

    def clean(self):
        data = super().clean()
        if (
            not self.errors
            and not (data.get("emails") or "").strip()
            and not data.get("organisations")
        ):
            self.add_error(
                "emails", "Paste at least one email address, or choose at least one organisation."
            )
        return data


class NeedsReportForm(GovukForm):
    by = forms.ChoiceField(
        label="Compare by",
        choices=list(GROUPINGS.items()),
        required=False,
        widget=forms.Select,
    )
    start = _date("From", required=False, help_text="Pre-course answers of events from this day")
    end = _date("To", required=False, help_text="to this day")

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", "The end of the period must be the same as or after its start.")
        if bool(start) != bool(end) and not self.errors:
            self.add_error("start" if not start else "end", "Enter both dates, or neither.")
        return data
