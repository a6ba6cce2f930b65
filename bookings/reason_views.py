"""The L&D lead's cancellation reasons, at /manage/cancellation-reasons/ (reason_urls.py)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from bookings import reasons
from bookings.forms import CancellationReasonForm
from people.roles import LEAD, role_required


@role_required(LEAD)
@require_http_methods(["GET"])
def reason_list(request):
    """The reasons in the order people see them, with how many bookings give each."""
    return render(
        request,
        "bookings/manage/cancellation_reasons.html",
        {"reasons": reasons.cancellation_reason_list()},
    )


@role_required(LEAD)
@require_http_methods(["GET", "POST"])
def reason_edit(request, pk=None):
    """Add or edit a reason; retiring it (unticking "In use") keeps it on past bookings."""
    reason = reasons.cancellation_reason_get(pk=pk) if pk is not None else None
    form = CancellationReasonForm(
        request.POST if request.method == "POST" else None, instance=reason
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = reasons.cancellation_reason_save(
                reason=form.save(commit=False), actor=request.user
            )
        except ValidationError as error:
            for field, found in error.message_dict.items():
                form.add_error(field if field in form.fields else None, found)
            form.mark_errors()
        else:
            messages.success(request, f"The reason is saved: {saved.label}.")
            return redirect("cancellation_reasons:list")
    return render(
        request, "bookings/manage/cancellation_reason_form.html", {"form": form, "reason": reason}
    )
