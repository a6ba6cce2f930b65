"""People pages: a person's own profile, their reminder emails, and the L&D lead's
organisation review and people's roles."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from people import reminders, services
from people.forms import (
    OrganisationAcceptForm,
    OrganisationMergeForm,
    PersonRolesForm,
    PersonSearchForm,
    ProfileForm,
)
from people.models import Organisation
from people.roles import LEAD, role_required
from people.selectors import (
    PEOPLE_SHOWN_MAX,
    organisation_list_to_review,
    person_get_for_lead,
    person_list_for_lead,
)


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, person=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update_profile(
                person=request.user,
                full_name=form.cleaned_data["full_name"],
                job_title=form.cleaned_data["job_title"],
                organisation=form.cleaned_data["organisation"],
                organisation_name=form.cleaned_data["organisation_name"],
            )
        except (services.PersonError, services.OrganisationError) as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, "Your profile has been updated.")
            return redirect("people:profile")
    return render(
        request,
        "people/profile.html",
        {"form": form, "reminders_on": reminders.reminders_wanted(request.user)},
    )


REMINDER_CHOICE_REQUIRED = "Select whether you want reminder emails"


def _private(response):
    # The link is the person's key to this page: never in a Referer, never in a cache.
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "no-store"
    return response


def _link_not_working(request):
    return _private(render(request, "people/reminder_link_invalid.html", status=400))


def reminder_choice_page(
    request,
    *,
    email: str,
    wanted: Callable[[], bool],
    set_wanted: Callable[[bool], object],
    signed_in: bool = False,
    manager: bool = False,
):
    """The page where reminder emails are turned off or on: a person's (people.reminders) or, for
    a line manager with no account, an address's (evaluations.manager_reminders)."""
    error = ""
    if request.method == "POST":
        choice = request.POST.get("reminder_emails", "")
        if choice in ("on", "off"):
            set_wanted(choice == "on")
            messages.success(
                request,
                "Reminder emails are on."
                if choice == "on"
                else "Reminder emails are off: you will get no more reminders.",
            )
            return redirect(request.path)
        error = REMINDER_CHOICE_REQUIRED
    context = {
        "email": email,
        "manager": manager,
        "reminders_on": wanted(),
        "signed_in": signed_in,
        "error": error,
    }
    return _private(render(request, "people/reminders.html", context, status=400 if error else 200))


def reminders_turned_off_page(request, email: str):
    """What the one-click (RFC 8058) address answers once reminders are off."""
    return _private(render(request, "people/reminders_one_click.html", {"email": email}))


def _reminder_page(request, person, *, signed_in: bool):
    return reminder_choice_page(
        request,
        email=person.email,
        wanted=lambda: reminders.reminders_wanted(person),
        set_wanted=lambda on: services.person_set_reminder_emails(person=person, on=on),
        signed_in=signed_in,
    )


@login_required
@require_http_methods(["GET", "POST"])
def my_reminders(request):
    """The signed-in person's own reminder emails (linked from My profile)."""
    return _reminder_page(request, request.user, signed_in=True)


@never_cache
@require_http_methods(["GET", "POST"])
def reminders_page(request, token):
    """The page a reminder links to: no sign-in, the signed link says who."""
    try:
        person = reminders.person_from_reminder_token(token)
    except reminders.ReminderLinkInvalid:
        return _link_not_working(request)
    return _reminder_page(request, person, signed_in=False)


# RFC 8058: the mail provider POSTs with no cookie and no form; the signed token is the key.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def reminders_one_click(request, token):
    """List-Unsubscribe: a POST turns reminders off at once; a GET (a mail client that opens the
    address in a browser) only shows the page, where the person chooses."""
    try:
        person = reminders.person_from_reminder_token(token)
    except reminders.ReminderLinkInvalid:
        return _link_not_working(request)
    if request.method == "GET":
        return redirect("people:reminders", token=token)
    services.person_set_reminder_emails(person=person, on=False)
    return reminders_turned_off_page(request, person.email)


@role_required(LEAD)
def organisations_review(request):
    return render(request, "people/organisation_review.html", _review_context())


@role_required(LEAD)
@require_POST
def organisation_merge(request, pk):
    source = get_object_or_404(Organisation.objects.to_review(), pk=pk)
    form = OrganisationMergeForm(request.POST)
    if not form.is_valid():
        return _review_with_errors(request, source, merge_form=form)
    try:
        target = services.organisation_merge(
            source=source, target=form.cleaned_data["target"], actor=request.user
        )
    except services.OrganisationError as e:
        form.add_error("target", str(e))
        return _review_with_errors(request, source, merge_form=form)
    messages.success(request, f"‘{source.name}’ has been merged into ‘{target.name}’.")
    return redirect("people:organisations_review")


@role_required(LEAD)
@require_POST
def organisation_accept(request, pk):
    organisation = get_object_or_404(Organisation.objects.to_review(), pk=pk)
    form = OrganisationAcceptForm(request.POST)
    if not form.is_valid():
        return _review_with_errors(request, organisation, accept_form=form)
    services.organisation_accept(
        organisation=organisation, actor=request.user, sector=form.cleaned_data["sector"]
    )
    messages.success(request, f"‘{organisation.name}’ is now a listed partner organisation.")
    return redirect("people:organisations_review")


def _review_context() -> dict:
    # Each row has its own small forms; the choices are loaded once for the whole page.
    return {
        "organisations": list(organisation_list_to_review()),
        "partners": list(Organisation.objects.partners().only("pk", "name")),
        "sectors": Organisation.Sector.choices,
    }


def _review_with_errors(request, organisation, *, merge_form=None, accept_form=None):
    form = merge_form or accept_form
    field = "target" if merge_form else "sector"
    context = _review_context() | {
        "error_organisation_id": organisation.pk,
        "error_field_id": f"{'merge-target' if merge_form else 'accept-sector'}-{organisation.pk}",
        "error_message": " ".join(form.errors.get(field, [])) or " ".join(form.non_field_errors()),
        "error_action": "merge" if merge_form else "accept",
    }
    return render(request, "people/organisation_review.html", context, status=400)


# --- the L&D lead: people and their roles (/manage/people/) ---------------------------------


@role_required(LEAD)
@require_http_methods(["GET"])
def manage_people(request):
    """Find a person by name or email; without a search, everyone holding a role."""
    form = PersonSearchForm(request.GET or None)
    text = form.cleaned_data["q"].strip() if form.is_valid() else ""
    return render(
        request,
        "people/manage_people.html",
        {
            "form": form,
            "searched": text,
            "people": person_list_for_lead(text),
            "most": PEOPLE_SHOWN_MAX,
        },
    )


@role_required(LEAD)
@require_http_methods(["GET", "POST"])
def manage_person(request, pk):
    """Give a person roles and set their organisation (a role holder's scope)."""
    person = person_get_for_lead(pk)
    form = PersonRolesForm(request.POST if request.method == "POST" else None, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update_by_lead(
                person=person,
                roles=form.cleaned_data["roles"],
                organisation=form.cleaned_data["organisation"],
                actor=request.user,
            )
        except services.PersonError as error:
            form.add_error(
                "organisation" if str(error) == services.MANAGER_NEEDS_ORGANISATION else "roles",
                str(error),
            )
        else:
            messages.success(request, f"{person} is saved.")
            return redirect("people_manage:list")
    return render(request, "people/manage_person.html", {"form": form, "person": person})
