"""Subject access (UK GDPR Art. 15): everything held about a person, by where it is kept.

`privacy.coverage.COVERED` lists the models the export covers; a test fails when a model that
holds a person's records is in neither that list nor `EXCLUDED`.
"""

from __future__ import annotations

from allauth.account.models import EmailAddress, EmailConfirmation
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone

from bookings.models import Booking, BookingLog, Enrolment, EventMessage, SessionAttendance
from competency.models import NeedsAnswer, NeedsInvitation, StaffRole
from courses.models import CourseInterest, Event
from evaluations.models import Answer, Invitation, Response
from imports.models import ImportMapping, ImportRun
from messaging.models import OutboundEmail
from people.models import OrganisationLog, User
from privacy import audit
from privacy.models import AuditEntry


def _dt(value):
    return timezone.localtime(value).isoformat() if value else None


def _profile(person: User) -> dict:
    org = person.organisation
    return {
        "id": person.pk,
        "email": person.email,
        "full_name": person.full_name,
        "job_title": person.job_title,
        "organisation": org.name if org else None,
        "organisation_sector": org.get_sector_display() if org else None,
        "roles": sorted(person.groups.values_list("name", flat=True)),
        "is_active": person.is_active,
        "has_password": person.has_usable_password(),
        "reminder_emails": person.reminder_emails,
        "date_joined": _dt(person.date_joined),
        "last_login": _dt(person.last_login),
    }


def _booking_row(booking: Booking, logs: list[BookingLog]) -> dict:
    event = booking.event
    return {
        "id": booking.pk,
        "course": event.course.title,
        "event_id": event.pk,
        "event_start": _dt(event.start),
        "venue": event.location_text,
        "status": booking.get_status_display(),
        "organisation": booking.organisation.name if booking.organisation else None,
        "created_at": _dt(booking.created_at),
        "confirmed_at": _dt(booking.confirmed_at),
        "cancelled_at": _dt(booking.cancelled_at),
        "cancelled_late": booking.cancelled_late,
        "cancellation_reason": str(booking.cancellation_reason or ""),
        "cancellation_detail": booking.cancellation_detail,
        "non_attendance_reason": str(booking.non_attendance_reason or ""),
        "attendance_marked_at": _dt(booking.attendance_marked_at),
        "is_walk_in": booking.is_walk_in,
        "booked_by_someone_else": booking.booked_by_id is not None,
        "line_manager_name": booking.line_manager_name,
        "line_manager_email": booking.line_manager_email,
        "access_needs": booking.access_needs,
        "dietary_needs": booking.dietary_needs,
        # An event of several sessions: presence at each.
        "sessions": [
            {
                "session": mark.session.order,
                "start": _dt(mark.session.start),
                "end": _dt(mark.session.end),
                "present": mark.present,
                "marked_at": _dt(mark.marked_at),
            }
            for mark in booking.sessions.all()
        ],
        "log": [_log_row(entry, booking.person_id) for entry in logs],
    }


def _log_row(entry: BookingLog, person_id: int) -> dict:
    return {
        "booking_id": entry.booking_id,
        "at": _dt(entry.at),
        "action": entry.action,
        "from_status": entry.from_status,
        "to_status": entry.to_status,
        "by": _who(entry.actor_id, person_id),
        "note": entry.note,
    }


def _who(actor_id: int | None, person_id: int) -> str:
    # Other staff are named by role only: the export is the subject's data, not theirs.
    if actor_id is None:
        return "the system"
    return "you" if actor_id == person_id else "a member of staff"


def subject_access_export(person: User) -> dict:
    """Everything held about `person`, grouped by where it is kept (UK GDPR Art. 15)."""
    bookings = list(
        Booking.objects.filter(person=person)
        .select_related(
            "event__course",
            "event__venue",
            "organisation",
            "cancellation_reason",
            "non_attendance_reason",
        )
        .prefetch_related(
            Prefetch(
                "sessions",
                queryset=SessionAttendance.objects.select_related("session").order_by(
                    "session__order"
                ),
            )
        )
        .order_by("created_at", "id")
    )
    logs_by_booking: dict[int, list[BookingLog]] = {}
    for entry in BookingLog.objects.filter(booking__person=person).order_by("at", "id"):
        logs_by_booking.setdefault(entry.booking_id, []).append(entry)
    own_actions = BookingLog.objects.filter(actor=person).exclude(booking__person=person)
    invitations = Invitation.objects.filter(booking__person=person).order_by("created_at", "id")
    responses = Response.objects.filter(invitation__booking__person=person).select_related(
        "invitation", "questionnaire"
    )
    answers = (
        Answer.objects.filter(response__invitation__booking__person=person)
        .select_related("item", "response__invitation")
        .order_by("response_id", "item__order", "item_id")
    )
    user_type = ContentType.objects.get_for_model(User)
    sections = {
        "people.User": [_profile(person)],
        "account.EmailAddress": [
            {"email": e.email, "verified": e.verified, "primary": e.primary}
            for e in EmailAddress.objects.filter(user=person)
        ],
        "account.EmailConfirmation": [
            {"email": c.email_address.email, "created": _dt(c.created), "sent": _dt(c.sent)}
            for c in EmailConfirmation.objects.filter(email_address__user=person).select_related(
                "email_address"
            )
        ],
        "bookings.Booking": [_booking_row(b, logs_by_booking.get(b.pk, [])) for b in bookings],
        "bookings.BookingLog": [
            _log_row(entry, person.pk) for entry in own_actions.order_by("at", "id")
        ],
        "bookings.Enrolment": [
            {
                "course": e.course.title,
                "organisation": e.organisation.name if e.organisation else None,
                "enrolled_at": _dt(e.enrolled_at),
                "completed_at": _dt(e.completed_at),
            }
            for e in Enrolment.objects.filter(person=person).select_related(
                "course", "organisation"
            )
        ],
        "competency.StaffRole": [
            {"job_role": str(r.job_role), "updated_at": _dt(r.updated_at)}
            for r in StaffRole.objects.filter(person=person).select_related("job_role")
        ],
        "competency.NeedsInvitation": [
            {
                "survey": i.survey.title,
                "organisation": i.organisation.name if i.organisation else None,
                "asked_at": _dt(i.created_at),
                "answered_at": _dt(i.answered_at),
            }
            for i in NeedsInvitation.objects.filter(person=person).select_related(
                "survey", "organisation"
            )
        ],
        "competency.NeedsAnswer": [
            {
                "survey": a.invitation.survey.title,
                "priority_area": a.topic.priority_area.name,
                "topic": a.topic.text,
                "confidence": a.confidence if a.confidence is not None else "not relevant",
            }
            for a in NeedsAnswer.objects.filter(invitation__person=person).select_related(
                "invitation__survey", "topic__priority_area"
            )
        ],
        "courses.CourseInterest": [
            {
                "course": i.course.title,
                "organisation": i.organisation.name if i.organisation else None,
                "asked_at": _dt(i.created_at),
                "told_of_dates_at": _dt(i.notified_at),
            }
            for i in CourseInterest.objects.filter(person=person).select_related(
                "course", "organisation"
            )
        ],
        "bookings.EventMessage": [
            {
                "event_id": m.event_id,
                "course": m.event.course.title,
                "audience": m.get_audience_display(),
                "subject": m.subject,
                "body": m.body,
                "sent_at": _dt(m.created_at),
                "recipients": m.recipients,
            }
            for m in EventMessage.objects.filter(sent_by=person).select_related("event__course")
        ],
        "messaging.OutboundEmail": [
            {
                "booking_id": e.booking_id,
                "purpose": e.purpose,
                "recipient": "you"
                if e.recipient_role in ("delegate", OutboundEmail.PERSON)
                else e.recipient_role,
                "state": e.state,
                "sent_at": _dt(e.sent_at),
            }
            for e in OutboundEmail.objects.filter(
                Q(booking__person=person) | Q(person=person)
            ).order_by("booking_id", "purpose")
        ],
        "courses.Event": [
            {"event_id": e.pk, "course": e.course.title, "start": _dt(e.start), "role": "trainer"}
            for e in Event.objects.filter(trainers=person).select_related("course")
        ],
        "evaluations.Invitation": [
            {
                "booking_id": i.booking_id,
                "stage": i.get_stage_display(),
                "respondent": i.respondent,
                "created_at": _dt(i.created_at),
                "expires_at": _dt(i.expires_at),
            }
            for i in invitations
        ],
        "evaluations.Response": [
            {
                "booking_id": r.invitation.booking_id,
                "stage": r.invitation.get_stage_display(),
                "respondent": r.invitation.respondent,
                "questionnaire": str(r.questionnaire),
                "started_at": _dt(r.started_at),
                "submitted_at": _dt(r.submitted_at),
                "imported_score": str(r.imported_score) if r.imported_score is not None else None,
            }
            for r in responses
        ],
        "evaluations.Answer": [
            {
                "booking_id": a.response.invitation.booking_id,
                "stage": a.response.invitation.get_stage_display(),
                "respondent": a.response.invitation.respondent,
                "question": a.item.text,
                "rating": a.rating,
                "choice": a.choice,
                "text": a.text,
                "publishable": a.is_publishable,
            }
            for a in answers
        ],
        "people.OrganisationLog": [
            {"at": _dt(o.at), "action": o.get_action_display(), "detail": o.detail}
            for o in OrganisationLog.objects.filter(actor=person)
        ],
        "admin.LogEntry": [
            {
                "at": _dt(e.action_time),
                "by": "you" if e.user_id == person.pk else "a member of staff",
                "action": e.get_action_flag_display(),
                "object": e.object_repr,
                "object_type": e.content_type.model if e.content_type_id else None,
                "change": e.get_change_message(),
            }
            for e in LogEntry.objects.filter(
                Q(user=person) | Q(content_type=user_type, object_id=str(person.pk))
            ).select_related("content_type")
        ],
        "privacy.AuditEntry": [
            {
                "at": _dt(e.at),
                "by": "you" if e.actor_id == person.pk else "a member of staff or the system",
                "about_you": e.subject_id == person.pk,
                "action": e.action,
                "object": e.object_repr,
                "before": e.before,
                "after": e.after,
            }
            for e in AuditEntry.objects.filter(Q(actor=person) | Q(subject=person))
        ],
        "imports.ImportRun": [
            {
                "uploaded_at": _dt(r.uploaded_at),
                "files": r.file_names,
                "check_only": r.dry_run,
                "state": r.get_state_display(),
                "finished_at": _dt(r.finished_at),
            }
            for r in ImportRun.objects.filter(uploaded_by=person).defer("files")
        ],
        "imports.ImportMapping": [
            {"name": m.name, "saved_at": _dt(m.updated_at)}
            for m in ImportMapping.objects.filter(created_by=person)
        ],
    }
    return {
        "about": f"Personal data held by {settings.PARTNERSHIP_NAME} in Learning Loop",
        "person_id": person.pk,
        "generated_at": _dt(timezone.now()),
        "sections": sections,
        "what_each_section_holds": dict(_coverage().items()),
    }


def _coverage() -> dict:
    from privacy.coverage import COVERED

    return COVERED


@transaction.atomic
def subject_access_record(*, person: User, actor: User | None, fmt: str) -> dict:
    """Produce the export for `person` and log that `actor` did (the export is personal data)."""
    data = subject_access_export(person)
    audit.record_about_person(
        action="person.export", person=person, actor=actor, after={"format": fmt}
    )
    return data
