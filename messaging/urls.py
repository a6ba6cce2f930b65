from django.urls import path

from messaging import views

app_name = "messaging"
urlpatterns = [
    path("", views.problems, name="problems"),
    path("<int:pk>/resend/", views.resend, name="resend"),
]
