"""The L&D lead's organisations and their email domains, at /manage/organisations/
(people/organisation_urls.py)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from people import domains
from people.forms import OrganisationDomainForm
from people.roles import LEAD, role_required


@role_required(LEAD)
@require_http_methods(["GET", "POST"])
def organisation_list(request):
    """The partner organisations with their email domains, a form to add a domain, and the latest
    changes to organisations (who did what, when)."""
    form = OrganisationDomainForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            try:
                added = domains.organisation_domain_add(
                    organisation=form.cleaned_data["organisation"],
                    domain=form.cleaned_data["domain"],
                    actor=request.user,
                )
            except ValidationError as error:
                form.add_error("domain", error.message_dict["domain"])
                form.mark_errors()
            else:
                messages.success(
                    request,
                    f"{added.domain} is now an email domain of {added.organisation.name}.",
                )
                return redirect("organisations:list")
    context = {
        "form": form,
        "organisations": domains.organisation_list_with_domains(),
        "changes": domains.organisation_changes_recent(),
    }
    return render(
        request,
        "people/manage_organisations.html",
        context,
        status=400 if form.is_bound else 200,
    )


@role_required(LEAD)
@require_POST
def domain_remove(request, pk):
    """Take a domain from its organisation; nobody's organisation changes."""
    domain = domains.organisation_domain_get(pk=pk)
    domains.organisation_domain_remove(domain=domain, actor=request.user)
    messages.success(
        request, f"{domain.domain} is no longer an email domain of {domain.organisation.name}."
    )
    return redirect("organisations:list")
