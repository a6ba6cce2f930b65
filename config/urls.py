from urllib.parse import urlencode

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import include, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme


def admin_login(request, extra_context=None):
    """One sign-in for everyone, admin included: allauth's, with its rate limits.

    Django's own admin form never checks a password here, so it cannot be used to guess one
    (a signed-in practitioner could otherwise try the lead's password without limit).
    """
    if request.user.is_authenticated:
        if admin.site.has_permission(request):
            return redirect(reverse("admin:index"))
        raise PermissionDenied("The admin is for superusers only.")
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("admin:index")
    return redirect(f"{reverse('account_login')}?{urlencode({'next': target})}")


def admin_password_change(request, extra_context=None):
    """Changing a password checks the old one: allauth's form, rate limited per person."""
    return redirect("account_change_password")


def admin_has_permission(request):
    """The Django admin is for superusers only: the L&D lead runs everything from /manage/."""
    user = request.user
    return user.is_active and user.is_superuser


admin.site.has_permission = admin_has_permission
admin.site.login = admin_login
admin.site.password_change = admin_password_change

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("people/", include("people.urls")),
    path("bookings/", include("bookings.urls")),
    path("certificates/", include("bookings.certificate_urls")),
    path("evaluations/", include("evaluations.urls")),
    path("manage/questionnaires/", include("evaluations.builder_urls")),
    path("training-record/", include("competency.urls")),
    path("manage/framework/", include("competency.framework_urls")),
    path("manage/compliance/", include("reports.compliance_urls")),
    path("manage/needs/", include("competency.needs_urls")),
    # Importing past years keeps its address under /reports/ (imports/urls.py).
    path("reports/import/", include("imports.urls")),
    path("reports/", include("reports.urls")),
    path("privacy/", include("privacy.urls")),
    path("emails/", include("messaging.urls")),
    path("manage/events/", include("bookings.edit_urls")),
    path("manage/people/", include("people.manage_urls")),
    path("manage/organisations/", include("people.organisation_urls")),
    path("manage/cancellation-reasons/", include("bookings.reason_urls")),
    path("manage/audit/", include("privacy.trail_urls")),
    # The L&D lead's page for one event (bookings/manage_urls.py).
    path("manage/events/<int:event_id>/", include("bookings.manage_urls")),
    path("", include("courses.urls")),
]
