"""Input validation for sign-up, the profile page and the L&D lead's organisation review."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q

from core.forms import GovukForm
from people.domains import DOMAIN_REQUIRED, ORGANISATION_REQUIRED, organisation_domain_validate
from people.models import Organisation
from people.roles import LEAD, ORG_MANAGER, TRAINER
from people.services import (
    ORGANISATION_SET_BY_LEAD,
    organisation_for_email,
    person_organisation_locked,
)

MATCH_BY_EMAIL = ""
NOT_LISTED = "other"

NO_DOMAIN_MATCH = (
    "We could not match your email address to an organisation. Select your organisation, "
    "or select ‘My organisation is not listed’"
)
CHOOSE_ORGANISATION = "Select your organisation, or select ‘My organisation is not listed’"
ORGANISATION_NAME_REQUIRED = "Enter the name of your organisation"
FULL_NAME_REQUIRED = "Enter your full name"
JOB_TITLE_REQUIRED = "Enter your job title"
MERGE_TARGET_REQUIRED = "Select the partner organisation to merge into"


def _organisation_choices(*, include_match: bool, current: Organisation | None = None):
    partners = list(Organisation.objects.partners().values_list("pk", "name"))
    if current is not None and not current.is_partner:
        # Someone whose typed-in organisation is still under review keeps seeing it.
        partners.append((current.pk, f"{current.name} (awaiting review)"))
    choices = [(str(pk), name) for pk, name in partners]
    first = (
        [(MATCH_BY_EMAIL, "Match it from my work email address")]
        if include_match
        else [("", "Select your organisation")]
    )
    return [*first, *choices, (NOT_LISTED, "My organisation is not listed")]


class OrganisationChoiceMixin:
    """A partner organisation from a list, or "not listed" with a typed name.

    After `clean()`, cleaned_data["organisation"] is an Organisation or None (then
    cleaned_data["organisation_name"] holds the typed name).
    """

    def _resolve_organisation(self, cleaned_data, *, email: str | None):
        choice = cleaned_data.get("organisation")
        name = " ".join((cleaned_data.get("organisation_name") or "").split())
        cleaned_data["organisation_name"] = name
        if choice is None:  # the field already has an error
            return cleaned_data
        if choice == NOT_LISTED:
            cleaned_data["organisation"] = None
            if not name:
                self.add_error("organisation_name", ORGANISATION_NAME_REQUIRED)
            return cleaned_data
        if choice == MATCH_BY_EMAIL:
            cleaned_data["organisation"] = None
            if email is None:
                self.add_error("organisation", CHOOSE_ORGANISATION)
                return cleaned_data
            matched = organisation_for_email(email)
            if matched is None:
                self.add_error("organisation", NO_DOMAIN_MATCH)
            cleaned_data["organisation"] = matched
            self.matched_by_email = matched is not None
            return cleaned_data
        organisation = Organisation.objects.filter(pk=choice).first()
        if organisation is None:
            self.add_error("organisation", CHOOSE_ORGANISATION)
        cleaned_data["organisation"] = organisation
        return cleaned_data


class SignupExtraForm(OrganisationChoiceMixin, forms.Form):
    """Mixed into allauth's SignupForm (ACCOUNT_SIGNUP_FORM_CLASS); the adapter saves it."""

    field_order = [
        "full_name",
        "email",
        "job_title",
        "organisation",
        "organisation_name",
        "password1",
        "password2",
    ]

    full_name = forms.CharField(
        label="Full name",
        max_length=200,
        error_messages={"required": FULL_NAME_REQUIRED},
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
    )
    job_title = forms.CharField(
        label="Job title",
        max_length=200,
        error_messages={"required": JOB_TITLE_REQUIRED},
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    organisation = forms.ChoiceField(
        label="Organisation",
        required=False,
        help_text="We match most partner organisations from your work email address.",
    )
    organisation_name = forms.CharField(
        label="If your organisation is not listed, its name",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.matched_by_email = False
        self.fields["organisation"].choices = _organisation_choices(include_match=True)

    def clean(self):
        cleaned_data = super().clean()
        # Email errors (invalid, not allowed) already name the email field: don't add a second one.
        email = cleaned_data.get("email") if "email" not in self.errors else None
        if email is None and cleaned_data.get("organisation") == MATCH_BY_EMAIL:
            cleaned_data["organisation"] = None
            return cleaned_data
        return self._resolve_organisation(cleaned_data, email=email)

    def signup(self, request, user):
        """Called by allauth after saving; AccountAdapter.save_user has already saved our fields."""


class ProfileForm(OrganisationChoiceMixin, forms.Form):
    full_name = SignupExtraForm.base_fields["full_name"]
    job_title = SignupExtraForm.base_fields["job_title"]
    organisation = forms.ChoiceField(label="Organisation", required=False)
    organisation_name = SignupExtraForm.base_fields["organisation_name"]

    def __init__(self, *args, person, **kwargs):
        current = person.organisation
        kwargs.setdefault(
            "initial",
            {
                "full_name": person.full_name,
                "job_title": person.job_title,
                "organisation": str(current.pk) if current else "",
            },
        )
        super().__init__(*args, **kwargs)
        self.current_organisation = current
        self.organisation_locked = person_organisation_locked(person)
        self.organisation_locked_message = ORGANISATION_SET_BY_LEAD
        self.fields["organisation"].choices = _organisation_choices(
            include_match=False, current=current
        )
        if self.organisation_locked:
            # Shown, not posted: whatever is sent for them is ignored.
            del self.fields["organisation"]
            del self.fields["organisation_name"]

    def clean(self):
        cleaned_data = super().clean()
        if self.organisation_locked:
            cleaned_data["organisation"] = self.current_organisation
            cleaned_data["organisation_name"] = ""
            return cleaned_data
        if cleaned_data.get("organisation") == "":
            self.add_error("organisation", CHOOSE_ORGANISATION)
            cleaned_data["organisation"] = None
            return cleaned_data
        return self._resolve_organisation(cleaned_data, email=None)


class OrganisationMergeForm(forms.Form):
    target = forms.ModelChoiceField(
        label="Merge into",
        queryset=Organisation.objects.partners(),
        required=False,
        empty_label="Select a partner organisation",
    )

    def clean_target(self):
        target = self.cleaned_data["target"]
        if target is None:
            raise forms.ValidationError(MERGE_TARGET_REQUIRED)
        return target


class OrganisationAcceptForm(forms.Form):
    sector = forms.ChoiceField(label="Sector", choices=Organisation.Sector.choices)


ROLE_CHOICES = [
    (TRAINER, "Trainer: takes the registers of their own events"),
    (ORG_MANAGER, "Organisation manager: sees their organisation's figures"),
    (LEAD, "L&D lead: runs the programme (these Manage pages)"),
]


class PersonSearchForm(GovukForm):
    q = forms.CharField(
        label="Find a person",
        required=False,
        max_length=100,
        help_text="Part of their name or email address.",
    )


class PersonRolesForm(GovukForm):
    """The lead's change to a person: their roles and their organisation."""

    roles = forms.MultipleChoiceField(
        label="Roles",
        choices=ROLE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Everyone can book training. Tick the roles this person also holds.",
    )
    organisation = forms.ModelChoiceField(
        label="Organisation",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="No organisation",
        help_text="A trainer's, manager's or lead's organisation is set here, not by them.",
    )

    def __init__(self, *args, person, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "roles": [r for r, _label in ROLE_CHOICES if person.has_role(r)],
                "organisation": person.organisation_id,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(
            Q(is_partner=True) | Q(pk=person.organisation_id)
        ).order_by("name")


class OrganisationDomainForm(GovukForm):
    """The lead's "Add an email domain": a partner organisation and a domain."""

    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.partners().order_by("name"),
        label="Organisation",
        empty_label="Select the organisation",
        error_messages={"required": ORGANISATION_REQUIRED, "invalid_choice": ORGANISATION_REQUIRED},
    )
    domain = forms.CharField(
        label="Email domain",
        help_text="The part of their email address after the @, like dudley.gov.uk. It also "
        "matches its subdomains, like cid.dudley.gov.uk.",
        max_length=200,
        error_messages={"required": DOMAIN_REQUIRED},
    )

    def clean_domain(self):
        try:
            return organisation_domain_validate(domain=self.cleaned_data["domain"])
        except ValidationError as error:
            raise ValidationError(error.message_dict["domain"]) from None
