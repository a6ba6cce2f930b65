from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path

# One sign-in for everyone, admin included, so allauth's rate limits cover the admin too.
admin.site.login = login_required(admin.site.login)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("people/", include("people.urls")),
    path("bookings/", include("bookings.urls")),
    path("evaluations/", include("evaluations.urls")),
    # Importing past years keeps its address under /reports/ (imports/urls.py).
    path("reports/import/", include("imports.urls")),
    path("reports/", include("reports.urls")),
    path("privacy/", include("privacy.urls")),
    path("", include("courses.urls")),
]
