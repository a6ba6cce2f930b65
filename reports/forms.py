"""The report's period and filters (a GET form), and the publishable-answers filter."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from django import forms

from core.clock import year_in_range
from courses.models import Course, PriorityArea
from people.models import Organisation
from reports.periods import default_period, presets
from reports.selectors import ReportFilters

END_BEFORE_START = "The end date must be the same as or after the start date"
PERIOD_TOO_LONG = "Choose a period of 10 years or less"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs={"class": "govuk-input govuk-input--width-10", **(attrs or {})})


def _select(attrs=None):
    return forms.Select(attrs={"class": "govuk-select", **(attrs or {})})


class ReportForm(forms.Form):
    start = forms.DateField(
        label="From",
        widget=DateInput(),
        help_text="For example, 2022-04-01",
        validators=[year_in_range],
    )
    end = forms.DateField(
        label="To",
        widget=DateInput(),
        help_text="For example, 2023-03-31",
        validators=[year_in_range],
    )
    priority_area = forms.ModelChoiceField(
        PriorityArea.objects.all(), required=False, empty_label="All", widget=_select()
    )
    course = forms.ModelChoiceField(
        Course.objects.all(), required=False, empty_label="All", widget=_select()
    )
    audience = forms.ChoiceField(
        choices=[("", "All"), *Course.Audience.choices], required=False, widget=_select()
    )
    delivery_mode = forms.ChoiceField(
        choices=[("", "All"), *Course.DeliveryMode.choices], required=False, widget=_select()
    )
    organisation = forms.ModelChoiceField(
        Organisation.objects.all(), required=False, empty_label="All", widget=_select()
    )
    sector = forms.ChoiceField(
        choices=[("", "All"), *Organisation.Sector.choices], required=False, widget=_select()
    )

    def __init__(self, data=None, *, organisation: Organisation | None = None, today=None):
        """`organisation`: the viewer may only see this one (an organisation manager)."""
        data = data.copy() if data is not None else {}
        if hasattr(data, "setlist"):
            data = {k: data.get(k) for k in data}
        self.today = today
        # The period chosen in the address, else the default (and why, when it is last year).
        self.default_reason = ""
        if not (data.get("start") and data.get("end")):
            default = default_period(today)
            if not (data.get("start") or data.get("end")):
                self.default_reason = default.reason
            data["start"] = data.get("start") or default.start.isoformat()
            data["end"] = data.get("end") or default.end.isoformat()
        self.fixed_organisation = organisation
        if organisation is not None:
            # Whatever the address says, an organisation manager sees their own organisation.
            data["organisation"] = str(organisation.pk)
            data["sector"] = ""
        super().__init__(data)
        self.fields["priority_area"].label = "Priority area"
        self.fields["delivery_mode"].label = "Delivery mode"
        if organisation is not None:
            self.fields["organisation"].queryset = Organisation.objects.filter(pk=organisation.pk)
            self.fields["organisation"].disabled = True
            self.fields["organisation"].initial = organisation.pk
            del self.fields["sector"]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if end < start:
                self.add_error("end", END_BEFORE_START)
            elif (end - start).days > 3660:
                self.add_error("end", PERIOD_TOO_LONG)
        return cleaned

    @property
    def filters_used(self) -> bool:
        keys = ("priority_area", "course", "audience", "delivery_mode", "organisation", "sector")
        return any(self.data.get(k) for k in keys) and self.fixed_organisation is None

    def presets(self) -> list[dict]:
        """This year, last year, last quarter: each a label, the query string that keeps the
        other filters, and whether it is the period shown."""
        kept = {
            k: v
            for k, v in self.data.items()
            if k not in ("start", "end", "page") and v and k in self.fields
        }
        return [
            {
                "label": p.label,
                "query": urlencode({**kept, "start": p.start, "end": p.end}),
                "current": self.data.get("start") == p.start.isoformat()
                and self.data.get("end") == p.end.isoformat(),
            }
            for p in presets(self.today)
        ]

    def period(self) -> tuple[date, date]:
        return self.cleaned_data["start"], self.cleaned_data["end"]

    def filters(self) -> ReportFilters:
        data = self.cleaned_data

        def pk(value):
            return value.pk if value is not None else None

        organisation = (
            self.fixed_organisation.pk if self.fixed_organisation else pk(data.get("organisation"))
        )
        return ReportFilters(
            priority_area=pk(data.get("priority_area")),
            course=pk(data.get("course")),
            audience=data.get("audience") or None,
            delivery_mode=data.get("delivery_mode") or None,
            organisation=organisation,
            sector=(data.get("sector") or None) if not self.fixed_organisation else None,
        )


class ComplianceFilterForm(forms.Form):
    """The lead's compliance page: narrow to a sector or a priority area (a GET form)."""

    sector = forms.ChoiceField(
        label="Sector",
        choices=[("", "All"), *Organisation.Sector.choices],
        required=False,
        widget=_select(),
        error_messages={"invalid_choice": "Choose one of the sectors listed"},
    )
    priority_area = forms.ModelChoiceField(
        PriorityArea.objects.order_by("name"),
        label="Priority area",
        required=False,
        empty_label="All",
        widget=_select(),
        error_messages={"invalid_choice": "Choose one of the priority areas listed"},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["class"] += " govuk-select--error"
                self.fields[name].widget.attrs["aria-describedby"] = f"id_{name}-error"
