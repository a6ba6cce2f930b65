"""The L&D lead's audit trail, mounted at /manage/audit/ (config/urls.py)."""

from django.urls import path

from privacy import trail_views

app_name = "audit"
urlpatterns = [
    path("", trail_views.audit_trail, name="trail"),
]
