import csv
import io
from itertools import groupby

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods

from bookings.models import Booking
from bookings.services import BookingError, booking_create
from bookings.views import busy_page
from competency import selectors, services
from competency.forms import (
    JobRoleForm,
    LevelForm,
    StaffBookForm,
    StaffCountForm,
    StaffRoleForm,
)
from competency.models import JobRole, Level, OrganisationStaffCount, StaffRole
from competency.selectors import job_roles_for
from core.text import clean_line, spreadsheet_cell
from courses.models import PriorityArea
from people.roles import ORG_MANAGER, lead_required, role_required


@login_required
def my_role(request):
    """The person chooses their job role among their sector's (and any sector's) roles."""
    roles = JobRole.objects.filter(pk__in=[r.pk for r in job_roles_for(request.user)])
    current = StaffRole.objects.filter(person=request.user).first()
    form = StaffRoleForm(
        request.POST or None,
        roles=roles.order_by("name"),
        initial={"job_role": current.job_role_id if current else None},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_role_set(person=request.user, job_role=form.cleaned_data["job_role"])
        except services.CompetencyError as error:
            form.add_service_error(error)
        else:
            messages.success(request, "Your job role is saved.")
            return redirect(reverse("bookings:my_training") + "#record")
    return render(request, "competency/my_role.html", {"form": form, "has_roles": roles.exists()})


STAFF_CSV_HEADINGS = [
    "Name",
    "Email",
    "Job role",
    "Areas required",
    "In date",
    "Runs out soon",
    "Out of date",
    "Not yet achieved",
    "Gaps",
    "Achieved",
    "Booked (coming up)",
    "Attended",
    "Did not attend",
    "Cancelled late",
]


def _achieved(standing) -> str:
    """'Neglect level 3 until 2028-06-01' (or 'since' when it has run out)."""
    best = standing.best
    text = f"{standing.priority_area.name} level {best.level}"
    if best.expires:
        when = "since" if standing.state == selectors.OUT_OF_DATE else "until"
        text += f" {when} {best.expires.isoformat()}"
    return text


def _staff_csv(rows, organisation) -> HttpResponse:
    buf = io.StringIO()
    buf.write("\ufeff")  # Excel on Windows reads UTF-8 only with a byte order mark
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(STAFF_CSV_HEADINGS)
    for row in rows:
        counts = row.counts
        writer.writerow(
            [
                spreadsheet_cell(v)
                for v in (
                    row.person.full_name,
                    row.person.email,
                    str(row.record.job_role or ""),
                    len(row.record.standings),
                    counts[selectors.IN_DATE],
                    counts[selectors.EXPIRING],
                    counts[selectors.OUT_OF_DATE],
                    counts[selectors.MISSING],
                    "; ".join(f"{s.priority_area.name} level {s.level}" for s in row.record.gaps),
                    "; ".join(_achieved(s) for s in row.record.standings if s.best),
                    row.booked,
                    row.attended,
                    row.did_not_attend,
                    row.cancelled_late,
                )
            ]
        )
    response = HttpResponse(buf.getvalue(), content_type="text/csv; charset=utf-8")
    name = slugify(organisation.name) or "organisation"
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="staff-training_{name}_{day}.csv"'
    return response


@role_required(ORG_MANAGER)
def staff(request):
    """An organisation manager's own staff: each person's record against their role, and
    their bookings. Only their own organisation, whatever the address says."""
    organisation = request.user.organisation
    if organisation is None:
        raise PermissionDenied("Your account is not linked to an organisation.")
    show = request.GET.get("show", "")
    show = show if show in selectors.STAFF_FILTERS else ""
    roles = JobRole.objects.filter(staff__person__organisation=organisation).distinct()
    role_id = request.GET.get("role", "")
    role_id = int(role_id) if role_id.isdigit() and roles.filter(pk=role_id).exists() else None
    search = clean_line(request.GET.get("q", ""))[:100]
    rows = selectors.staff_overview(organisation, show=show, job_role_id=role_id, search=search)
    if request.GET.get("format") == "csv":
        return _staff_csv(rows, organisation)
    context = {
        "organisation": organisation,
        "rows": rows,
        "filters": selectors.STAFF_FILTERS,
        "show": show,
        "roles": roles.order_by("name"),
        "role_id": role_id,
        "q": search,
        "query": request.GET.urlencode(),
        "can_book": settings.MANAGER_CAN_BOOK,
    }
    return render(request, "competency/staff.html", context)


@role_required(ORG_MANAGER)
@require_http_methods(["GET", "POST"])
@busy_page
def staff_book(request, person_id):
    """With MANAGER_CAN_BOOK on, a manager books a place for one of their own staff: the same
    booking service and checks as anyone's booking, recorded as booked by the manager."""
    if not settings.MANAGER_CAN_BOOK:
        raise Http404("Managers do not book places here")
    person = selectors.staff_member_get_for_manager(request.user, person_id)
    form = StaffBookForm(
        request.POST if request.method == "POST" else None,
        events=selectors.events_to_book_for(person),
    )
    if request.method == "POST" and form.is_valid():
        try:
            booking = booking_create(
                event=form.cleaned_data["event"], person=person, booked_by=request.user
            )
        except BookingError as error:
            error.field = "event" if error.field is None else error.field
            form.add_service_error(error)
        else:
            where = (
                "is on the waiting list for"
                if booking.status == Booking.Status.WAITLISTED
                else "is booked on"
            )
            messages.success(
                request, f"{person} {where} {booking.event.course.title}. They are emailed."
            )
            return redirect("competency:staff")
    return render(request, "competency/staff_book.html", {"form": form, "person": person})


# --- the lead's framework (/manage/framework/) ---------------------------------------------


def _post_or_none(request):
    return request.POST if request.method == "POST" else None


@lead_required
def framework(request):
    """The framework at a glance: its levels, its job roles and what each needs."""
    context = {
        "levels": Level.objects.all(),
        "roles": selectors.framework_roles(),
        "areas": PriorityArea.objects.order_by("name"),
    }
    return render(request, "competency/framework.html", context)


@lead_required
@require_http_methods(["GET", "POST"])
def level_edit(request, pk=None):
    level = get_object_or_404(Level, pk=pk) if pk is not None else None
    form = LevelForm(_post_or_none(request), instance=level)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.level_save(level=form.save(commit=False))
        except services.CompetencyError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"The level is saved: {saved}.")
            return redirect("framework:index")
    return render(request, "competency/level_form.html", {"form": form, "level": level})


@lead_required
@require_http_methods(["GET", "POST"])
def role_edit(request, pk=None):
    role = get_object_or_404(JobRole, pk=pk) if pk is not None else None
    form = JobRoleForm(
        _post_or_none(request),
        instance=role,
        priority_areas=PriorityArea.objects.order_by("name"),
        levels=Level.objects.all(),
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.job_role_save(
                job_role=form.save(commit=False), requirements=form.requirements()
            )
        except services.CompetencyError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"The job role is saved: {saved}.")
            return redirect("framework:index")
    holders = role.staff.count() if role else 0
    context = {"form": form, "role": role, "holders": holders}
    return render(request, "competency/role_form.html", context)


@lead_required
@require_http_methods(["GET", "POST"])
def role_delete(request, pk):
    role = get_object_or_404(JobRole, pk=pk)
    error = None
    if request.method == "POST":
        try:
            services.job_role_delete(job_role=role)
        except services.CompetencyError as problem:
            error = problem.message
        else:
            messages.success(request, f"The job role is deleted: {role}.")
            return redirect("framework:index")
    context = {"role": role, "holders": role.staff.count(), "error": error}
    return render(request, "competency/role_delete.html", context, status=400 if error else 200)


@lead_required
def course_levels(request):
    """Which courses achieve which level in which priority area (set on each course)."""
    levels = selectors.level_names()
    courses = list(selectors.course_levels())
    for course in courses:
        course.framework_level = levels.get(course.competency_level)
    areas = [(area, list(items)) for area, items in groupby(courses, key=lambda c: c.priority_area)]
    context = {"areas": areas}
    return render(request, "competency/course_levels.html", context)


@lead_required
@require_http_methods(["GET", "POST"])
def staff_counts(request):
    """Each organisation's staff count (the denominator of its compliance) and a form to set
    one; ?organisation=<id> fills the form with that organisation's current count."""
    initial = {"as_of": timezone.localdate()}
    chosen = request.GET.get("organisation", "")
    if chosen.isdigit():
        current = OrganisationStaffCount.objects.filter(organisation_id=chosen).first()
        initial |= {"organisation": int(chosen)}
        if current:
            initial |= {"staff": current.staff, "as_of": current.as_of}
    form = StaffCountForm(_post_or_none(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.staff_count_set(
                organisation=form.cleaned_data["organisation"],
                staff=form.cleaned_data["staff"],
                as_of=form.cleaned_data["as_of"],
            )
        except services.CompetencyError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"The staff count is saved: {saved}.")
            return redirect("framework:staff_counts")
    organisations = list(selectors.staff_counts())
    for organisation in organisations:
        organisation.staff_count_or_none = getattr(organisation, "staff_count", None)
    context = {"form": form, "organisations": organisations}
    return render(request, "competency/staff_counts.html", context)
