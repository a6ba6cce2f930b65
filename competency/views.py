import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from competency import selectors, services
from competency.forms import StaffRoleForm
from competency.models import JobRole, StaffRole
from competency.selectors import job_roles_for
from core.text import clean_line, spreadsheet_cell
from people.roles import ORG_MANAGER, role_required


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
    "Booked (coming up)",
    "Attended",
    "Did not attend",
    "Cancelled late",
]


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
    }
    return render(request, "competency/staff.html", context)
