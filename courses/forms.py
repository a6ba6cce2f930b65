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
