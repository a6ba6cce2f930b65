"""The L&D lead's page for one event, at /manage/events/<event_id>/ (config/urls.py)."""

from django.urls import path

from bookings import manage_views

app_name = "event_manage"
urlpatterns = [
    path("", manage_views.page, name="page"),
    path("publish/", manage_views.publish, name="publish"),
    path("delete-draft/", manage_views.draft_delete, name="draft_delete"),
    path("move/", manage_views.delegates_move, name="delegates_move"),
    path("message/", manage_views.message, name="message"),
    path(
        "waiting-list/<int:booking_id>/move/",
        manage_views.waitlist_move,
        name="waitlist_move",
    ),
    path(
        "waiting-list/<int:booking_id>/offer/",
        manage_views.waitlist_offer,
        name="waitlist_offer",
    ),
    path(
        "waiting-list/<int:booking_id>/remove/",
        manage_views.waitlist_remove,
        name="waitlist_remove",
    ),
]
