from django.urls import path

from courses import views

app_name = "courses"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("courses/<slug:slug>/", views.course_detail, name="course"),
    path("events/<int:pk>/", views.event_detail, name="event"),
    path("manage/events/<int:pk>/sessions/", views.event_sessions, name="event_sessions"),
]
