"""The catalogue's filters: a GET form that works without JavaScript and reports bad values."""

from __future__ import annotations

import re
from datetime import date

import django_filters
from django import forms
from django.db.models import F

from core.clock import day_start, london_today
from courses.models import Course, PriorityArea
from courses.selectors import course_search_q, event_search_q

MONTHS_OFFERED = 12

MONTH_INVALID = "Enter a month in the format 2026-12, or choose one from the list"
SEARCH_TOO_LONG = "Search for 100 characters or fewer"

_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_choices(today: date | None = None) -> list[tuple[str, str]]:
    """The next twelve months (Europe/London), as ("2026-12", "December 2026") pairs."""
    first = (today or london_today()).replace(day=1)
    months = (_add_months(first, i) for i in range(MONTHS_OFFERED))
    return [(f"{m:%Y-%m}", f"{m:%B %Y}") for m in months]


class MonthField(forms.Field):
    """A "YYYY-MM" month, cleaned to the date of its first day; rendered as a select of months."""

    default_error_messages = {"invalid": MONTH_INVALID}

    def to_python(self, value):
        value = (value or "").strip()
        if not value:
            return None
        match = _MONTH_RE.match(value)
        if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1900:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return date(int(match.group(1)), int(match.group(2)), 1)


class MonthFilter(django_filters.Filter):
    field_class = MonthField

    def filter(self, qs, value):
        if value is None:
            return qs
        # Month boundaries are London midnights; events are stored in UTC.
        start = day_start(value)
        end = day_start(_add_months(value, 1))
        return qs.filter(start__gte=start, start__lt=end)


class EventCatalogueFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="filter_search",
        max_length=100,
        help_text="Course title (current or former), priority area, summary or learning outcomes",
    )
    priority_area = django_filters.ModelChoiceFilter(
        label="Priority area",
        field_name="course__priority_area",
        queryset=PriorityArea.objects.order_by("name"),
        empty_label="All priority areas",
    )
    audience = django_filters.ChoiceFilter(
        label="Audience",
        choices=Course.Audience.choices,
        method="filter_audience",
        empty_label="All audiences",
        help_text="Courses for all ages are included under children and under adults",
    )
    level = django_filters.ChoiceFilter(
        label="Level",
        field_name="course__competency_level",
        choices=Course.Level.choices,
        empty_label="Any level",
    )
    mode = django_filters.ChoiceFilter(
        label="How it is delivered",
        field_name="course__delivery_mode",
        choices=Course.DeliveryMode.choices,
        empty_label="Any way",
    )
    month = MonthFilter(label="Month")
    places_left = django_filters.BooleanFilter(
        label="Only show events with places left",
        method="filter_places_left",
        widget=forms.CheckboxInput(attrs={"class": "govuk-checkboxes__input"}),
    )

    class Meta:
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        form = self.form
        form.fields["q"].error_messages["max_length"] = SEARCH_TOO_LONG
        form.fields["q"].widget = forms.SearchInput(
            attrs={"class": "govuk-input", "maxlength": "100", "spellcheck": "false"}
        )
        for name in ("priority_area", "audience", "level", "mode"):
            form.fields[name].widget.attrs["class"] = "govuk-select"
        choices = [("", "Any month"), *month_choices()]
        chosen = (self.data or {}).get("month", "")
        if chosen and chosen not in dict(choices):
            # Keep a month from a shared link selectable (and a bad value visible with its error).
            choices.append((chosen, chosen))
        form.fields["month"].widget = forms.Select(choices=choices, attrs={"class": "govuk-select"})
        form.fields["places_left"].required = False
        for bound in form:
            if bound.help_text:
                bound.field.widget.attrs["aria-describedby"] = f"{bound.auto_id}-hint"

    def filter_search(self, queryset, name, value):
        return queryset.filter(event_search_q(value)) if value.strip() else queryset

    def filter_audience(self, queryset, name, value):
        if value in (Course.Audience.CHILDREN, Course.Audience.ADULTS):
            return queryset.filter(course__audience__in=[value, Course.Audience.ALL])
        return queryset.filter(course__audience=value)

    def filter_places_left(self, queryset, name, value):
        # `places_taken` is annotated by with_places_taken(): compared in the same query.
        return queryset.filter(places_taken__lt=F("capacity")) if value else queryset


class CourseCatalogueFilter(django_filters.FilterSet):
    """The list of courses (/courses/): the event catalogue's course filters, no dates."""

    q = django_filters.CharFilter(
        label="Search",
        method="filter_search",
        max_length=100,
        help_text="Course title (current or former), priority area, summary or learning outcomes",
    )
    priority_area = django_filters.ModelChoiceFilter(
        label="Priority area",
        queryset=PriorityArea.objects.order_by("name"),
        empty_label="All priority areas",
    )
    audience = django_filters.ChoiceFilter(
        label="Audience",
        choices=Course.Audience.choices,
        method="filter_audience",
        empty_label="All audiences",
        help_text="Courses for all ages are included under children and under adults",
    )
    level = django_filters.ChoiceFilter(
        label="Level",
        field_name="competency_level",
        choices=Course.Level.choices,
        empty_label="Any level",
    )
    mode = django_filters.ChoiceFilter(
        label="How it is delivered",
        field_name="delivery_mode",
        choices=Course.DeliveryMode.choices,
        empty_label="Any way",
    )

    class Meta:
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        form = self.form
        form.fields["q"].error_messages["max_length"] = SEARCH_TOO_LONG
        form.fields["q"].widget = forms.SearchInput(
            attrs={"class": "govuk-input", "maxlength": "100", "spellcheck": "false"}
        )
        for name in ("priority_area", "audience", "level", "mode"):
            form.fields[name].widget.attrs["class"] = "govuk-select"
        for bound in form:
            if bound.help_text:
                bound.field.widget.attrs["aria-describedby"] = f"{bound.auto_id}-hint"

    def filter_search(self, queryset, name, value):
        return queryset.filter(course_search_q(value)) if value.strip() else queryset

    def filter_audience(self, queryset, name, value):
        if value in (Course.Audience.CHILDREN, Course.Audience.ADULTS):
            return queryset.filter(audience__in=[value, Course.Audience.ALL])
        return queryset.filter(audience=value)


def govuk_mark_errors(form: forms.Form) -> None:
    """Point each invalid field's widget at its error message and give it the error style."""
    for name in form.errors:
        if name not in form.fields:
            continue
        widget = form.fields[name].widget
        described = f"{form[name].auto_id}-error"
        existing = widget.attrs.get("aria-describedby", "")
        widget.attrs["aria-describedby"] = f"{existing} {described}".strip()
        css = widget.attrs.get("class", "")
        for base in ("govuk-select", "govuk-input", "govuk-textarea"):
            if base in css.split():
                widget.attrs["class"] = f"{css} {base}--error"
