"""The lead's competency framework, at /manage/framework/."""

from django.urls import path

from competency import views

app_name = "framework"
urlpatterns = [
    path("", views.framework, name="index"),
    path("levels/add/", views.level_edit, name="level_create"),
    path("levels/<int:pk>/", views.level_edit, name="level_edit"),
    path("roles/add/", views.role_edit, name="role_create"),
    path("roles/<int:pk>/", views.role_edit, name="role_edit"),
    path("roles/<int:pk>/delete/", views.role_delete, name="role_delete"),
    path("courses/", views.course_levels, name="courses"),
    path("staff-counts/", views.staff_counts, name="staff_counts"),
]
