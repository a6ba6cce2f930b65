from django.urls import path

from courses import views

app_name = "courses"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("courses/", views.course_list, name="course_list"),
    path("courses/<slug:slug>/", views.course_detail, name="course"),
    path("courses/<slug:slug>/interest/", views.interest_register, name="interest_register"),
    path(
        "courses/<slug:slug>/interest/withdraw/",
        views.interest_withdraw,
        name="interest_withdraw",
    ),
    path("events/month/", views.event_month, name="month_current"),
    path("events/month/<str:month>/", views.event_month, name="month"),
    path("events/<int:pk>/", views.event_detail, name="event"),
    # The L&D lead's pages
    path("manage/events/new/", views.manage_event_create, name="manage_event_create"),
    path("manage/events/<int:pk>/copy/", views.manage_event_copy, name="manage_event_copy"),
    path("manage/venues/", views.manage_venues, name="manage_venues"),
    path("manage/venues/new/", views.manage_venue_edit, name="manage_venue_create"),
    path("manage/venues/<int:pk>/", views.manage_venue_edit, name="manage_venue_edit"),
    path("manage/priority-areas/", views.manage_priority_areas, name="manage_priority_areas"),
    path(
        "manage/priority-areas/new/",
        views.manage_priority_area_edit,
        name="manage_priority_area_create",
    ),
    path(
        "manage/priority-areas/<int:pk>/",
        views.manage_priority_area_edit,
        name="manage_priority_area_edit",
    ),
    # The L&D lead's workspace
    path("manage/", views.manage, name="manage"),
    path("manage/courses/", views.manage_courses, name="manage_courses"),
    path("manage/demand/", views.manage_demand, name="manage_demand"),
    path("manage/courses/new/", views.manage_course_create, name="manage_course_create"),
    path("manage/courses/<int:pk>/edit/", views.manage_course_edit, name="manage_course_edit"),
    path("manage/courses/<int:pk>/copy/", views.manage_course_copy, name="manage_course_copy"),
    path(
        "manage/courses/<int:pk>/retire/", views.manage_course_retire, name="manage_course_retire"
    ),
    path(
        "manage/courses/<int:pk>/reinstate/",
        views.manage_course_reinstate,
        name="manage_course_reinstate",
    ),
    path("manage/events/<int:pk>/sessions/", views.event_sessions, name="event_sessions"),
]
