from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse

from competency import services
from competency.forms import StaffRoleForm
from competency.models import JobRole, StaffRole
from competency.selectors import job_roles_for


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
