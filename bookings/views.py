from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from bookings import selectors, services
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


@login_required
def offer(request, pk):
    booking = selectors.booking_get_for_person(request.user, pk)
    if request.method == "POST":
        try:
            services.booking_accept_offer(booking=booking)
        except services.BookingError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "The place is yours. A confirmation is on its way.")
        return redirect("bookings:my_training")
    return render(request, "bookings/offer.html", {"booking": booking})
