"""The L&D lead's page for one event: delegates, the waiting list, actions, messages, returns.

Thin views: the lead only (people.roles), a form or the posted buttons, one service call, then
back to the page. A refused button (no place free, a list changed since it was shown) comes back
as a message on the page; a form with errors is shown again with its error summary.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from bookings import extensions, forms, selectors, services
from bookings.models import Booking, EventMessage
from bookings.views import busy_page
from courses.services import event_draft_delete, event_publish
from people.roles import LEAD, role_required

S = Booking.Status


def _page_url(event_id: int, anchor: str = "") -> str:
    url = reverse("event_manage:page", kwargs={"event_id": event_id})
    return f"{url}#{anchor}" if anchor else url


def _status_filter(request) -> str:
    status = request.GET.get("status", "")
    return status if status in S.values else ""


def _page(request, event, *, move_form=None, status: int = 200):
    shown = _status_filter(request)
    delegates = selectors.event_delegates(event, status=shown)
    selectors.booking_history_attach(delegates)
    targets = selectors.event_move_targets(event)
    if move_form is None:
        move_form = forms.DelegatesMoveForm(bookings=delegates, targets=targets)
    waiting, offered = selectors.event_waiting_list(event)
    taken = event.count_places_taken()
    checkboxes = move_form.checkboxes()
    for booking in delegates:
        booking.checkbox = checkboxes.get(booking.pk)
    for booking in (*delegates, *waiting, *offered):
        # The status tag reads the booking's event: the one loaded, not a query per row.
        booking.event = event
    context = {
        "event": event,
        "delegates": delegates,
        "statuses": selectors.event_delegate_statuses(event),
        "shown": shown,
        "waiting": waiting,
        "offered": offered,
        "taken": taken,
        "free": max(event.capacity - taken, 0),
        "is_open": event.status == event.Status.SCHEDULED and event.start > timezone.now(),
        "move_form": move_form,
        "form": move_form,  # for the error summary
        "targets": targets,
        "movable": any(b.checkbox for b in delegates),
        "event_messages": selectors.event_messages(event)[:10],
        "panels": extensions.panels_for(event),
    }
    return render(request, "bookings/event_manage.html", context, status=status)


@role_required(LEAD)
@require_http_methods(["GET"])
def page(request, event_id):
    event = selectors.event_get_for_lead(event_id)
    return _page(request, event)


def _lead_button(view):
    """The lead's buttons on the page: POST only, a busy event lock a 503 page."""
    return role_required(LEAD)(require_POST(busy_page(view)))


@_lead_button
def publish(request, event_id):
    """The draft's Publish button: checked again, then in the catalogue and open for booking."""
    event = selectors.event_get_for_lead(event_id)
    was_draft = event.status == event.Status.DRAFT
    try:
        event_publish(event=event, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if was_draft:
            messages.success(request, "The event is published: it is open for booking.")
    return redirect(_page_url(event.pk))


@role_required(LEAD)
@require_http_methods(["GET", "POST"])
def draft_delete(request, event_id):
    """Delete a draft, after a confirmation page; a published event is cancelled instead."""
    event = selectors.event_get_for_lead(event_id)
    if request.method == "POST":
        try:
            event_draft_delete(event=event, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(_page_url(event.pk))
        messages.success(request, f"The draft of {event.course.title} is deleted.")
        month = timezone.localtime(event.start)
        return redirect("courses:month", month=f"{month:%Y-%m}")
    if event.status != event.Status.DRAFT:
        return redirect(_page_url(event.pk))
    return render(request, "bookings/event_draft_delete.html", {"event": event})


@_lead_button
def waitlist_move(request, event_id, booking_id):
    event = selectors.event_get_for_lead(event_id)
    booking = selectors.event_waiting_booking(event, booking_id)
    form = forms.WaitlistMoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, services.WAITLIST_STALE)
        return redirect(_page_url(event.pk, "waiting-list"))
    try:
        queue = services.waitlist_move(
            booking=booking,
            up=form.cleaned_data["direction"] == "up",
            position=form.cleaned_data["position"],
            actor=request.user,
        )
    except services.BookingError as error:
        messages.error(request, error.message)
    else:
        number = [b.pk for b in queue].index(booking.pk) + 1
        messages.success(request, f"{booking.person} is now number {number} on the waiting list.")
    return redirect(_page_url(event.pk, "waiting-list"))


@_lead_button
def waitlist_offer(request, event_id, booking_id):
    event = selectors.event_get_for_lead(event_id)
    booking = selectors.event_waiting_booking(event, booking_id)
    try:
        services.waitlist_offer(booking=booking, actor=request.user)
    except services.BookingError as error:
        messages.error(request, error.message)
    else:
        until = timezone.localtime(booking.offer_expires_at)
        messages.success(
            request,
            f"{booking.person} is offered a place, open until {until:%A} {until.day} "
            f"{until:%B, %H:%M}. An email with the link is on its way.",
        )
    return redirect(_page_url(event.pk, "waiting-list"))


@role_required(LEAD)
@require_http_methods(["GET", "POST"])
@busy_page
def waitlist_remove(request, event_id, booking_id):
    event = selectors.event_get_for_lead(event_id)
    booking = selectors.event_waiting_booking(event, booking_id)
    if request.method == "POST":
        try:
            services.waitlist_remove(booking=booking, actor=request.user)
        except services.BookingError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, f"{booking.person} is taken off the waiting list. They are emailed."
            )
        return redirect(_page_url(event.pk, "waiting-list"))
    if booking.status != S.WAITLISTED:
        messages.error(request, services.NOT_WAITING.format(person=booking.person))
        return redirect(_page_url(event.pk, "waiting-list"))
    context = {"event": event, "booking": booking}
    return render(request, "bookings/event_manage_remove.html", context)


@_lead_button
def delegates_move(request, event_id):
    event = selectors.event_get_for_lead(event_id)
    delegates = selectors.event_delegates(event, status=_status_filter(request))
    form = forms.DelegatesMoveForm(
        request.POST, bookings=delegates, targets=selectors.event_move_targets(event)
    )
    if form.is_valid():
        chosen = selectors.event_bookings_to_move(event, form.cleaned_data["bookings"])
        try:
            moved = services.bookings_move(
                bookings=chosen, to_event=form.cleaned_data["to_event"], actor=request.user
            )
        except services.BookingError as error:
            form.add_service_error(error)
        else:
            target = moved[0].event
            messages.success(
                request,
                f"{len(moved)} delegate{'s' * (len(moved) != 1)} moved to {target}. "
                "Each is emailed a confirmation.",
            )
            return redirect(_page_url(event.pk, "delegates"))
    return _page(request, event, move_form=form)


@role_required(LEAD)
@require_http_methods(["GET", "POST"])
def message(request, event_id):
    event = selectors.event_get_for_lead(event_id)
    form = forms.EventMessageForm(
        request.POST if request.method == "POST" else None,
        initial={"audience": request.GET.get("audience", "")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            sent = services.event_message_send(
                event=event,
                actor=request.user,
                audience=data["audience"],
                subject_line=data["subject"],
                body=data["body"],
            )
        except services.BookingError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                f"Your message is being sent to {sent.recipients} "
                f"{'person' if sent.recipients == 1 else 'people'}.",
            )
            return redirect(_page_url(event.pk, "messages"))
    context = {
        "event": event,
        "form": form,
        "audiences": {
            value: len(selectors.event_message_recipients(event, value))
            for value in EventMessage.Audience.values
        },
        "event_messages": selectors.event_messages(event),
    }
    return render(request, "bookings/event_message.html", context)
