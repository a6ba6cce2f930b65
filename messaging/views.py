"""The lead's page of emails that failed or were given up, and sending one again."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from messaging import outbox, selectors
from messaging.models import OutboundEmail
from people.roles import lead_required


def _event_id(request) -> int | None:
    raw = request.GET.get("event", "")
    # An id the database can hold: a longer run of digits is no event (was a 500 on SQLite).
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 19 else None


@never_cache
@lead_required
def problems(request):
    event_id = _event_id(request)
    rows = list(selectors.outbox_problems(event_id=event_id)[:500])
    events = selectors.outbox_problem_events()
    event = next((e for e in events if e[0] == event_id), None)
    return render(
        request,
        "messaging/outboundemail_list.html",
        {
            "rows": rows,
            "events": events,
            "event": event,
            "event_id": event_id,
            "max_attempts": settings.EMAIL_MAX_ATTEMPTS,
        },
    )


@never_cache
@lead_required
@require_POST
def resend(request, pk):
    if not OutboundEmail.objects.filter(pk=pk).exists():
        raise Http404
    try:
        row = outbox.outbox_resend(row_id=pk, actor=request.user)
    except outbox.OutboxError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"The email is queued to be sent again to {_recipient(row)}.")
    back = reverse("messaging:problems")
    event_id = request.POST.get("event", "")
    return redirect(f"{back}?event={event_id}" if event_id.isdigit() else back)


def _recipient(row: OutboundEmail) -> str:
    if row.booking_id is None:
        return row.person.email
    if row.recipient_role == "delegate":
        return row.booking.person.email
    return f"{row.booking.person.full_name or row.booking.person.email}'s line manager"
