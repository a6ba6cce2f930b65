from django.urls import path

from bookings import views

app_name = "bookings"
urlpatterns = [
    path("my-training/", views.my_training, name="my_training"),
    path("e-learning/<int:course_id>/", views.elearning, name="elearning"),
    path("e-learning/<int:course_id>/launch/", views.elearning_launch, name="elearning_launch"),
    path(
        "e-learning/<int:course_id>/complete/",
        views.enrolment_complete,
        name="enrolment_complete",
    ),
    path("events/<int:event_id>/book/", views.book, name="book"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/hand-over/", views.substitute, name="substitute"),
    path("<int:pk>/calendar.ics", views.ics, name="ics"),
    path("offer/<str:token>/", views.offer, name="offer"),
    path("<int:pk>/certificate/", views.certificate, name="certificate"),
    path("<int:pk>/certificate.pdf", views.certificate_pdf_download, name="certificate_pdf"),
    path("registers/", views.registers, name="registers"),
    path("registers/<int:event_id>/", views.register, name="register"),
    path("registers/<int:event_id>/walk-in/", views.register_walk_in, name="register_walk_in"),
    path("registers/<int:event_id>/print/", views.register_print, name="register_print"),
    # L&D lead
    path("events/<int:event_id>/book-for/", views.book_for, name="book_for"),
    path("events/<int:event_id>/cancel/", views.event_cancel, name="event_cancel"),
    path("<int:pk>/move/", views.move, name="move"),
]
