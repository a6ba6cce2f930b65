from django.urls import path

from evaluations import views

app_name = "evaluations"
urlpatterns = [
    path("r/<str:token>/", views.answer, name="answer"),
    path("reminders/<str:token>/", views.manager_reminders, name="manager_reminders"),
    path(
        "reminders/<str:token>/one-click/",
        views.manager_reminders_one_click,
        name="manager_reminders_one_click",
    ),
    path("invitations/<int:pk>/fresh-link/", views.fresh_link, name="fresh_link"),
    path("events/<int:event_id>/returns/", views.event_returns, name="event_returns"),
    path("events/<int:event_id>/link/", views.event_link_qr, name="event_link"),
    path("e/<int:event_id>/", views.event_short, name="event_short"),
    path(
        "questionnaires/<int:pk>/preview/",
        views.questionnaire_preview,
        name="questionnaire_preview",
    ),
]
