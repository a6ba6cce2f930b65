from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from bookings import selectors
from people.roles import LEAD, TRAINER, role_required


@login_required
def my_training(request):
    bookings = list(selectors.booking_list_for_person(request.user))
    upcoming, past = selectors.split_upcoming_past(bookings)
    return render(request, "bookings/my_training.html", {"upcoming": upcoming, "past": past})


@role_required(TRAINER, LEAD)
def registers(request):
    events = selectors.event_list_for_register(request.user)[:200]
    return render(request, "bookings/registers.html", {"events": events})
