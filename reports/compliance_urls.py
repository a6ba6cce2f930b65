"""The lead's compliance page, at /manage/compliance/."""

from django.urls import path

from reports import views

app_name = "compliance"
urlpatterns = [path("", views.compliance, name="index")]
