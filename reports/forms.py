"""The report's period and filters (a GET form), and the publishable-answers filter."""

from __future__ import annotations

from datetime import date

from django import forms

from courses.models import Course, PriorityArea
from people.models import Organisation
from reports.periods import current_reporting_year
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
    start = forms.DateField(label="From", widget=DateInput(), help_text="For example, 2022-04-01")
    end = forms.DateField(label="To", widget=DateInput(), help_text="For example, 2023-03-31")
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
        start, end = current_reporting_year(today)
        data = data.copy() if data is not None else {}
        if hasattr(data, "setlist"):
            data = {k: data.get(k) for k in data}
        data.setdefault("start", start.isoformat())
        data.setdefault("end", end.isoformat())
        data["start"] = data["start"] or start.isoformat()
        data["end"] = data["end"] or end.isoformat()
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
