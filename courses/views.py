from django.shortcuts import get_object_or_404, render

from courses.models import Event


def catalogue(request):
    events = Event.objects.upcoming().bookable().select_related("course").with_places_taken()[:20]
    return render(request, "courses/catalogue.html", {"events": events})


def event_detail(request, pk):
    event = get_object_or_404(Event.objects.select_related("course").with_places_taken(), pk=pk)
    return render(request, "courses/event_detail.html", {"event": event})
