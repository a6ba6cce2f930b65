"""The public catalogue pages: thin views over selectors and the catalogue filter."""

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import render

from courses.filters import EventCatalogueFilter, govuk_mark_errors
from courses.models import PLACE_HOLDING_STATUSES
from courses.selectors import (
    course_former_titles,
    course_get_published,
    event_booking_for_user,
    event_get_for_page,
    event_list_catalogue,
    event_list_for_course,
)


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
