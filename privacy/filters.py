"""The audit trail's filters: a GET form that works without JavaScript and reports bad dates on
their field (privacy.forms.AuditTrailForm)."""

from __future__ import annotations

from datetime import timedelta

import django_filters
from django import forms

from core.clock import day_start
from privacy import selectors, trail
from privacy.forms import DATE_INVALID, AuditTrailForm

RECORD_TOO_LONG = "Search for 100 characters or fewer"


def _date_filter(label: str, which: str, method: str) -> django_filters.DateFilter:
    return django_filters.DateFilter(
        label=label,
        method=method,
        help_text="For example, 31/03/2026",
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(
            attrs={"type": "date", "class": "govuk-input govuk-input--width-10"},
            format="%Y-%m-%d",
        ),
        error_messages={"invalid": DATE_INVALID.format(which=which)},
    )


class AuditTrailFilter(django_filters.FilterSet):
    object_type = django_filters.ChoiceFilter(
        label="Kind of record", choices=[], empty_label="All kinds of record"
    )
    action = django_filters.ChoiceFilter(label="Action", choices=[], empty_label="All actions")
    actor = django_filters.ModelChoiceFilter(
        label="Who",
        queryset=None,
        empty_label="Anyone",
        null_label=f"{trail.SYSTEM} (nobody signed in)",
    )
    record = django_filters.CharFilter(
        label="Record",
        method="filter_record",
        max_length=100,
        help_text="Part of its description, for example a questionnaire's name or “Person 12”",
    )
    start = _date_filter("From", "from", "filter_start")
    end = _date_filter("To", "to", "filter_end")

    class Meta:
        form = AuditTrailForm
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        types = selectors.audit_object_types()
        self.filters["object_type"].extra["choices"] = sorted(
            ((t, trail.object_type_label(t)) for t in types), key=lambda c: c[1]
        )
        self.filters["action"].extra["choices"] = sorted(
            ((a, trail.action_label(a)) for a in selectors.audit_actions()), key=lambda c: c[1]
        )
        self.filters["actor"].extra["queryset"] = selectors.audit_actors()
        form = self.form
        form.fields["actor"].label_from_instance = trail.actor_name
        form.fields["record"].error_messages["max_length"] = RECORD_TOO_LONG
        form.fields["record"].widget = forms.TextInput(
            attrs={"class": "govuk-input", "maxlength": "100", "spellcheck": "false"}
        )

    def filter_record(self, queryset, name, value):
        text = value.strip()
        return queryset.filter(object_repr__icontains=text) if text else queryset

    def filter_start(self, queryset, name, value):
        # London days; entries are stored in UTC.
        return queryset.filter(at__gte=day_start(value))

    def filter_end(self, queryset, name, value):
        return queryset.filter(at__lt=day_start(value + timedelta(days=1)))
