"""django-q2 entry points for the needs analysis: ids only, idempotent, safe to run twice."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string

from competency import needs_services
from competency.models import NeedsInvitation, NeedsSurvey
from core.mail import compose
from messaging.outbox import send_person_once


def build_needs_email(invitation: NeedsInvitation) -> EmailMessage | None:
    """The survey's invitation, or None (the row skipped) once answered or closed, or when the
    person has left (inactive, no address)."""
    person = invitation.person
    if invitation.answered_at is not None or not person.is_active or not person.email:
        return None
    survey = invitation.survey
    if needs_services.survey_is_closed(survey):
        return None
    context = {
        "person": person,
        "survey": survey,
        "link": needs_services.needs_link_url(invitation),
        "partnership_name": settings.PARTNERSHIP_NAME,
    }
    return compose(
        subject=f"Your safeguarding training needs: {survey.title} (5 minutes)",
        text=render_to_string("competency/email/needs_invitation.txt", context),
        to=[person.email],
    )


def send_needs_email(person_id, purpose) -> bool:
    """Send one person's survey invitation once (the outbox's claim, per person and purpose)."""

    def build():
        invitation = (
            NeedsInvitation.objects.select_related("survey", "person")
            .filter(survey_id=needs_services.survey_id_of(purpose), person_id=person_id)
            .first()
        )
        return build_needs_email(invitation) if invitation else None

    return send_person_once(person_id, purpose, build, task=needs_services.EMAIL_TASK)


def needs_emails_queue(survey_id) -> int:
    """Queue the emails a survey owes (after the lead sends it)."""
    survey = NeedsSurvey.objects.filter(pk=survey_id).first()
    return needs_services.needs_emails_queue(survey=survey) if survey else 0
