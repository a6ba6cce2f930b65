from django.urls import path

from courses import views

app_name = "courses"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("courses/<slug:slug>/", views.course_detail, name="course"),
    path("events/<int:pk>/", views.event_detail, name="event"),
    # The L&D lead's pages
    path("manage/events/new/", views.manage_event_create, name="manage_event_create"),
    path("manage/events/<int:pk>/copy/", views.manage_event_copy, name="manage_event_copy"),
    path("manage/venues/", views.manage_venues, name="manage_venues"),
    path("manage/venues/new/", views.manage_venue_edit, name="manage_venue_create"),
    path("manage/venues/<int:pk>/", views.manage_venue_edit, name="manage_venue_edit"),
]
