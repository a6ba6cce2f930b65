"""The L&D lead's people pages, at /manage/people/ (config/urls.py): find a person, give them
roles, set their organisation."""

from django.urls import path

from people import views

app_name = "people_manage"
urlpatterns = [
    path("", views.manage_people, name="list"),
    path("<int:pk>/", views.manage_person, name="person"),
]
