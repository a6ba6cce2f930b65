from django.urls import path

from courses import views

app_name = "courses"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("events/<int:pk>/", views.event_detail, name="event"),
]
