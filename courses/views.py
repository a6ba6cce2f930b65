"""The catalogue pages, and the lead's pages for events and venues: thin views over selectors,
forms and services."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from core.clock import london_time
from courses.filters import EventCatalogueFilter, govuk_mark_errors
from courses.forms import EventCopyForm, EventManageForm, VenueForm, event_initial_from_course
from courses.models import PLACE_HOLDING_STATUSES
from courses.selectors import (
    course_former_titles,
    course_get_published,
    event_booking_for_user,
    event_get_for_page,
    event_list_catalogue,
    event_list_for_course,
    manage_course_for_new_event,
    manage_event_get,
    venue_get,
    venue_list,
)
from courses.services import event_copy_series, event_create, venue_save
from people.roles import lead_required


def catalogue(request):
    filterset = EventCatalogueFilter(request.GET or None, queryset=event_list_catalogue())
    # Invalid values are reported on their field; the other filters still apply (see FilterSet.qs).
    events = filterset.qs
    govuk_mark_errors(filterset.form)
    page = Paginator(events, settings.CATALOGUE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "courses/catalogue.html",
        {
            "filter": filterset,
            "form": filterset.form,
            "page_obj": page,
            "events": page.object_list,
            "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=1),
            "is_filtered": filterset.is_bound and any(filterset.form.cleaned_data.values()),
        },
    )


def course_detail(request, slug):
    course = course_get_published(slug=slug)
    return render(
        request,
        "courses/course_detail.html",
        {
            "course": course,
            "former_titles": course_former_titles(course),
            "events": event_list_for_course(course),
        },
    )


def event_detail(request, pk):
    event = event_get_for_page(pk=pk, user=request.user)
    my_booking = event_booking_for_user(event=event, user=request.user)
    return render(
        request,
        "courses/event_detail.html",
        {
            "event": event,
            "course": event.course,
            "my_booking": my_booking,
            # Joining details only for someone holding a place (not waiting, not cancelled).
            "show_joining": my_booking is not None and my_booking.status in PLACE_HOLDING_STATUSES,
        },
    )


# --- the L&D lead's pages (/manage/) --------------------------------------------------------


def _post_or_none(request):
    return request.POST if request.method == "POST" else None


def _trainer_search_only(request) -> bool:
    """The page's "Find" button: show trainers found, save nothing, show no errors yet."""
    return request.method == "POST" and request.POST.get("action") == "find-trainers"


def _unbound_copy(form_class, request, **kwargs):
    """The same form, unbound, showing what was typed (for a search that saves nothing)."""
    initial = {key: request.POST.get(key) for key in request.POST if key != "trainers"}
    initial["trainers"] = request.POST.getlist("trainers")
    return form_class(initial=initial, **kwargs)


@lead_required
@require_http_methods(["GET", "POST"])
def manage_event_create(request):
    course = manage_course_for_new_event(request.GET.get("course"))
    if _trainer_search_only(request):
        form = _unbound_copy(EventManageForm, request)
    else:
        form = EventManageForm(_post_or_none(request), initial=event_initial_from_course(course))
        if request.method == "POST" and form.is_valid() and not form.needs_confirmation:
            try:
                event = event_create(
                    event=form.event(),
                    trainers=form.cleaned_data["trainers"],
                    recording_history=form.cleaned_data["recording_history"],
                )
            except ValidationError as error:  # changed since the form's check (a race)
                form.add_validation_error(error)
            else:
                messages.success(request, f"The event is created: {event}.")
                return redirect("courses:event", pk=event.pk)
    return render(request, "courses/manage/event_form.html", {"form": form, "course": course})


@lead_required
@require_http_methods(["GET", "POST"])
def manage_event_copy(request, pk):
    source = manage_event_get(pk=pk)
    form = EventCopyForm(_post_or_none(request), source=source)
    preview = None
    if request.method == "POST" and form.is_valid():
        preview = form.copies
        if request.POST.get("action") == "create" and not form.needs_confirmation:
            try:
                created = event_copy_series(
                    source=source,
                    slots=form.slots,
                    recording_history=form.cleaned_data["recording_history"],
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
                form.mark_errors()
                preview = None
            else:
                dates = ", ".join(f"{london_time(e.start):%d %B %Y}" for e in created)
                what = "The copy is" if len(created) == 1 else f"{len(created)} events are"
                messages.success(request, f"{what} created: {dates}.")
                return redirect("courses:event", pk=created[0].pk)
    return render(
        request,
        "courses/manage/event_copy.html",
        {"form": form, "source": source, "preview": preview},
    )


@lead_required
def manage_venues(request):
    return render(request, "courses/manage/venues.html", {"venues": venue_list()})


@lead_required
@require_http_methods(["GET", "POST"])
def manage_venue_edit(request, pk=None):
    venue = venue_get(pk=pk) if pk is not None else None
    form = VenueForm(_post_or_none(request), instance=venue)
    if request.method == "POST" and form.is_valid():
        try:
            saved = venue_save(venue=form.save(commit=False))
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, f"The venue is saved: {saved.name}.")
            return redirect("courses:manage_venues")
    return render(request, "courses/manage/venue_form.html", {"form": form, "venue": venue})
