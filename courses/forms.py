"""Input validation for the catalogue's admin forms; the rules themselves live in services."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from courses.models import Course, Event
from courses.selectors import course_get_by_any_title
from courses.services import (
    COURSE_RENAME_TO_FORMER_TITLE,
    COURSE_TITLE_TAKEN,
    EVENT_CAPACITY_BELOW_ONE,
    event_validate,
)


def _formfield(db_field, **kwargs):
    # Joining links are https; also silences Django 6's change of the default scheme.
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


class EventForm(forms.ModelForm):
    """An event as the L&D lead edits it: times in order, at least one place, no overbooking.

    No status or cancellation reason: an event is cancelled by `bookings.services.event_cancel`
    (which tells everyone booked) and marked delivered by the register.
    """

    class Meta:
        model = Event
        fields = [
            "course",
            "start",
            "end",
            "capacity",
            "places_per_organisation",
            "venue",
            "joining_link",
            "joining_instructions",
            "trainers",
            "notice_working_days",
            "external_ref",
        ]
        error_messages = {"capacity": {"min_value": EVENT_CAPACITY_BELOW_ONE}}
        formfield_callback = _formfield

    def clean(self):
        cleaned = super().clean()
        probe = Event(
            pk=self.instance.pk,
            start=cleaned.get("start"),
            end=cleaned.get("end"),
            capacity=cleaned.get("capacity"),
        )
        try:
            event_validate(event=probe)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                if field not in self.errors:
                    self.add_error(field, messages)
        return cleaned


class CourseForm(forms.ModelForm):
    """A course; a changed title becomes a rename (see CourseAdmin.save_model)."""

    class Meta:
        model = Course
        fields = [
            "title",
            "slug",
            "summary",
            "learning_outcomes",
            "priority_area",
            "audience",
            "competency_level",
            "delivery_mode",
            "launch_url",
            "is_published",
            "retired_on",
            "prerequisites",
        ]
        formfield_callback = _formfield

    def clean_title(self):
        title = " ".join(self.cleaned_data["title"].split())
        if self.instance.pk and title.casefold() == self.instance.title.casefold():
            return title
        holder = course_get_by_any_title(title)
        if holder is not None and holder.pk != self.instance.pk:
            raise ValidationError(COURSE_TITLE_TAKEN)
        if self.instance.pk and self.instance.names.filter(title__iexact=title).exists():
            raise ValidationError(COURSE_RENAME_TO_FORMER_TITLE)
        return title


# --- The L&D lead's course pages (/manage/courses/) ------------------------------------------

COURSE_TITLE_MISSING = "Enter the course's title"
COURSE_SUMMARY_MISSING = "Enter a summary of the course"
COURSE_PRIORITY_MISSING = "Choose the course's priority area"
COURSE_LAUNCH_URL_INVALID = "Enter a web address, like https://learning.example.org/module"
MANAGE_SEARCH_TOO_LONG = "Search for 100 characters or fewer"


class GovukFormMixin:
    """GOV.UK classes on each widget; fields in error get the error style and point at it."""

    def _style_widgets(self):
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                continue
            if isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "govuk-select")
            elif isinstance(widget, forms.Textarea):
                widget.attrs.setdefault("class", "govuk-textarea")
                widget.attrs.setdefault("rows", 5)
            else:
                widget.attrs.setdefault("class", "govuk-input")
            if field.help_text:
                widget.attrs["aria-describedby"] = f"{self[name].auto_id}_helptext"

    def mark_errors(self):
        for name in self.errors:
            if name not in self.fields:
                continue
            widget = self.fields[name].widget
            css = widget.attrs.get("class", "")
            if css and "--error" not in css:
                widget.attrs["class"] = f"{css} {css.split()[0]}--error"
            auto_id = self[name].auto_id
            hint = f"{auto_id}_helptext " if self.fields[name].help_text else ""
            widget.attrs["aria-describedby"] = f"{hint}{auto_id}-error"

    def error_links(self) -> list[tuple[str, str]]:
        """(anchor, message) for the error summary: each links to its field's first input."""
        links = []
        for name, errors in self.errors.items():
            anchor = ""
            if name in self.fields:
                subwidgets = self[name].subwidgets
                anchor = subwidgets[0].id_for_label if subwidgets else self[name].auto_id
            links.extend((anchor, message) for message in errors)
        return links


class CourseManageForm(GovukFormMixin, forms.Form):
    """A course as the L&D lead creates, edits or copies it; the rules live in the services."""

    title = forms.CharField(
        label="Title", max_length=200, error_messages={"required": COURSE_TITLE_MISSING}
    )
    summary = forms.CharField(
        label="Summary",
        widget=forms.Textarea,
        help_text="What the course is about and who it is for, as the catalogue shows it",
        error_messages={"required": COURSE_SUMMARY_MISSING},
    )
    learning_outcomes = forms.CharField(
        label="Learning outcomes",
        widget=forms.Textarea,
        required=False,
        help_text="One learning outcome per line",
    )
    priority_area = forms.ModelChoiceField(
        label="Priority area",
        queryset=None,
        empty_label="Choose a priority area",
        error_messages={"required": COURSE_PRIORITY_MISSING},
    )
    audience = forms.ChoiceField(
        label="For people working with",
        choices=Course.Audience.choices,
        initial=Course.Audience.ALL,
        widget=forms.RadioSelect,
    )
    competency_level = forms.TypedChoiceField(
        label="Level",
        choices=Course.Level.choices,
        coerce=int,
        initial=Course.Level.L2,
        widget=forms.RadioSelect,
    )
    delivery_mode = forms.ChoiceField(
        label="How it is delivered",
        choices=Course.DeliveryMode.choices,
        initial=Course.DeliveryMode.FACE_TO_FACE,
        widget=forms.RadioSelect,
    )
    launch_url = forms.URLField(
        label="Launch link (e-learning only)",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="The https address where the module is taken, for example "
        "https://learning.example.org/module",
        error_messages={"invalid": COURSE_LAUNCH_URL_INVALID},
    )
    prerequisites = forms.ModelMultipleChoiceField(
        label="Prerequisites",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Courses a delegate must have attended, or e-learning modules completed, "
        "before booking this one",
    )

    def __init__(self, *args, course: Course | None = None, **kwargs):
        from courses.models import PriorityArea
        from courses.selectors import course_prerequisite_choices

        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["priority_area"].queryset = PriorityArea.objects.order_by("name")
        choices = course_prerequisite_choices(exclude=course)
        if course is not None and course.pk is not None:
            # Keep a prerequisite that has since been retired selectable (and visible).
            choices = (choices | course.prerequisites.all()).distinct()
        self.fields["prerequisites"].queryset = choices
        self._style_widgets()

    @staticmethod
    def initial_from(course: Course) -> dict:
        return {
            "title": course.title,
            "summary": course.summary,
            "learning_outcomes": course.learning_outcomes,
            "priority_area": course.priority_area_id,
            "audience": course.audience,
            "competency_level": course.competency_level,
            "delivery_mode": course.delivery_mode,
            "launch_url": course.launch_url,
            "prerequisites": [c.pk for c in course.prerequisites.all()],
        }

    def full_clean(self):
        super().full_clean()
        self.mark_errors()

    def add_service_errors(self, error: ValidationError) -> None:
        """Put a service's ValidationError (keyed by field) on the fields it names."""
        if hasattr(error, "error_dict"):
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        else:
            self.add_error(None, error)
        self.mark_errors()


class CourseManageSearchForm(GovukFormMixin, forms.Form):
    STATUS_CHOICES = [("live", "Offered now"), ("retired", "Retired"), ("all", "All courses")]

    q = forms.CharField(
        label="Search courses",
        required=False,
        max_length=100,
        error_messages={"max_length": MANAGE_SEARCH_TOO_LONG},
        widget=forms.SearchInput(attrs={"spellcheck": "false"}),
    )
    status = forms.ChoiceField(label="Show", choices=STATUS_CHOICES, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self._style_widgets()

    def full_clean(self):
        super().full_clean()
        self.mark_errors()


class RetireForm(forms.Form):
    """Nothing to fill in: the POST is the lead's confirmation."""
