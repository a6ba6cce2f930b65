import hashlib
import io

import segno
from allauth.account.adapter import get_adapter as get_account_adapter
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from bookings.certificates import certificate_for
from bookings.selectors import event_get_for_register
from core.text import clean_text
from courses.models import Event
from evaluations import manager_reminders as manager_reminders_service
from evaluations import selectors, services, validation
from evaluations.models import Invitation, Questionnaire, Response, Stage
from evaluations.validation import choice_options
from people.roles import LEAD, role_required
from people.views import reminder_choice_page, reminders_turned_off_page


def _private(response):
    # The link is a secret: never leak it in a Referer header, never keep the page in a cache.
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "no-store"
    return response


def _client_ip(request) -> str:
    # The same client IP as allauth's rate limits (honours TRUSTED_PROXY_COUNT).
    return get_account_adapter().get_client_ip(request) or "unknown"


# Bad links are counted per link and per address, so a council's shared proxy (one address for
# hundreds of staff) never blocks a valid link. A token whose signature does not check cannot be
# a real link: those are counted per address and refused once over the limit, before any
# database read. A signed link that no longer works (expired, answered, closed) is counted per
# link: hammering it is refused for that link only.


def _signed(token: str) -> bool:
    try:
        signing.Signer(salt=services.LINK_SALT).unsign(token)
    except signing.BadSignature:
        return False
    return True


def _bad_link_key(request, token: str) -> str:
    if _signed(token):
        return "eval-bad-link:" + hashlib.sha256(token.encode()).hexdigest()[:32]
    return f"eval-bad-links:{_client_ip(request)}"


def _too_many_bad_links(request, token: str) -> bool:
    count = cache.get(_bad_link_key(request, token)) or 0
    return count >= settings.EVAL_BAD_LINKS_PER_MINUTE


def _link_not_working(request, token: str):
    key = _bad_link_key(request, token)
    cache.add(key, 0, timeout=60)  # a one-minute window per address or per link
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=60)
    return _private(render(request, "evaluations/link_invalid.html", status=404))


def _slow_down(request):
    return _private(render(request, "evaluations/too_many.html", status=429))


@never_cache
@require_http_methods(["GET", "POST"])
def answer(request, token):
    """The questionnaire behind an emailed link: no sign-in, the link is the key."""
    if _too_many_bad_links(request, token):
        return _slow_down(request)
    try:
        invitation = services.invitation_from_token(token)
    except services.LinkInvalid:
        return _link_not_working(request, token)
    response = Response.objects.filter(invitation=invitation).first()
    if response is not None and response.submitted_at is not None:
        return _private(render(request, "evaluations/answered.html", {"invitation": invitation}))
    closed = services.invitation_closed_reason(invitation)
    if closed:
        # Not a bad link: it worked, it is just no longer taking answers. Say why.
        context = {"invitation": invitation, "reason": closed}
        return _private(render(request, "evaluations/closed.html", context, status=410))
    items = list(invitation.questionnaire.items.all())
    saved = {}
    if response is not None:
        for a in response.answers.all():
            saved[a.item_id] = str(a.rating) if a.rating is not None else (a.choice or a.text)
    errors, values, message = {}, saved, ""
    if request.method == "POST":
        submit = "submit" in request.POST
        # Cleaned where it comes in: a NUL cannot be stored, a control character breaks exports.
        values = {item.id: clean_text(request.POST.get(f"item-{item.id}", "")) for item in items}
        try:
            services.response_save(invitation=invitation, data=values, submit=submit)
        except services.EvaluationError as error:
            errors = error.errors
            message = error.message
            if not errors and message in (services.PRE_CLOSED, services.NO_LONGER_NEEDED):
                context = {"invitation": invitation, "reason": message}
                return _private(render(request, "evaluations/closed.html", context, status=410))
            if not errors:
                return _link_not_working(request, token)
        else:
            if submit:
                context = {
                    "invitation": invitation,
                    "certificate": certificate_for(invitation.booking),
                }
                return _private(render(request, "evaluations/thanks.html", context))
            message = "Your answers are saved. You can come back to this link to finish."
    rows = [
        {
            "item": item,
            "name": f"item-{item.id}",
            "value": values.get(item.id, ""),
            "error": errors.get(item.id, ""),
            "options": [c.strip() for c in item.choices.splitlines() if c.strip()],
        }
        for item in items
    ]
    context = {
        "invitation": invitation,
        "course": invitation.booking.event.course,
        "event": invitation.booking.event,
        "rows": rows,
        "errors": [r for r in rows if r["error"]],
        "message": message,
        "ratings": ["1", "2", "3", "4", "5"],
    }
    status = 400 if errors else 200
    return _private(render(request, "evaluations/answer.html", context, status=status))


@login_required
@require_POST
def fresh_link(request, pk):
    """The delegate asks for a fresh link to their own unanswered evaluation."""
    invitation = get_object_or_404(
        Invitation, pk=pk, booking__person=request.user, respondent="delegate"
    )
    try:
        services.invitation_refresh(invitation=invitation)
    except services.EvaluationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"A fresh link is on its way to {request.user.email}.")
    return redirect("bookings:my_training")


# --- staff pages ----------------------------------------------------------------------------


@role_required(LEAD)
def questionnaire_preview(request, pk):
    """The lead sees a questionnaire as a delegate (or line manager) would, without answering."""
    questionnaire = get_object_or_404(Questionnaire, pk=pk)
    items = list(questionnaire.items.all())
    rows = [
        {
            "item": item,
            "name": f"item-{item.id}",
            "value": "",
            "error": "",
            "options": choice_options(item.choices),
        }
        for item in items
    ]
    try:
        validation.questionnaire_check(questionnaire)
        problems = []
    except ValidationError as error:
        problems = error.messages
    context = {
        "questionnaire": questionnaire,
        "rows": rows,
        "ratings": ["1", "2", "3", "4", "5"],
        "preview": True,
        "problems": problems,
    }
    return render(request, "evaluations/answer.html", context)


@role_required(LEAD)
def event_returns(request, event_id):
    """Who on this event has not answered each evaluation; send a reminder batch."""
    event = get_object_or_404(Event.objects.select_related("course"), pk=event_id)
    if request.method == "POST":
        stage = request.POST.get("stage", "")
        if stage not in Stage.values:
            messages.error(request, "Choose which evaluation to remind people about.")
        else:
            sent = services.reminder_batch_send(event=event, stage=stage, actor=request.user)
            label = Stage(stage).label.lower()
            messages.success(request, f"{sent} reminder(s) for the {label} evaluation queued.")
        return redirect("evaluations:event_returns", event_id=event.pk)
    rows = selectors.event_returns(event)
    totals = {
        stage: sum(1 for r in rows if r[stage] == "answered") for stage in ("pre", "post", "stage2")
    }
    context = {"event": event, "rows": rows, "totals": totals, "stages": Stage.choices}
    return render(request, "evaluations/event_returns.html", context)


@login_required
def event_link_qr(request, event_id):
    """The trainer's end-of-session screen: short link and QR code to the post-course form."""
    event = event_get_for_register(request.user, event_id)
    short_url = request.build_absolute_uri(reverse("evaluations:event_short", args=[event.pk]))
    buffer = io.BytesIO()
    segno.make(short_url, error="m").save(
        buffer, kind="svg", scale=8, border=2, title=f"QR code for {short_url}", xmldecl=False
    )
    context = {
        "event": event,
        "short_url": short_url,
        "qr_svg": buffer.getvalue().decode(),
        "certificate_needs_post": settings.EVAL_CERTIFICATE_NEEDS_POST,
    }
    return render(request, "evaluations/event_link.html", context)


@login_required
def event_short(request, event_id):
    """A delegate follows the trainer's short link: to their own post-course evaluation."""
    invitation = selectors.post_invitation_for_delegate(event_id=event_id, person=request.user)
    if invitation is not None:
        return redirect(services.invitation_url(invitation))
    return render(request, "evaluations/event_short_waiting.html", status=200)


def _manager_reminders_link_not_working(request):
    return _private(render(request, "people/reminder_link_invalid.html", status=400))


@never_cache
@require_http_methods(["GET", "POST"])
def manager_reminders(request, token):
    """The page a line manager's reminder links to (an address with no account): no sign-in,
    the signed link says which address."""
    try:
        address = manager_reminders_service.address_from_manager_reminder_token(token)
    except manager_reminders_service.ManagerReminderLinkInvalid:
        return _manager_reminders_link_not_working(request)
    return reminder_choice_page(
        request,
        email=address,
        wanted=lambda: manager_reminders_service.address_reminders_wanted(address),
        set_wanted=lambda on: manager_reminders_service.address_reminders_set(
            address=address, on=on
        ),
        manager=True,
    )


# RFC 8058: the mail provider POSTs with no cookie and no form; the signed token is the key.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def manager_reminders_one_click(request, token):
    """List-Unsubscribe for a line manager's reminders: a POST turns them off at once; a GET
    only shows the page, where the manager chooses."""
    try:
        address = manager_reminders_service.address_from_manager_reminder_token(token)
    except manager_reminders_service.ManagerReminderLinkInvalid:
        return _manager_reminders_link_not_working(request)
    if request.method == "GET":
        return redirect("evaluations:manager_reminders", token=token)
    manager_reminders_service.address_reminders_set(address=address, on=False)
    return reminders_turned_off_page(request, address)
