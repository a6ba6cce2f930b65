"""Render Django form fields with GOV.UK Frontend classes (no JavaScript needed)."""

import copy

from django import template

register = template.Library()

_CLASSES = {
    "select": ("govuk-select", "govuk-select--error"),
    "textarea": ("govuk-textarea", "govuk-textarea--error"),
    "checkbox": ("govuk-checkboxes__input", ""),
    "radio": ("govuk-radios__input", ""),
}


@register.simple_tag
def govuk_hint(field, hint="", nohint=False):
    """The hint to show: an explicit one, else the field's help text; none with nohint."""
    if nohint:
        return ""
    return hint or field.help_text or ""


@register.simple_tag
def govuk_widget(field, width_class: str = "", hint_text: str = ""):
    """The field's input with GOV.UK classes, its error state and aria-describedby."""
    base, error = _CLASSES.get(field.widget_type, ("govuk-input", "govuk-input--error"))
    classes = [base, width_class]
    if field.errors and error:
        classes.append(error)
    described_by = []
    if hint_text:
        described_by.append(f"{field.auto_id}-hint")
    if field.errors:
        described_by.append(f"{field.auto_id}-error")
    # GOV.UK advises against placeholders: they vanish as you type and are often read as values.
    widget = copy.copy(field.field.widget)
    widget.attrs = {k: v for k, v in widget.attrs.items() if k != "placeholder"}
    attrs = {"class": " ".join(c for c in classes if c)}
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    return field.as_widget(widget=widget, attrs=attrs)
