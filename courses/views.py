"""The public catalogue pages: thin views over selectors and the catalogue filter."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from courses import services
from courses.filters import EventCatalogueFilter, govuk_mark_errors
from courses.forms import EventSessionsForm, sessions_initial
from courses.models import PLACE_HOLDING_STATUSES
from courses.selectors import (
    course_former_titles,
    course_get_published,
    event_booking_for_user,
    event_get_for_lead,
    event_get_for_page,
    event_list_catalogue,
    event_list_for_course,
)
from people.roles import LEAD, role_required


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


# --- the L&D lead: an event's sessions ---------------------------------------------------------


@role_required(LEAD)
@require_http_methods(["GET", "POST"])
def event_sessions(request, pk):
    """Add, change or remove an event's sessions (two half-days, for example)."""
    event = event_get_for_lead(pk=pk)
    sessions = [(s.start, s.end) for s in event.sessions.all()] or [(event.start, event.end)]
    if request.method == "POST":
        try:
            rows = int(request.POST.get("rows", len(sessions)))
        except ValueError:
            rows = len(sessions)
        adding = "add" in request.POST
        form = EventSessionsForm(request.POST, rows=rows + 1 if adding else rows)
        if not adding and form.is_valid():
            times = form.times()
            try:
                services.event_sessions_set(event, times)
            except services.EventSessionsError as error:
                form.add_problems(error.problems)
            else:
                count = len(times)
                messages.success(request, f"Sessions saved: {count} session{'s' * (count != 1)}.")
                return redirect("courses:event_sessions", pk=event.pk)
        if adding:
            form.errors.clear()  # adding a row checks nothing yet
        form.mark_errors()
    else:
        form = EventSessionsForm(initial=sessions_initial(sessions), rows=len(sessions))
    return render(
        request,
        "courses/event_sessions.html",
        {"event": event, "form": form, "rows": list(form.rows()), "most": services.SESSIONS_MAX},
    )
