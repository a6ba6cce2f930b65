"""The L&D lead's upload page and each run's page, at their old addresses under /reports/import/."""

from django.urls import path

from imports import views

app_name = "imports"
urlpatterns = [
    path("", views.import_upload, name="upload"),
    path("<int:pk>/", views.import_run, name="run"),
    path("<int:pk>/preview/", views.import_preview, name="preview"),
]
