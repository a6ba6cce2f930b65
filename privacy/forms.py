from django import forms

from core.forms import GovukForm


class PersonFindForm(forms.Form):
    email = forms.EmailField(label="Email address of the person", max_length=254)


class ExportForm(forms.Form):
    format = forms.ChoiceField(
        choices=[("json", "JSON"), ("zip", "ZIP (JSON and a spreadsheet per section)")],
        initial="json",
    )


class AnonymiseForm(forms.Form):
    confirm_email = forms.CharField(
        label="Type the person's email address to confirm",
        max_length=254,
        help_text="This cannot be undone.",
    )


# --- the audit trail's filters (privacy.filters.AuditTrailFilter builds its fields) ---------

DATE_INVALID = "Enter the {which} date as a real date, for example 31/03/2026"
DATE_OUT_OF_RANGE = "Enter a {which} date between the years 2000 and 2100"
DATES_REVERSED = "The to date must be the same as or after the from date"
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


class AuditTrailForm(GovukForm):
    """The GET form of the audit trail: a date range that makes sense (the fields are the
    filterset's)."""

    def _checked_year(self, name: str, which: str):
        value = self.cleaned_data.get(name)
        if value is not None and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
            raise forms.ValidationError(DATE_OUT_OF_RANGE.format(which=which))
        return value

    def clean_start(self):
        return self._checked_year("start", "from")

    def clean_end(self):
        return self._checked_year("end", "to")

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", DATES_REVERSED)
        return data
