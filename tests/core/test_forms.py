"""The GOV.UK form mixin: every error in the summary links to its field's first input."""

from django import forms

from core.forms import GovukForm


class Example(GovukForm):
    name = forms.CharField()
    colour = forms.ChoiceField(choices=[("", "Choose"), ("red", "Red")])
    size = forms.ChoiceField(choices=[("s", "Small"), ("l", "Large")], widget=forms.RadioSelect)


def test_each_error_links_to_its_input_a_select_and_radios_included():
    form = Example({})
    assert not form.is_valid()
    anchors = {anchor for anchor, _ in form.error_links()}
    assert anchors == {"id_name", "id_colour", "id_size_0"}
