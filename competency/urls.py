from django.urls import path

from competency import needs_views, views

app_name = "competency"
urlpatterns = [
    path("my-role/", views.my_role, name="my_role"),
    path("staff/", views.staff, name="staff"),
    path("staff/<int:person_id>/book/", views.staff_book, name="staff_book"),
    # A needs-analysis survey, answered by its emailed link without signing in.
    path("needs/<str:token>/", needs_views.needs_answer, name="needs_answer"),
]
