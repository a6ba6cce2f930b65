from django import forms


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
