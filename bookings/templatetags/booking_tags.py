"""For the booking panel the event page includes (its view belongs to the catalogue)."""

from django import template
from django.urls import reverse

from bookings import forms, selectors, services

register = template.Library()


@register.simple_tag
def booking_form(event):
    """An empty booking form for `event` (dietary needs only for face-to-face events)."""
    return forms.BookingForm(event=event)


@register.filter
def waitlist_position(booking):
    """1 for the first in line; None when the booking is not on the waiting list."""
    return selectors.waitlist_position(booking) if booking else None


@register.filter
def offer_url(booking) -> str:
    """The link to take an offered place (the same signed link the offer email carries)."""
    try:
        return reverse("bookings:offer", args=[services.offer_link_token(booking)])
    except services.OfferLinkInvalid:
        return reverse("bookings:detail", args=[booking.pk])


@register.filter
def has_started(event) -> bool:
    from django.utils import timezone

    return event.start <= timezone.now()
