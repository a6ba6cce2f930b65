"""The L&D lead's event edit, kept in bookings (an edit reaches the bookings: the waiting list,
the emails), at /manage/events/<id>/edit/ beside courses' create and copy pages."""

from django.urls import path

from bookings import views

app_name = "bookings_manage"
urlpatterns = [
    path("<int:event_id>/edit/", views.event_edit, name="event_edit"),
]
