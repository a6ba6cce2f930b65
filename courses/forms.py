"""Input validation for the catalogue's admin forms; the rules themselves live in services."""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from core.clock import LONDON
from courses.models import Course, Event
from courses.selectors import course_get_by_any_title
from courses.services import (
    COURSE_RENAME_TO_FORMER_TITLE,
    COURSE_TITLE_TAKEN,
    EVENT_CAPACITY_BELOW_ONE,
    SESSIONS_MAX,
    SESSIONS_NONE,
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
            "is_published",
            "prerequisites",
        ]

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


class EventSessionsForm(forms.Form):
    """An event's sessions as rows of a date, a start and an end time (London), each removable.

    A row left wholly blank is ignored, so "Add another session" can offer an empty one. The
    rules (end after start, no overlap, at most SESSIONS_MAX) are the service's
    (courses.services.event_sessions_set); `add_problems` puts its refusals on their fields.
    """

    DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]

    def __init__(self, *args, rows: int, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.row_count = max(1, min(rows, SESSIONS_MAX))
        for i in range(self.row_count):
            n = i + 1
            self.fields[f"s{i}-date"] = forms.DateField(
                label=f"Date of session {n}",
                required=False,
                input_formats=self.DATE_FORMATS,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                error_messages={"invalid": "Enter a real date"},
            )
            self.fields[f"s{i}-start"] = forms.TimeField(
                label=f"Start time of session {n}",
                required=False,
                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                error_messages={"invalid": "Enter a time, for example 09:30"},
            )
            self.fields[f"s{i}-end"] = forms.TimeField(
                label=f"End time of session {n}",
                required=False,
                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                error_messages={"invalid": "Enter a time, for example 13:00"},
            )
            self.fields[f"s{i}-remove"] = forms.BooleanField(
                label=f"Remove session {n}", required=False
            )
        for name, field in self.fields.items():
            if name.endswith("-remove"):
                field.widget.attrs["class"] = "govuk-checkboxes__input"
            elif name.endswith("-date"):
                field.widget.attrs["class"] = "govuk-input govuk-input--width-10"
            else:
                field.widget.attrs["class"] = "govuk-input govuk-input--width-5"

    def rows(self):
        """(number, date, start, end, remove) bound fields for each row."""
        for i in range(self.row_count):
            yield (
                i + 1,
                self[f"s{i}-date"],
                self[f"s{i}-start"],
                self[f"s{i}-end"],
                self[f"s{i}-remove"],
            )

    def clean(self):
        cleaned = super().clean()
        self.kept: list[int] = []  # the row behind each session given to the service
        for i in range(self.row_count):
            if cleaned.get(f"s{i}-remove"):
                continue
            names = [f"s{i}-date", f"s{i}-start", f"s{i}-end"]
            if any(name in self.errors for name in names):
                self.kept.append(i)
                continue
            values = [cleaned.get(name) for name in names]
            if not any(values):
                continue  # a blank row
            self.kept.append(i)
            for name, value, what in zip(
                names, values, ("date", "start time", "end time"), strict=True
            ):
                if value is None:
                    self.add_error(name, f"Enter the {what} of session {i + 1}")
        if not self.errors and not self.kept:
            raise ValidationError(SESSIONS_NONE)
        return cleaned

    def times(self) -> list[tuple[datetime, datetime]]:
        """The sessions kept, as London times, in the order of the rows."""
        out = []
        for i in self.kept:
            day = self.cleaned_data[f"s{i}-date"]
            out.append(
                (
                    datetime.combine(day, self.cleaned_data[f"s{i}-start"], tzinfo=LONDON),
                    datetime.combine(day, self.cleaned_data[f"s{i}-end"], tzinfo=LONDON),
                )
            )
        return out

    def add_problems(self, problems) -> None:
        """Put the service's refusals on the rows they name (or on the form)."""
        for problem in problems:
            if problem.index is None or problem.index >= len(self.kept):
                self.add_error(None, problem.message)
                continue
            row = self.kept[problem.index]
            name = f"s{row}-{'end' if problem.field == 'end' else 'start'}"
            self.add_error(name, problem.message)

    def mark_errors(self) -> None:
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                if "--error" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] += " govuk-input--error"
                widget.attrs["aria-describedby"] = f"{self[name].auto_id}-error"

    def error_links(self) -> list[tuple[str, str]]:
        links = []
        for name, errors in self.errors.items():
            anchor = self[name].auto_id if name in self.fields else ""
            links.extend((anchor, message) for message in errors)
        return links


def sessions_initial(sessions) -> dict:
    """The form's initial values for an event's sessions (EventSession rows or (start, end))."""
    initial = {}
    for i, (start, end) in enumerate(sessions):
        start, end = start.astimezone(LONDON), end.astimezone(LONDON)
        initial[f"s{i}-date"] = start.date()
        initial[f"s{i}-start"] = start.time().replace(second=0, microsecond=0)
        initial[f"s{i}-end"] = end.time().replace(second=0, microsecond=0)
    return initial
