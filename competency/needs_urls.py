"""The L&D lead's training needs analysis (/manage/needs/)."""

from django.urls import path

from competency import needs_views

app_name = "needs"
urlpatterns = [
    path("", needs_views.survey_list, name="list"),
    path("new/", needs_views.survey_create, name="create"),
    path("<int:pk>/", needs_views.survey_detail, name="survey"),
    path("<int:pk>/edit/", needs_views.survey_edit, name="edit"),
    path("<int:pk>/preview/", needs_views.survey_preview, name="preview"),
    path("<int:pk>/send/", needs_views.survey_send, name="send"),
    path("<int:pk>/report/", needs_views.survey_report, name="report"),
]
