from django import forms
from django.utils import timezone

from bookings.forms import GovukForm
from competency import services
from competency.models import JobRole, Level
from core.forms import GovukFormMixin
from people.models import Organisation


class StaffRoleForm(GovukForm):
    job_role = forms.ModelChoiceField(
        queryset=None,
        label="Your job role",
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose your job role.",
            "invalid_choice": "Choose one of the roles listed.",
        },
    )

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["job_role"].queryset = roles


# --- the lead's framework pages (/manage/framework/) ----------------------------------------


class LevelForm(GovukFormMixin, forms.ModelForm):
    class Meta:
        model = Level
        fields = ["number", "name", "description", "refresher_months"]
        labels = {
            "number": "Number",
            "name": "Name",
            "description": "Who it is for (optional)",
            "refresher_months": "Refresher interval, in months",
        }
        help_texts = {
            "number": "From 1 (the first level) to 4: the levels a course can achieve.",
            "refresher_months": "How long training at this level stays in date, for example 36.",
        }
        error_messages = {
            "number": {
                "required": "Enter the level's number.",
                "invalid": "Enter the number as a whole number, for example 2.",
                "min_value": "Enter a number from 1 to 9.",
                "max_value": "Enter a number from 1 to 9.",
                "unique": services.LEVEL_NUMBER_TAKEN,
            },
            "name": {"required": "Enter the level's name."},
            "refresher_months": {
                "required": "Enter the refresher interval in months.",
                "invalid": "Enter the interval as a whole number of months, for example 36.",
                "min_value": "Enter an interval from 1 to 120 months.",
                "max_value": "Enter an interval from 1 to 120 months.",
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("number", "refresher_months"):
            self.fields[name].widget.attrs["class"] += " govuk-input--width-4"


class JobRoleForm(GovukFormMixin, forms.ModelForm):
    """A job role, and a select per priority area for the level it needs there."""

    class Meta:
        model = JobRole
        fields = ["name", "sector", "description"]
        labels = {
            "name": "Name",
            "sector": "Sector",
            "description": "Description (optional)",
        }
        help_texts = {
            "sector": "Choose \u201cAny sector\u201d for a role held in every sector, such as "
            "volunteers."
        }
        error_messages = {"name": {"required": "Enter the job role's name."}}

    def __init__(self, *args, priority_areas, levels, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sector"].choices = [("", "Any sector"), *Organisation.Sector.choices]
        self.priority_areas = list(priority_areas)
        choices = [("", "Not required")] + [(str(lv.number), str(lv)) for lv in levels]
        current = {}
        if self.instance.pk:
            current = {r.priority_area_id: r.level for r in self.instance.requirements.all()}
        for area in self.priority_areas:
            self.fields[f"area_{area.pk}"] = forms.TypedChoiceField(
                label=area.name,
                choices=choices,
                coerce=int,
                empty_value=None,
                required=False,
                initial=current.get(area.pk),
                error_messages={"invalid_choice": services.REQUIREMENT_NOT_A_LEVEL},
                widget=forms.Select(attrs={"class": "govuk-select"}),
            )

    def area_fields(self):
        return [self[f"area_{area.pk}"] for area in self.priority_areas]

    def requirements(self) -> dict:
        return {area: self.cleaned_data.get(f"area_{area.pk}") for area in self.priority_areas}


class StaffCountForm(GovukForm):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.partners(),
        label="Organisation",
        empty_label="Choose an organisation",
        error_messages={
            "required": "Choose the organisation.",
            "invalid_choice": "Choose one of the organisations listed.",
        },
    )
    staff = forms.IntegerField(
        label="Staff in scope",
        help_text="Everyone who should hold safeguarding training, with an account or not.",
        min_value=1,
        max_value=1_000_000,
        error_messages={
            "required": services.STAFF_COUNT_TOO_SMALL,
            "invalid": "Enter the count as a whole number, for example 250.",
            "min_value": services.STAFF_COUNT_TOO_SMALL,
            "max_value": "Enter a count of no more than 1,000,000.",
        },
        widget=forms.NumberInput(attrs={"class": "govuk-input govuk-input--width-5"}),
    )
    as_of = forms.DateField(
        label="As of",
        help_text="The day the count was true, for example 31/03/2026.",
        widget=forms.DateInput(
            attrs={"type": "date", "class": "govuk-input govuk-input--width-10"}, format="%Y-%m-%d"
        ),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={
            "required": "Enter the date of the count.",
            "invalid": "Enter a real date.",
        },
    )


class StaffBookForm(GovukForm):
    """An organisation manager books a place for one of their staff (MANAGER_CAN_BOOK)."""

    event = forms.ModelChoiceField(
        queryset=None,
        label="Event",
        empty_label="Choose an event",
        error_messages={
            "required": "Choose the event to book.",
            "invalid_choice": "Choose one of the events listed.",
        },
    )

    def __init__(self, *args, events, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event"].queryset = events
        self.fields["event"].label_from_instance = lambda event: (
            f"{event.course.title}, {timezone.localtime(event.start):%a %d %b %Y, %H:%M}"
        )
