from django import forms

from bookings.forms import GovukForm


class StaffRoleForm(GovukForm):
    job_role = forms.ModelChoiceField(
        queryset=None,
        label="Your job role",
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose your job role.",
            "invalid_choice": "Choose one of the roles listed.",
        },
    )

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["job_role"].queryset = roles
