from django.urls import path

from people import views

app_name = "people"
urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("profile/reminders/", views.my_reminders, name="my_reminders"),
    path("reminders/<str:token>/", views.reminders_page, name="reminders"),
    path("reminders/<str:token>/one-click/", views.reminders_one_click, name="reminders_one_click"),
    path("organisations/review/", views.organisations_review, name="organisations_review"),
    path("organisations/<int:pk>/merge/", views.organisation_merge, name="organisation_merge"),
    path("organisations/<int:pk>/accept/", views.organisation_accept, name="organisation_accept"),
]
