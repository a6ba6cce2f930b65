"""The L&D lead's cancellation reasons, at /manage/cancellation-reasons/ (config/urls.py)."""

from django.urls import path

from bookings import reason_views

app_name = "cancellation_reasons"
urlpatterns = [
    path("", reason_views.reason_list, name="list"),
    path("new/", reason_views.reason_edit, name="create"),
    path("<int:pk>/", reason_views.reason_edit, name="edit"),
]
