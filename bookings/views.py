"""Booking pages. Thin: form -> access check -> one service call -> redirect or re-render.

A refused action (BookingError) goes on the field it names, or into a message; a busy event lock
(BookingBusy) gives a "busy, try again" page with status 503, never a 500.
"""

from functools import wraps

from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from bookings import extensions, forms, selectors, services
from bookings.calendar import booking_ics
from bookings.certificates import (
    PARTIAL_NO_CERTIFICATE,
    certificate_reference,
    certificate_text,
)
from bookings.models import Booking
from courses.forms import EventManageForm
from people.roles import LEAD, TRAINER, role_required

S = Booking.Status
EVENT_CANCELLED_NOT_EDITABLE = "This event is cancelled: it can no longer be changed."
PDF = "application/pdf"


def busy_page(view):
    """Turn BookingBusy (the event lock could not be had in time) into a 503 'try again' page.

    On SQLite the wait for the write lock is bounded the same way (`lock_wait_bounded`).
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            with services.lock_wait_bounded():
                return view(request, *args, **kwargs)
        except services.BookingBusy as error:
            response = render(request, "bookings/busy.html", {"message": error.message}, status=503)
            response["Retry-After"] = "5"
            return response

    return wrapped


def _booked_message(booking: Booking) -> str:
    if booking.status == S.WAITLISTED:
        position = selectors.waitlist_position(booking)
        return (
            f"The event is full, so you are on the waiting list (number {position}). "
            "We will email you if a place comes up."
        )
    return "Your place is booked. A confirmation email is on its way."


# --- practitioner: book, see, cancel, hand over ---------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@busy_page
def book(request, event_id):
    event = selectors.event_get_for_booking(event_id)
    form = forms.BookingForm(
        request.POST if request.method == "POST" else None,
        event=event,
        delegate_email=request.user.email,
    )
    if request.method == "POST" and form.is_valid():
        details = services.BookingDetails(
            line_manager_name=form.cleaned_data["line_manager_name"],
            line_manager_email=form.cleaned_data["line_manager_email"],
            access_needs=form.cleaned_data["access_needs"],
            dietary_needs=form.cleaned_data.get("dietary_needs", ""),
        )
        try:
            booking = services.booking_create(event=event, person=request.user, details=details)
        except services.BookingError as error:
            if error.field in form.fields:
                form.add_service_error(error)
            else:
                # e.g. a double submit: the first request booked; say so on the event page.
                messages.error(request, error.message)
                return redirect("courses:event", pk=event.pk)
        else:
            messages.success(request, _booked_message(booking))
            return redirect("courses:event", pk=event.pk)
    return render(request, "bookings/booking_form.html", {"event": event, "form": form})


@login_required
def detail(request, pk):
    booking = selectors.booking_get_for_person(request.user, pk)
    return render(
        request,
        "bookings/booking_detail.html",
        {
            "booking": booking,
            "event": booking.event,
            "position": selectors.waitlist_position(booking),
            "deadline": services.cancellation_deadline(booking.event),
            "partial_no_certificate": PARTIAL_NO_CERTIFICATE,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@busy_page
def cancel(request, pk):
    booking = selectors.booking_get_for_person(request.user, pk)
    leaving_waitlist = booking.status == S.WAITLISTED
    form = forms.CancelForm(
        request.POST if request.method == "POST" else None, leaving_waitlist=leaving_waitlist
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.booking_cancel(
                booking=booking,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                detail=form.cleaned_data["detail"],
            )
        except services.BookingError as error:
            if error.field in form.fields:
                form.add_service_error(error)
            else:
                messages.error(request, error.message)
                return redirect("bookings:detail", pk=booking.pk)
        else:
            messages.success(request, _cancelled_message(booking, leaving_waitlist))
            return redirect("bookings:my_training")
    deadline = services.cancellation_deadline(booking.event)
    return render(
        request,
        "bookings/booking_cancel.html",
        {
            "booking": booking,
            "event": booking.event,
            "form": form,
            "deadline": deadline,
            "will_be_late": booking.status == S.CONFIRMED and timezone.now() > deadline,
            "leaving_waitlist": leaving_waitlist,
        },
    )


def _cancelled_message(booking: Booking, leaving_waitlist: bool) -> str:
    if leaving_waitlist:
        return "You have left the waiting list."
    if booking.cancelled_late:
        return (
            "Your booking is cancelled. It was within the notice period, so it is recorded "
            "as a late cancellation."
        )
    return "Your booking is cancelled."


HANDOVER_TOO_MANY = "You have tried too many email addresses. Wait a few minutes, then try again."


@login_required
@require_http_methods(["GET", "POST"])
@busy_page
def substitute(request, pk):
    booking = selectors.booking_get_for_person(request.user, pk)
    form = forms.SubstituteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and not ratelimit.consume(
        request, action="handover", user=request.user
    ):
        # Each try tells whether an address is a colleague's: a few a minute is plenty.
        form.is_valid()
        form.errors.clear()  # only this: "enter a valid address" would say nothing true now
        form.add_error("colleague", HANDOVER_TOO_MANY)
        return render(
            request,
            "bookings/booking_substitute.html",
            {"booking": booking, "event": booking.event, "form": form},
            status=429,
        )
    if request.method == "POST" and form.is_valid():
        colleague = form.cleaned_data["colleague"]
        try:
            services.booking_substitute(booking=booking, colleague=colleague, actor=request.user)
        except services.BookingError as error:
            if error.field in form.fields:
                form.add_service_error(error)
            else:
                messages.error(request, error.message)
                return redirect("bookings:detail", pk=booking.pk)
        else:
            messages.success(request, f"Your place is now {colleague}'s. We have emailed you both.")
            return redirect("bookings:my_training")
    return render(
        request,
        "bookings/booking_substitute.html",
        {"booking": booking, "event": booking.event, "form": form},
    )


@login_required
def ics(request, pk):
    booking = selectors.booking_get_for_person(request.user, pk)
    # The same calendar as the emails' (REQUEST while the place is held, else CANCEL).
    response = HttpResponse(booking_ics(booking), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="training-{booking.pk}.ics"'
    return response


def _private(response):
    # The link is a secret: never leak it in a Referer header, never keep the page in a cache.
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@login_required  # a link never signs anyone in
@require_http_methods(["GET", "POST"])
@busy_page
def offer(request, token):
    """The place offered by an emailed link: tampered, expired, taken and others' all look alike."""
    try:
        booking = services.booking_from_offer_token(token, request.user)
    except services.OfferEventCancelled:
        # Their own offer (the link matched them): say why it went, not "this link is not working".
        context = {"message": services.EVENT_CANCELLED}
        return _private(render(request, "bookings/offer_invalid.html", context, status=410))
    except services.OfferLinkInvalid:
        return _private(render(request, "bookings/offer_invalid.html", status=404))
    if request.method == "POST":
        try:
            services.booking_accept_offer(booking=booking)
        except services.BookingError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "The place is yours. A confirmation is on its way.")
        return _private(redirect("bookings:my_training"))
    return _private(render(request, "bookings/offer.html", {"booking": booking}))


def _certificate_booking(request, pk):
    """(booking, None) when the person's certificate is ready, else (None, the not-ready page)."""
    booking = selectors.booking_get_attended_for_person(request.user, pk)
    blocker = extensions.certificate_blockers([booking]).get(booking.pk)
    if blocker:
        booking.actions = extensions.actions_for([booking]).get(booking.pk, [])
        context = {"booking": booking, "blocker": blocker}
        return None, render(request, "bookings/certificate_not_ready.html", context)
    return booking, None


@login_required
def certificate(request, pk):
    booking, not_ready = _certificate_booking(request, pk)
    if not_ready:
        return not_ready
    return render(
        request,
        "bookings/booking_certificate.html",
        {
            "booking": booking,
            "certificate": certificate_text(booking),
            "sessions": list(booking.event.sessions.all()),
        },
    )


@login_required
def certificate_pdf_download(request, pk):
    from bookings.certificate_pdf import certificate_pdf

    booking, not_ready = _certificate_booking(request, pk)
    if not_ready:
        return not_ready
    response = HttpResponse(certificate_pdf(certificate_text(booking)), content_type=PDF)
    name = f"certificate_{certificate_reference(booking)}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def certificate_verify(request, reference: str):
    """Public: does this reference name a certificate this partnership gave? Name, course and
    date only, nothing else about the person; 404 with a plain answer for anything else."""
    booking = selectors.certificate_booking_by_reference(reference)
    if booking is not None and extensions.certificate_blockers([booking]).get(booking.pk):
        booking = None
    if booking is None:
        context = {"reference": reference[:40], "partnership": settings.PARTNERSHIP_NAME}
        return render(request, "bookings/certificate_verify_not_found.html", context, status=404)
    context = {"certificate": certificate_text(booking)}
    return render(request, "bookings/certificate_verify.html", context)


# --- My training ---------------------------------------------------------------------------


def _my_training_context(user, *, bound: tuple[int, forms.CompletionForm] | None = None) -> dict:
    bookings = list(selectors.booking_list_for_person(user))
    upcoming, past = selectors.split_upcoming_past(bookings)
    positions = selectors.waitlist_positions(upcoming)
    for booking in upcoming:
        booking.position = positions.get(booking.pk)
    enrolments = list(selectors.enrolment_list_for_person(user))
    for enrolment in enrolments:
        if enrolment.completed_at is None:
            if bound and bound[0] == enrolment.course_id:
                enrolment.form = bound[1]
            else:
                enrolment.form = forms.CompletionForm(prefix=f"course-{enrolment.course_id}")
    actions = extensions.actions_for(bookings)
    blockers = extensions.certificate_blockers([b for b in past if b.status == S.ATTENDED])
    for booking in bookings:
        booking.actions = actions.get(booking.pk, [])
        booking.certificate_blocker = blockers.get(booking.pk, "")
    return {
        "booked": [b for b in upcoming if b.status == S.CONFIRMED],
        "offers": [b for b in upcoming if b.status == S.OFFERED],
        "waiting": [b for b in upcoming if b.status == S.WAITLISTED],
        "past": [b for b in past if b.status in (*Booking.USED, S.CONFIRMED, S.CANCELLED)],
        "partial_no_certificate": PARTIAL_NO_CERTIFICATE,
        "enrolments": enrolments,
        "completion_errors": bound[1].error_links() if bound else [],
        "extra_sections": extensions.sections_for(user),
    }


@login_required
def my_training(request):
    return render(request, "bookings/my_training.html", _my_training_context(request.user))


@login_required
@require_POST
def enrolment_complete(request, course_id):
    course = selectors.elearning_course_get(course_id)
    form = forms.CompletionForm(request.POST, prefix=f"course-{course.pk}")
    if form.is_valid():
        try:
            services.enrolment_complete(
                course=course, person=request.user, completed_on=form.cleaned_data["completed_on"]
            )
        except services.BookingError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"{course.title} is recorded as completed.")
            return redirect("bookings:my_training")
    context = _my_training_context(request.user, bound=(course.pk, form))
    return render(request, "bookings/my_training.html", context)


def _module_page(request, course, form, *, status=200):
    enrolments = selectors.enrolment_list_for_module(person=request.user, course=course)
    return render(
        request,
        "bookings/elearning.html",
        {
            "course": course,
            "form": form,
            "open_enrolment": next((e for e in enrolments if e.completed_at is None), None),
            "completed": [e for e in enrolments if e.completed_at is not None],
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def elearning(request, course_id):
    """An e-learning module for the signed-in person: launch it, mark it done with a date."""
    course = selectors.elearning_course_get(course_id)
    if request.method == "GET":
        return _module_page(request, course, forms.CompletionForm())
    form = forms.CompletionForm(request.POST)
    if form.is_valid():
        try:
            services.enrolment_complete(
                course=course, person=request.user, completed_on=form.cleaned_data["completed_on"]
            )
        except services.BookingError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"{course.title} is recorded as completed.")
            return redirect(f"{reverse('bookings:my_training')}#elearning")
    return _module_page(request, course, form)


@login_required
@require_POST
def elearning_launch(request, course_id):
    """Record that the person started the module, then send them to it (an https address)."""
    course = selectors.elearning_course_get(course_id)
    try:
        services.enrolment_start(course=course, person=request.user)
    except services.BookingError as error:
        messages.error(request, error.message)
        return redirect("bookings:elearning", course_id=course.pk)
    return redirect(course.launch_url)


# --- registers -----------------------------------------------------------------------------


@role_required(TRAINER, LEAD)
def registers(request):
    events = selectors.event_list_for_register(request.user)[:200]
    return render(request, "bookings/registers.html", {"events": events})


def _register_form(event, bookings, data=None) -> forms.RegisterForm:
    sessions = selectors.register_sessions(event)
    return forms.RegisterForm(
        data,
        bookings=bookings,
        reasons=list(selectors.non_attendance_reasons()),
        sessions=sessions,
        marked=selectors.register_session_marks(event) if sessions else None,
    )


def _register_context(request, event, *, register_form=None, walk_in_form=None) -> dict:
    on_register, cancelled = selectors.register_bookings(event)
    if register_form is None:
        register_form = _register_form(event, on_register + cancelled)
    rows = list(register_form.rows())
    closed_to_me = services.register_closed_to(event, request.user)
    return {
        "event": event,
        "form": register_form,
        "sessions": register_form.sessions,
        "open_sessions": [s for s in register_form.sessions if services.session_is_open(s)],
        "rows": [r for r in rows if r[0].status != S.CANCELLED],
        "cancelled_rows": [r for r in rows if r[0].status == S.CANCELLED],
        "walk_in_form": walk_in_form or forms.WalkInForm(prefix="walk-in"),
        "is_open": services.register_is_open(event) and not closed_to_me,
        "closed_to_me": closed_to_me,
        "trainer_last_day": services.register_trainer_last_day(event),
        "history": selectors.register_history(event),
    }


@login_required
@require_http_methods(["GET", "POST"])
@busy_page
def register(request, event_id):
    event = selectors.event_get_for_register(request.user, event_id)
    if request.method == "POST":
        on_register, cancelled = selectors.register_bookings(event)
        form = _register_form(event, on_register + cancelled, request.POST)
        if form.is_valid():
            try:
                changed = services.register_save(
                    event=event,
                    actor=request.user,
                    marks=form.marks(),
                    # "Mark all attended": everyone not yet marked, then the exceptions.
                    mark_rest_attended="mark_all" in request.POST,
                )
            except services.BookingError as error:
                form.add_service_error(error)
            else:
                messages.success(
                    request, f"Register saved: {len(changed)} change{'s' * (len(changed) != 1)}."
                )
                return redirect("bookings:register", event_id=event.pk)
        context = _register_context(request, event, register_form=form)
        return render(request, "bookings/register.html", context)
    return render(request, "bookings/register.html", _register_context(request, event))


@login_required
@require_POST
@busy_page
def register_walk_in(request, event_id):
    event = selectors.event_get_for_register(request.user, event_id)
    form = forms.WalkInForm(request.POST, prefix="walk-in")
    if form.is_valid():
        data = form.cleaned_data
        try:
            # One transaction: a refused walk-in leaves no half-made account behind.
            with transaction.atomic():
                person = services.walk_in_person_get_or_create(
                    email=data["email"],
                    full_name=data["full_name"],
                    organisation=data["organisation"],
                )
                services.register_add_walk_in(
                    event=event, person=person, actor=request.user, status=data["status"]
                )
        except services.BookingError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"{person} is added to the register.")
            return redirect("bookings:register", event_id=event.pk)
    context = _register_context(request, event, walk_in_form=form)
    return render(request, "bookings/register.html", context)


@login_required
def register_print(request, event_id):
    event = selectors.event_get_for_register(request.user, event_id)
    on_register, _cancelled = selectors.register_bookings(event)
    return render(
        request,
        "bookings/register_print.html",
        {
            "event": event,
            "bookings": on_register,
            "sessions": selectors.register_sessions(event),
            "needs": selectors.register_needs_summary(on_register),
            "blank_rows": range(3),
        },
    )


# --- L&D lead ------------------------------------------------------------------------------


def _lead_form_page(request, form, act, *, field: str | None, page: tuple[str, dict]):
    """The lead's booking forms: on a valid POST, `act(cleaned_data)` calls the service and gives
    (success message, where to go next); a refusal goes on `field` (None: the field the
    BookingError names, else the whole form) and the page (template, context) is shown again."""
    if request.method == "POST" and form.is_valid():
        try:
            message, next_url = act(form.cleaned_data)
        except services.BookingError as error:
            if field is None:
                form.add_service_error(error)
            else:
                form.add_error(field, error.message)
                form.mark_errors()
        else:
            messages.success(request, message)
            return redirect(next_url)
    template, context = page
    return render(request, template, {**context, "form": form})


def _lead_form_view(view):
    """The lead's form pages: the lead only, GET or POST, a busy event lock a 503 page."""
    return role_required(LEAD)(require_http_methods(["GET", "POST"])(busy_page(view)))


def _register_url(event_id: int) -> str:
    return reverse("bookings:register", kwargs={"event_id": event_id})


@_lead_form_view
def book_for(request, event_id):
    event = selectors.event_get_for_lead(event_id)

    def act(data):
        person = data["email"]
        booking = services.booking_create(event=event, person=person, booked_by=request.user)
        where = "on the waiting list" if booking.status == S.WAITLISTED else "booked"
        return f"{person} is {where}.", reverse("event_manage:page", kwargs={"event_id": event.pk})

    form = forms.PersonEmailForm(request.POST if request.method == "POST" else None)
    page = ("bookings/book_for.html", {"event": event})
    return _lead_form_page(request, form, act, field="email", page=page)


@_lead_form_view
def move(request, pk):
    booking = selectors.booking_get_for_lead(pk)

    def act(data):
        new = services.booking_move(booking=booking, to_event=data["to_event"], actor=request.user)
        return f"{booking.person} is moved to {new.event}.", _register_url(new.event_id)

    form = forms.MoveForm(
        request.POST if request.method == "POST" else None, events=selectors.move_targets(booking)
    )
    page = ("bookings/booking_move.html", {"booking": booking})
    return _lead_form_page(request, form, act, field="to_event", page=page)


@_lead_form_view
def event_cancel(request, event_id):
    event = selectors.event_get_for_lead(event_id)

    def act(data):
        services.event_cancel(event=event, actor=request.user, reason=data["reason"])
        message = "The event is cancelled. Everyone booked is being emailed."
        return message, reverse("event_manage:page", kwargs={"event_id": event.pk})

    form = forms.EventCancelForm(request.POST if request.method == "POST" else None)
    page = ("bookings/event_cancel.html", {"event": event})
    return _lead_form_page(request, form, act, field=None, page=page)


@_lead_form_view
def event_edit(request, event_id):
    """Edit an event: new places go to the waiting list, a new time, venue or link is emailed."""
    event = selectors.event_get_for_lead(event_id)
    if event.status == event.Status.CANCELLED:
        messages.error(request, EVENT_CANCELLED_NOT_EDITABLE)
        return redirect("courses:event", pk=event.pk)
    form = EventManageForm(request.POST if request.method == "POST" else None, instance=event)
    if request.method == "POST" and request.POST.get("action") == "find-trainers":
        form = EventManageForm(initial=_posted_initial(request), instance=event)
    elif request.method == "POST" and form.is_valid() and not form.needs_confirmation:
        try:
            changed = services.event_update(
                event=event,
                values=form.values(),
                trainers=list(form.cleaned_data["trainers"]),
                actor=request.user,
                recording_history=form.cleaned_data["recording_history"],
            )
        except ValidationError as error:
            form.add_validation_error(error)
        except services.BookingError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request, _edited_message(changed, draft=event.status == event.Status.DRAFT)
            )
            # Back to the lead's page for the event, where creating one lands too.
            return redirect("event_manage:page", event_id=event.pk)
    return render(request, "bookings/manage/event_edit.html", {"event": event, "form": form})


def _posted_initial(request) -> dict:
    initial = {key: request.POST.get(key) for key in request.POST if key != "trainers"}
    initial["trainers"] = request.POST.getlist("trainers")
    return initial


def _edited_message(changed: set[str], *, draft: bool = False) -> str:
    if not changed:
        return "Nothing was changed."
    if draft:
        return "The draft is saved. Nobody is told until you publish it."
    told = changed & set(services.DETAIL_FIELDS)
    said = "The event is saved."
    if "capacity" in changed:
        said += " Any new places are offered to the waiting list."
    if told:
        said += " Everyone with a place is being emailed about the change."
    return said
