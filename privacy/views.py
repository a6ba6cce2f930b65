"""The privacy notice (public), and the L&D lead's subject access and erasure pages."""

from email.utils import parseaddr

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from people.models import User
from people.roles import LEAD, role_required
from privacy import exporters
from privacy.anonymise import PrivacyError, person_anonymise, person_is_anonymised
from privacy.export import subject_access_export, subject_access_record
from privacy.forms import AnonymiseForm, ExportForm, PersonFindForm
from privacy.retention import retention_days


def notice(request):
    contact = (
        getattr(settings, "PRIVACY_CONTACT_EMAIL", "") or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    )
    return render(
        request,
        "privacy/notice.html",
        {
            "retention_years": round(retention_days() / 365.25, 1),
            "min_group_size": settings.REPORT_MIN_GROUP_SIZE,
            "privacy_contact": contact,
        },
    )


@never_cache
@role_required(LEAD)
def person_find(request):
    form = PersonFindForm(request.GET or None)
    person = None
    searched = form.is_bound and form.is_valid()
    if searched:
        person = User.objects.filter(email__iexact=form.cleaned_data["email"]).first()
    return render(
        request,
        "privacy/person_find.html",
        {"form": form, "person": person, "searched": searched},
    )


@never_cache
@role_required(LEAD)
def export(request, pk):
    person = get_object_or_404(User, pk=pk)
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fmt = form.cleaned_data["format"]
        data = subject_access_record(person=person, actor=request.user, fmt=fmt)
        stamp = timezone.localtime().strftime("%Y%m%d")
        if fmt == "zip":
            response = HttpResponse(exporters.export_zip(data), content_type="application/zip")
        else:
            response = HttpResponse(exporters.export_json(data), content_type="application/json")
        response["Content-Disposition"] = (
            f'attachment; filename="subject-access-{person.pk}-{stamp}.{fmt}"'
        )
        return response
    sections = subject_access_export(person)["sections"]
    summary = {label: len(rows) for label, rows in sections.items()}
    return render(
        request, "privacy/export.html", {"person": person, "form": form, "summary": summary}
    )


@never_cache
@role_required(LEAD)
def anonymise(request, pk):
    person = get_object_or_404(User, pk=pk)
    form = AnonymiseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person_anonymise(
                person=person,
                actor=request.user,
                reason="request",
                confirm_email=form.cleaned_data["confirm_email"],
            )
        except PrivacyError as error:
            form.add_error("confirm_email" if error.field else None, error.message)
        else:
            messages.success(request, f"Person {person.pk} has been anonymised.")
            return redirect(reverse("privacy:person_find"))
    return render(
        request,
        "privacy/anonymise.html",
        {
            "person": person,
            "form": form,
            "already": person_is_anonymised(person),
        },
    )
