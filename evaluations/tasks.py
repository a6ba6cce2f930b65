"""django-q2 entry points for evaluations: ids only, idempotent, safe to run twice."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from bookings.certificates import certificate_for
from bookings.models import Booking
from core.mail import compose
from evaluations import manager_reminders, selectors, services
from evaluations.models import Invitation, Stage
from messaging.outbox import outbox_enqueue, outbox_record, send_once
from people import reminders

SUBJECTS = {
    Stage.PRE: "Before your course: {course} (2 minutes)",
    Stage.POST: "How was {course}?",
    Stage.STAGE2: "Has {course} made a difference to your practice?",
}
# Only a full attendance earns a certificate (bookings.certificates says so, once).
POST_SUBJECT_WITH_CERTIFICATE = "How was {course}? Your certificate is waiting"
LINE_MANAGER_SUBJECT = "Has {course} made a difference to your colleague's practice?"


def _is_reminder(purpose: str) -> bool:
    return "reminder" in purpose or "batch" in purpose


def build_message(booking: Booking, invitation: Invitation, purpose: str) -> EmailMessage | None:
    """The email, or None (nothing sent, the outbox row closed) when the invitation was withdrawn
    meanwhile (booking cancelled, pre-course after the start) or there is no one to send it to."""
    invitation.booking = booking
    if services.invitation_closed_reason(invitation):
        return None
    if invitation.respondent == "delegate":
        to = booking.person.email
    else:
        # The address invited, not whatever the booking says now.
        to = invitation.email or booking.line_manager_email
    if not to:
        return None
    is_reminder = _is_reminder(purpose)
    # A reminder goes only to someone who has not turned reminders off, and says how to.
    # A line manager is a person here only if their address has an account.
    recipient = (
        booking.person if invitation.respondent == "delegate" else reminders.person_for_address(to)
    )
    if is_reminder and not reminders.reminders_wanted(recipient):
        return None
    # A line manager without an account: the choice belongs to the address.
    by_address = recipient is None and invitation.respondent != "delegate"
    if is_reminder and by_address and not manager_reminders.address_reminders_wanted(to):
        return None
    course = booking.event.course
    certificate = certificate_for(booking)
    works_until = services.invitation_works_until(invitation)
    context = {
        "booking": booking,
        "invitation": invitation,
        "course": course,
        "event": booking.event,
        "person": booking.person,
        "is_reminder": is_reminder,
        "works_until": works_until,
        "closes_at_start": invitation.stage == Stage.PRE and works_until == booking.event.start,
        "link": services.invitation_url(invitation),
        "my_training_url": settings.SITE_URL + reverse("bookings:my_training"),
        "partnership_name": settings.PARTNERSHIP_NAME,
        "certificate_needs_post": settings.EVAL_CERTIFICATE_NEEDS_POST,
        "certificate": certificate,
    }
    suffix = "" if invitation.respondent == "delegate" else "_line_manager"
    template = f"evaluations/email/{invitation.stage}{suffix}.txt"
    subject = SUBJECTS[invitation.stage]
    if invitation.stage == Stage.POST and certificate.earned and certificate.waits_for_post:
        subject = POST_SUBJECT_WITH_CERTIFICATE
    if invitation.respondent != "delegate":
        subject = LINE_MANAGER_SUBJECT
    subject = subject.format(course=course.title)
    if is_reminder:
        subject = "Reminder: " + subject
    return compose(
        subject=subject,
        text=render_to_string(template, context),
        to=[to],
        **(_reminder_links(invitation, recipient, by_address) if is_reminder else {}),
    )


def _reminder_links(invitation: Invitation, recipient, by_address: bool) -> dict[str, str]:
    if by_address:
        return manager_reminders.manager_reminder_links(invitation)
    return reminders.reminder_links(recipient)


def send_evaluation_email(booking_id, purpose, respondent, invitation_id) -> bool:
    """Send an invitation, fresh link or reminder once; reminders stop once it is answered."""

    def build():
        # Checked after the claim: an answered invitation's reminder is skipped, not left owed.
        if _is_reminder(purpose) and not selectors.invitation_still_open(invitation_id):
            return None
        booking = Booking.objects.select_related("event__course", "person").get(pk=booking_id)
        return build_message(booking, Invitation.objects.get(pk=invitation_id), purpose)

    return send_once(booking_id, purpose, respondent, build)


def invite_due() -> int:
    """Scheduled: make every invitation that is due (each at most once) and email it."""
    made = 0
    for booking_id, stage, respondent in selectors.due_invitations():
        booking = Booking.objects.select_related("event__course").get(pk=booking_id)
        try:
            if services.invitation_create(booking=booking, stage=stage, respondent=respondent):
                made += 1
        except services.EvaluationError:
            continue  # e.g. no questionnaire for this stage yet: try again next run
    return made


def remind_due() -> int:
    """Scheduled: queue the reminders that are due for unanswered invitations."""
    due = selectors.due_reminders()
    for invitation_id, booking_id, purpose, respondent in due:
        row = outbox_record(
            booking_id=booking_id,
            purpose=purpose,
            recipient_role=respondent,
            task=services.EMAIL_TASK,
            invitation_id=invitation_id,
        )
        outbox_enqueue(row)
    return len(due)
