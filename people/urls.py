from django.urls import path

from people import views

app_name = "people"
urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("organisations/review/", views.organisations_review, name="organisations_review"),
    path("organisations/<int:pk>/merge/", views.organisation_merge, name="organisation_merge"),
    path("organisations/<int:pk>/accept/", views.organisation_accept, name="organisation_accept"),
]
