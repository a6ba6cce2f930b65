"""GOV.UK Frontend forms: every app's page forms share these classes and error links."""

from __future__ import annotations

from django import forms
from django.core.validators import MaxValueValidator

from core.clock import year_in_range
from core.text import clean_text

LARGEST_NUMBER = 1_000_000
NUMBER_TOO_LARGE = f"Enter a number no bigger than {LARGEST_NUMBER:,}"
_largest_number = MaxValueValidator(LARGEST_NUMBER, message=NUMBER_TOO_LARGE)


def _cleaning(to_python):
    def wrapped(value):
        return to_python(clean_text(value) if isinstance(value, str) else value)

    return wrapped


class GovukFormMixin:
    """Adds the GOV.UK classes to each widget and marks fields in error (a Form or ModelForm)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.DateField) and year_in_range not in field.validators:
                # Every typed date is in a year the app can work with (core.clock).
                field.validators = [*field.validators, year_in_range]
            if isinstance(field, forms.IntegerField) and field.max_value is None:
                # No count here is that large; without this a huge number met the database's
                # limit and a message quoting 9223372036854775807.
                field.max_value = LARGEST_NUMBER
                field.validators = [*field.validators, _largest_number]
            widget = field.widget
            if isinstance(widget, forms.RadioSelect):
                continue
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "govuk-checkboxes__input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "govuk-select")
            elif isinstance(widget, forms.Textarea):
                widget.attrs.setdefault("class", "govuk-textarea")
                widget.attrs["rows"] = 4
            else:
                widget.attrs.setdefault("class", "govuk-input")

    def full_clean(self):
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and not hasattr(field, "_cleans_text"):
                # Control characters are removed where text comes in (core.text).
                field.to_python = _cleaning(field.to_python)
                field._cleans_text = True
        super().full_clean()
        self.mark_errors()

    def mark_errors(self):
        """Give the fields in error the GOV.UK error class and point them at the message."""
        for name in self.errors:
            if name not in self.fields:
                continue
            widget = self.fields[name].widget
            css = widget.attrs.get("class", "")
            if css and "--error" not in css and not css.endswith("__input"):
                widget.attrs["class"] = f"{css} {css.split()[0]}--error"
            auto_id = self[name].auto_id
            hint = f"{auto_id}_helptext " if self.fields[name].help_text else ""
            widget.attrs["aria-describedby"] = f"{hint}{auto_id}-error"

    def error_links(self) -> list[tuple[str, str]]:
        """(anchor, message) for the error summary: each links to its field's first input."""
        links = []
        for name, errors in self.errors.items():
            if name in self.fields:
                bound = self[name]
                subwidgets = bound.subwidgets
                # A select's options carry no id: link to the select itself.
                anchor = (subwidgets[0].id_for_label if subwidgets else "") or bound.auto_id
            else:
                anchor = ""
            links.extend((anchor, message) for message in errors)
        return links

    def add_service_error(self, error) -> None:
        """Put a BookingError on the field it names (or on the form as a whole)."""
        field = error.field if error.field in self.fields else None
        self.add_error(field, error.message)
        self.mark_errors()


class GovukForm(GovukFormMixin, forms.Form):
    """A plain form with the GOV.UK classes."""
