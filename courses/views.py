"""The catalogue pages, and the L&D lead's pages (/manage/) for courses, events and venues: thin
views over selectors, filters, forms and services."""

import csv
import io
from datetime import date, timedelta
from itertools import groupby

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from core.clock import LONDON, london_time, london_today
from core.text import spreadsheet_cell
from courses import interest, priority_areas, services
from courses.filters import CourseCatalogueFilter, EventCatalogueFilter, govuk_mark_errors
from courses.forms import (
    CourseManageForm,
    CourseManageSearchForm,
    EventCopyForm,
    EventManageForm,
    EventSessionsForm,
    PriorityAreaForm,
    VenueForm,
    event_initial_from_course,
    sessions_initial,
)
from courses.models import PLACE_HOLDING_STATUSES, Course, Event
from courses.selectors import (
    course_former_titles,
    course_get_for_manage,
    course_get_published,
    course_list_catalogue,
    course_list_manage,
    course_search_q,
    event_booking_for_user,
    event_get_for_lead,
    event_get_for_page,
    event_list_catalogue,
    event_list_for_course,
    event_list_month,
    manage_course_for_new_event,
    manage_event_get,
    venue_get,
    venue_list,
)
from courses.services import event_copy_series, event_create, venue_save
from people.roles import LEAD, lead_required, role_required

# The lead's tasks on the Manage page, in order: (URL name, title, description). Add a row for
# each new lead page.
MANAGE_SECTIONS = [
    ("courses:manage_courses", "Courses", "Create, edit, copy and retire courses and e-learning"),
    (
        "courses:month_current",
        "Events",
        "Every event by month; from a course, add an event or copy one as a series",
    ),
    ("courses:manage_venues", "Venues", "Addresses, rooms, capacity and accessibility"),
    (
        "courses:manage_priority_areas",
        "Priority areas",
        "The partnership's priority areas and the years each is a priority",
    ),
    (
        "cancellation_reasons:list",
        "Cancellation reasons",
        "The reasons people choose when they cancel or do not attend",
    ),
    ("bookings:registers", "Registers", "Take attendance and print the sign-in sheet"),
    ("questionnaires:list", "Questionnaires", "Build, preview and put evaluations in use"),
    ("reports:index", "Reports", "Attendance, organisations and priority areas, by period"),
    (
        "framework:index",
        "Competency framework",
        "Levels, job roles and the level each needs, which courses achieve which level, and "
        "organisations' staff counts",
    ),
    (
        "compliance:index",
        "Compliance",
        "Staff trained to the level their role needs and in date, by organisation and area",
    ),
    (
        "needs:list",
        "Training needs analysis",
        "Ask practitioners how confident they are, and rank the gaps",
    ),
    ("imports:upload", "Import past years", "Load past events, bookings and e-learning"),
    ("messaging:problems", "Emails not delivered", "Emails that bounced or could not be sent"),
    (
        "people:organisations_review",
        "Organisations to review",
        "New organisations people named when they signed up",
    ),
    (
        "organisations:list",
        "Organisations and email domains",
        "The email domains that put people in their organisation when they sign up",
    ),
    (
        "people_manage:list",
        "People and roles",
        "Give people the trainer, organisation manager or lead role; set their organisation",
    ),
    ("privacy:person_find", "Find a person's data", "Export or anonymise a person's records"),
    (
        "audit:trail",
        "Audit trail",
        "Who changed questionnaires, needs surveys, people's roles and organisations, and when",
    ),
    (
        "courses:manage_demand",
        "Demand for courses with no dates",
        "Who is waiting to hear when dates are announced, by course and organisation",
    ),
]


def _dateless_courses(request) -> tuple[list[Course] | None, list[Course] | None]:
    """The e-learning modules (they have no dates) and the courses with no upcoming dates (to
    ask to hear when dates are announced) matching the catalogue's course filters, in one
    query; None for either when the filters ask for something only events have (a month,
    places, another mode)."""
    data = request.GET
    if data.get("month") or data.get("places_left") or data.get("page", "1") not in ("", "1"):
        return None, None
    mode = data.get("mode", "")
    elearning = Course.DeliveryMode.ELEARNING
    found = CourseCatalogueFilter(
        data or None,
        queryset=interest.with_has_dates(course_list_catalogue()).filter(
            Q(delivery_mode=elearning) | Q(has_dates=False)
        ),
    )
    found = list(found.qs)
    modules = [c for c in found if c.is_elearning] if mode in ("", elearning) else None
    undated = [c for c in found if not c.is_elearning] if mode != elearning else None
    if undated:
        waiting = interest.interest_waiting_course_ids(_signed_in(request))
        for course in undated:
            course.waiting = course.pk in waiting
    return modules, undated


def catalogue(request):
    filterset = EventCatalogueFilter(request.GET or None, queryset=event_list_catalogue())
    # Invalid values are reported on their field; the other filters still apply (see FilterSet.qs).
    events = filterset.qs
    govuk_mark_errors(filterset.form)
    page = Paginator(events, settings.CATALOGUE_PAGE_SIZE).get_page(request.GET.get("page"))
    today = london_today()
    modules, undated = _dateless_courses(request)
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
            "modules": modules,
            "undated": undated,
            "this_month": f"{today:%Y-%m}",
        },
    )


def course_list(request):
    """Every course offered, e-learning included, with the catalogue's course filters."""
    filterset = CourseCatalogueFilter(request.GET or None, queryset=course_list_catalogue())
    courses = interest.with_has_dates(filterset.qs)
    govuk_mark_errors(filterset.form)
    page = Paginator(courses, settings.CATALOGUE_PAGE_SIZE).get_page(request.GET.get("page"))
    waiting = interest.interest_waiting_course_ids(_signed_in(request))
    for course in page.object_list:
        course.waiting = course.pk in waiting
    return render(
        request,
        "courses/course_list.html",
        {
            "form": filterset.form,
            "page_obj": page,
            "courses": page.object_list,
            "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=1),
            "is_filtered": filterset.is_bound and any(filterset.form.cleaned_data.values()),
        },
    )


def _month_or_404(month: str) -> date:
    try:
        year, number = (int(part) for part in month.split("-"))
        first = date(year, number, 1)
    except ValueError:
        raise Http404("No such month") from None
    if not 2000 <= year <= 2100:
        raise Http404("No such month")
    return first


def event_month(request, month: str | None = None):
    """The events of one month, day by day, with links to the months either side."""
    if month is None:
        return redirect("courses:month", month=f"{london_today():%Y-%m}")
    first = _month_or_404(month)
    # The lead's drafts are theirs alone: shown (labelled) to them, to nobody else.
    is_lead = request.user.is_authenticated and request.user.is_lead
    events = list(event_list_month(first, with_drafts=is_lead))
    days = [
        (day, list(day_events))
        for day, day_events in groupby(
            events, key=lambda e: timezone.localtime(e.start, LONDON).date()
        )
    ]
    previous = (first - timedelta(days=1)).replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return render(
        request,
        "courses/event_month.html",
        {
            "month": first,
            "days": days,
            "count": len(events),
            "previous": f"{previous:%Y-%m}" if previous.year >= 2000 else None,
            "following": f"{following:%Y-%m}" if following.year <= 2100 else None,
            "previous_label": f"{previous:%B %Y}",
            "following_label": f"{following:%B %Y}",
            "now": timezone.now(),
        },
    )


def course_detail(request, slug):
    course = course_get_published(slug=slug)
    mine = interest.interest_for(course=course, person=_signed_in(request))
    return render(
        request,
        "courses/course_detail.html",
        {
            "course": course,
            "former_titles": course_former_titles(course),
            "events": event_list_for_course(course),
            "waiting": mine is not None and mine.notified_at is None,
            "interest_offered": not interest.interest_not_offered_reason(course),
        },
    )


def _signed_in(request):
    return request.user if request.user.is_authenticated else None


def _back_to(request, course) -> str:
    """Where the button was pressed (the course list or the course page), never elsewhere."""
    back = request.POST.get("next", "")
    # A path on this site only: redirect() would read a bare word ("abc", "account_logout") as
    # a URL name (a 500, or somewhere else).
    if (
        back.startswith("/")
        and not back.startswith("//")
        and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()})
    ):
        return back
    return reverse("courses:course", args=[course.slug])


@login_required
@require_POST
def interest_register(request, slug):
    """ "Tell me when dates are announced": the signed-in person's request."""
    course = course_get_published(slug=slug)
    try:
        interest.interest_register(course=course, person=request.user)
    except interest.InterestError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"We'll email you when dates are announced for {course.title}.")
    return redirect(_back_to(request, course))


@login_required
@require_POST
def interest_withdraw(request, slug):
    """ "I no longer want to hear": the person's request is removed."""
    course = course_get_published(slug=slug)
    if interest.interest_withdraw(course=course, person=request.user):
        messages.success(request, f"We will not email you about dates for {course.title}.")
    return redirect(_back_to(request, course))


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
            # An event of several sessions lists each one, not one span from first to last.
            "sessions": list(event.sessions.all()),
        },
    )


# --- the L&D lead's pages (/manage/) --------------------------------------------------------


def _post_or_none(request):
    return request.POST if request.method == "POST" else None


def _trainer_search_only(request) -> bool:
    """The page's "Find" button: show trainers found, save nothing, show no errors yet."""
    return request.method == "POST" and request.POST.get("action") == "find-trainers"


def _chosen_status(request) -> str:
    """The button pressed: "Save as draft" keeps the event the lead's alone; else published."""
    if request.POST.get("action") in ("draft", "create-draft"):
        return Event.Status.DRAFT
    return Event.Status.SCHEDULED


def _created_page(event):
    """After creating: a draft's own page for the lead (where it is published), else its page."""
    if event.status == Event.Status.DRAFT:
        return redirect("event_manage:page", event_id=event.pk)
    return redirect("courses:event", pk=event.pk)


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
            new = form.event()
            new.status = _chosen_status(request)
            try:
                event = event_create(
                    event=new,
                    trainers=form.cleaned_data["trainers"],
                    recording_history=form.cleaned_data["recording_history"],
                )
            except ValidationError as error:  # changed since the form's check (a race)
                form.add_validation_error(error)
            else:
                done = (
                    "saved as a draft, seen only by you until published"
                    if event.status == Event.Status.DRAFT
                    else "created and published"
                )
                messages.success(request, f"The event is {done}: {event}.")
                return _created_page(event)
    return render(request, "courses/manage/event_form.html", {"form": form, "course": course})


@lead_required
@require_http_methods(["GET", "POST"])
def manage_event_copy(request, pk):
    source = manage_event_get(pk=pk)
    form = EventCopyForm(_post_or_none(request), source=source)
    preview = None
    if request.method == "POST" and form.is_valid():
        preview = form.copies
        action = request.POST.get("action")
        if action in ("create", "create-draft") and not form.needs_confirmation:
            try:
                created = event_copy_series(
                    source=source,
                    slots=form.slots,
                    recording_history=form.cleaned_data["recording_history"],
                    status=_chosen_status(request),
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
                form.mark_errors()
                preview = None
            else:
                dates = ", ".join(f"{london_time(e.start):%d %B %Y}" for e in created)
                what = "The copy is" if len(created) == 1 else f"{len(created)} events are"
                if created[0].status == Event.Status.DRAFT:
                    done = "saved as a draft" if len(created) == 1 else "saved as drafts"
                    done += ", seen only by you until published"
                else:
                    done = "created and published"
                messages.success(request, f"{what} {done}: {dates}.")
                return _created_page(created[0])
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


@role_required(LEAD)
@require_http_methods(["GET"])
def manage_priority_areas(request):
    """The priority areas, with the years each is a priority and how many courses it has."""
    areas = priority_areas.priority_area_list()
    return render(request, "courses/manage/priority_areas.html", {"areas": areas})


@role_required(LEAD)
@require_http_methods(["GET", "POST"])
def manage_priority_area_edit(request, pk=None):
    """Add or edit a priority area; it is retired by its last year, never deleted."""
    area = priority_areas.priority_area_get(pk=pk) if pk is not None else None
    form = PriorityAreaForm(_post_or_none(request), instance=area)
    if request.method == "POST" and form.is_valid():
        try:
            saved = priority_areas.priority_area_save(
                area=form.save(commit=False), actor=request.user
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, f"The priority area is saved: {saved.name}.")
            return redirect("courses:manage_priority_areas")
    return render(request, "courses/manage/priority_area_form.html", {"form": form, "area": area})


def _form_errors(form, error: ValidationError) -> None:
    for field, found in error.message_dict.items():
        form.add_error(field if field in form.fields else None, found)
    form.mark_errors()


# --- The L&D lead's pages ------------------------------------------------------------------


@role_required(LEAD)
def manage(request):
    sections = [
        {"url": reverse(name), "title": title, "description": description}
        for name, title, description in MANAGE_SECTIONS
    ]
    return render(request, "courses/manage/index.html", {"sections": sections})


@role_required(LEAD)
def manage_demand(request):
    """Demand for courses with no dates: people waiting to hear, by course and organisation."""
    if request.GET.get("format") == "csv":
        return _demand_csv()
    return render(
        request,
        "courses/manage/demand.html",
        {
            "courses": interest.demand_by_course(),
            "organisations": interest.demand_by_organisation(),
        },
    )


def _demand_csv() -> HttpResponse:
    buf = io.StringIO()
    buf.write("\ufeff")  # Excel on Windows reads UTF-8 only with a byte order mark
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(interest.DEMAND_CSV_HEADINGS)
    for row in interest.demand_rows():
        writer.writerow([spreadsheet_cell(v) for v in row])
    response = HttpResponse(buf.getvalue(), content_type="text/csv; charset=utf-8")
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="course-demand_{day}.csv"'
    return response


@role_required(LEAD)
def manage_courses(request):
    form = CourseManageSearchForm(request.GET or None)
    courses = course_list_manage()
    status = "live"
    if form.is_valid():
        text = form.cleaned_data["q"].strip()
        if text:
            courses = courses.filter(course_search_q(text))
        status = form.cleaned_data["status"] or "live"
    if status == "live":
        courses = courses.filter(retired_on__isnull=True)
    elif status == "retired":
        courses = courses.filter(retired_on__isnull=False)
    page = Paginator(courses, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "courses/manage/course_list.html",
        {"form": form, "page_obj": page, "courses": page.object_list, "status": status},
    )


def _course_form_page(request, *, form, course=None, copy_of=None):
    return render(
        request,
        "courses/manage/course_form.html",
        {"form": form, "course": course, "copy_of": copy_of},
    )


def _save_course(request, form, *, course=None):
    """Create (course None) or update from a valid form; None and errors on the form if refused."""
    data = dict(form.cleaned_data)
    try:
        if course is None:
            return services.course_create(**data)
        return services.course_update(course=course, **data)
    except ValidationError as error:
        form.add_service_errors(error)
        return None


@role_required(LEAD)
def manage_course_create(request):
    form = CourseManageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        course = _save_course(request, form)
        if course is not None:
            messages.success(request, f"{course.title} is created and shown in the catalogue.")
            return redirect("courses:manage_courses")
    return _course_form_page(request, form=form)


@role_required(LEAD)
def manage_course_copy(request, pk):
    original = course_get_for_manage(pk)
    if request.method == "POST":
        form = CourseManageForm(request.POST)
    else:
        initial = CourseManageForm.initial_from(original)
        initial["title"] = f"{original.title} (copy)"
        form = CourseManageForm(initial=initial)
    if request.method == "POST" and form.is_valid():
        course = _save_course(request, form)
        if course is not None:
            messages.success(request, f"{course.title} is created as a copy of {original.title}.")
            return redirect("courses:manage_courses")
    return _course_form_page(request, form=form, copy_of=original)


@role_required(LEAD)
def manage_course_edit(request, pk):
    course = course_get_for_manage(pk)
    if request.method == "POST":
        form = CourseManageForm(request.POST, course=course)
    else:
        form = CourseManageForm(initial=CourseManageForm.initial_from(course), course=course)
    if request.method == "POST" and form.is_valid():
        saved = _save_course(request, form, course=course)
        if saved is not None:
            messages.success(request, f"{saved.title} is saved.")
            return redirect("courses:manage_courses")
    return _course_form_page(request, form=form, course=course)


@role_required(LEAD)
def manage_course_retire(request, pk):
    course = course_get_for_manage(pk)
    error = ""
    if request.method == "POST":
        try:
            services.course_retire(course=course)
        except services.CourseError as refused:
            error = str(refused)
        else:
            messages.success(request, f"{course.title} is retired: it is no longer offered.")
            return redirect("courses:manage_courses")
    return render(request, "courses/manage/course_retire.html", {"course": course, "error": error})


@role_required(LEAD)
@require_POST
def manage_course_reinstate(request, pk):
    course = course_get_for_manage(pk)
    try:
        services.course_reinstate(course=course)
    except services.CourseError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, f"{course.title} is offered again.")
    return redirect(f"{reverse('courses:manage_courses')}?status=retired")


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
