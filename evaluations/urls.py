from django.urls import path

from evaluations import views

app_name = "evaluations"
urlpatterns = [
    path("r/<str:token>/", views.answer, name="answer"),
    path("invitations/<int:pk>/fresh-link/", views.fresh_link, name="fresh_link"),
]
