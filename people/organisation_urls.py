"""The L&D lead's organisations and email domains, at /manage/organisations/ (config/urls.py)."""

from django.urls import path

from people import organisation_views

app_name = "organisations"
urlpatterns = [
    path("", organisation_views.organisation_list, name="list"),
    path("domains/<int:pk>/remove/", organisation_views.domain_remove, name="domain_remove"),
]
