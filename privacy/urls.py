from django.urls import path

from privacy import views

app_name = "privacy"
urlpatterns = [
    path("", views.notice, name="notice"),
    path("people/", views.person_find, name="person_find"),
    path("people/<int:pk>/export/", views.export, name="export"),
    path("people/<int:pk>/anonymise/", views.anonymise, name="anonymise"),
]
