"""Public: checking a certificate's reference (the link printed on each certificate)."""

from django.urls import path

from bookings import views

app_name = "certificates"
urlpatterns = [
    path("verify/<str:reference>/", views.certificate_verify, name="verify"),
]
