"""People pages: a person's own profile and the L&D lead's organisation review."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from people import services
from people.forms import OrganisationAcceptForm, OrganisationMergeForm, ProfileForm
from people.models import Organisation
from people.roles import LEAD, role_required
from people.selectors import organisation_list_to_review


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
    return render(request, "people/profile.html", {"form": form})


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
