"""What evaluations add to the bookings pages: evaluation links, the certificate gate and the
returns on the lead's event page."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from bookings.extensions import Action, Panel
from evaluations import selectors, services
from evaluations.models import Invitation, Stage

CERTIFICATE_WAITS = (
    "Your certificate will be ready once you have answered the post-course evaluation."
)
# One course can have two expired links (post-course and stage 2): each button names its own.
FRESH_LINK_LABELS = {
    Stage.PRE: "Email me a fresh link to the pre-course evaluation",
    Stage.POST: "Email me a fresh link to the post-course evaluation",
    Stage.STAGE2: "Email me a fresh link to the follow-up on my practice",
}
LABELS = {
    Stage.PRE: "Answer the pre-course evaluation",
    Stage.POST: "Answer the post-course evaluation",
    Stage.STAGE2: "Tell us about the impact on your practice",
}


def _delegate_invitations(bookings):
    ids = [b.pk for b in bookings]
    if not ids:
        return []
    return list(
        Invitation.objects.filter(booking_id__in=ids, respondent="delegate").select_related(
            "response"
        )
    )


def _answered(invitation) -> bool:
    response = getattr(invitation, "response", None)
    return response is not None and response.submitted_at is not None


def certificate_gate(bookings) -> dict[int, str]:
    """Attended bookings whose post-course evaluation is not answered yet (when configured):
    one they were asked, or will be (the course ended within the post-course window). A course
    from before the window that was never evaluated (an imported past year) waits for nothing."""
    if not settings.EVAL_CERTIFICATE_NEEDS_POST:
        return {}
    post = [inv for inv in _delegate_invitations(bookings) if inv.stage == Stage.POST]
    answered = {inv.booking_id for inv in post if _answered(inv)}
    asked = {inv.booking_id for inv in post}
    window_start = selectors.post_invite_window_start(timezone.now())
    return {
        b.pk: CERTIFICATE_WAITS
        for b in bookings
        if b.pk not in answered and (b.pk in asked or b.event.end > window_start)
    }


def booking_actions(bookings) -> dict[int, list[Action]]:
    """An unanswered evaluation: its link while it works, else a button for a fresh one."""
    now = timezone.now()
    by_id = {b.pk: b for b in bookings}
    actions: dict[int, list[Action]] = {}
    for inv in _delegate_invitations(bookings):
        if _answered(inv):
            continue
        inv.booking = by_id[inv.booking_id]
        # Withdrawn (cancelled place) or closed (pre-course after the start): nothing to offer.
        if services.invitation_closed_reason(inv, now=now):
            continue
        if inv.expires_at > now:
            action = Action(LABELS[inv.stage], services.invitation_url(inv))
        else:
            action = Action(
                FRESH_LINK_LABELS[inv.stage],
                reverse("evaluations:fresh_link", args=[inv.pk]),
                method="post",
                hint="The link we sent has expired.",
            )
        actions.setdefault(inv.booking_id, []).append(action)
    return actions


RETURN_STAGES = (("pre", "Pre-course"), ("post", "Post-course"), ("stage2", "Stage 2"))


def event_panels(event) -> list[Panel]:
    """The lead's event page: each evaluation's returns (answered) of those due (invited)."""
    rows = selectors.event_returns(event)
    summary = []
    for key, label in RETURN_STAGES:
        due = sum(1 for r in rows if r[key] != "not sent")
        returned = sum(1 for r in rows if r[key] == "answered")
        summary.append((label, f"{returned} of {due} returned" if due else "None due yet"))
    return [
        Panel(
            title="Evaluation returns",
            rows=tuple(summary),
            link_label="Who has answered, and reminders",
            link_url=reverse("evaluations:event_returns", args=[event.pk]),
        )
    ]
