from django.urls import path

from bookings import views

app_name = "bookings"
urlpatterns = [
    path("my-training/", views.my_training, name="my_training"),
    path("registers/", views.registers, name="registers"),
    path("<int:pk>/offer/", views.offer, name="offer"),
]
