"""A person with a record in every place a person can appear, among colleagues whose figures
make a report (2022/23): bookings, logs, answers, emails, sessions, tasks, admin history."""

import random
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
from allauth.account.models import EmailAddress, EmailConfirmation
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from django_q.models import Task

from bookings.models import Booking, BookingLog, Enrolment, EventMessage
from competency import needs_services
from competency.models import JobRole, NeedsInvitation, StaffRole
from courses.models import Course, CourseInterest, Event
from evaluations.defaults import ensure_default_questionnaires
from evaluations.models import Answer, Invitation, Item, Response, Stage
from imports.models import ImportMapping, ImportRun
from messaging.models import OutboundEmail
from people import roles
from people.models import OrganisationLog, User
from tests.factories import (
    BookingFactory,
    CourseFactory,
    EventFactory,
    OrganisationFactory,
    UserFactory,
)

NAME = "Zebedee Quintrell-Marsh"
EMAIL = "zebedee.quintrell@dudley.gov.uk"


def london(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


@dataclass
class World:
    person: User
    lead: User
    bookings: list = field(default_factory=list)
    colleague_booking: Booking | None = None


def _respond(booking: Booking, stage: str, questionnaire, rng, *, text: str, submitted) -> None:
    invitation = Invitation.objects.create(
        booking=booking,
        stage=stage,
        questionnaire=questionnaire,
        key=secrets.token_urlsafe(16),
        created_at=submitted - timedelta(days=1),
        expires_at=submitted + timedelta(days=30),
    )
    response = Response.objects.create(
        invitation=invitation,
        questionnaire=questionnaire,
        started_at=submitted,
        submitted_at=submitted,
    )
    for item in questionnaire.items.all():
        if item.kind == Item.Kind.RATING:
            Answer.objects.create(response=response, item=item, rating=rng.randint(1, 5))
        elif item.kind == Item.Kind.CHOICE:
            Answer.objects.create(response=response, item=item, choice=item.choices.splitlines()[0])
        else:
            Answer.objects.create(response=response, item=item, text=text, is_publishable=True)


@pytest.fixture
def world(db, client):
    rng = random.Random(8)
    questionnaires = ensure_default_questionnaires()
    org = OrganisationFactory(name="Dudley Council")
    lead = UserFactory(email="lee.lead@dudley.gov.uk", roles=[roles.LEAD], is_staff=True)
    person = UserFactory(
        email=EMAIL, full_name=NAME, job_title="Senior social worker", organisation=org
    )
    world = World(person=person, lead=lead)

    events = []
    for month in (6, 9, 11):
        course = CourseFactory()
        start = london(2022, month, 14, 9, 30)
        events.append(
            EventFactory(
                course=course,
                start=start,
                end=start + timedelta(hours=3),
                capacity=12,
                status=Event.Status.DELIVERED,
            )
        )
    for event in events:
        for _ in range(7):
            colleague = UserFactory(organisation=org)
            status = rng.choice([Booking.Status.ATTENDED] * 4 + [Booking.Status.NO_SHOW])
            booking = BookingFactory(
                event=event,
                person=colleague,
                status=status,
                created_at=event.start - timedelta(days=20),
            )
            _respond(
                booking,
                Stage.PRE,
                questionnaires[Stage.PRE],
                rng,
                text="Keen",
                submitted=event.start - timedelta(days=2),
            )
            if status == Booking.Status.ATTENDED:
                _respond(
                    booking,
                    Stage.POST,
                    questionnaires[Stage.POST],
                    rng,
                    text="Good",
                    submitted=event.end + timedelta(days=1),
                )

    # The person: attended (with answers that name them), did not attend, cancelled.
    details = dict(
        line_manager_name="Morag Feltham",
        line_manager_email="morag.f@dudley.gov.uk",
        access_needs=f"{NAME} uses a wheelchair",
        dietary_needs="Vegan",
    )
    attended = BookingFactory(
        event=events[0],
        person=person,
        status=Booking.Status.ATTENDED,
        created_at=events[0].start - timedelta(days=30),
        **details,
    )
    no_show = BookingFactory(
        event=events[1],
        person=person,
        status=Booking.Status.NO_SHOW,
        created_at=events[1].start - timedelta(days=30),
        **details,
    )
    cancelled = BookingFactory(
        event=events[2],
        person=person,
        status=Booking.Status.CANCELLED,
        created_at=events[2].start - timedelta(days=30),
        cancelled_at=events[2].start - timedelta(days=10),
        cancellation_detail=f"{NAME} is on leave",
        **details,
    )
    world.bookings = [attended, no_show, cancelled]
    _respond(
        attended,
        Stage.PRE,
        questionnaires[Stage.PRE],
        rng,
        text=f"I am {NAME}, write to {EMAIL}",
        submitted=events[0].start - timedelta(days=2),
    )
    _respond(
        attended,
        Stage.POST,
        questionnaires[Stage.POST],
        rng,
        text="Useful for me",
        submitted=events[0].end + timedelta(days=1),
    )
    for booking in world.bookings:
        BookingLog.objects.create(
            booking=booking,
            actor=person,
            at=booking.created_at,
            action="book",
            to_status="confirmed",
            note=f"Booked by {NAME} by phone",
        )
        OutboundEmail.objects.create(
            booking=booking,
            purpose="confirmation",
            state=OutboundEmail.State.SENT,
            sent_at=booking.created_at,
        )
        OutboundEmail.objects.create(
            booking=booking,
            purpose="confirmation",
            recipient_role="line_manager",
            state=OutboundEmail.State.SENT,
            sent_at=booking.created_at,
        )
    BookingLog.objects.create(
        booking=attended,
        actor=lead,
        at=events[0].end,
        action="attendance",
        from_status="confirmed",
        to_status="attended",
    )

    # A colleague who named the person as their line manager.
    world.colleague_booking = BookingFactory(
        event=events[1],
        person=UserFactory(organisation=org),
        status=Booking.Status.ATTENDED,
        line_manager_name=NAME,
        line_manager_email=EMAIL.upper(),
    )
    # ... and whom the person booked on the event (an action of theirs on someone else's record).
    BookingLog.objects.create(
        booking=world.colleague_booking,
        actor=person,
        at=events[1].start - timedelta(days=5),
        action="book",
        to_status="confirmed",
    )
    elearning = CourseFactory(delivery_mode=Course.DeliveryMode.ELEARNING)
    Enrolment.objects.create(
        course=elearning,
        person=person,
        organisation=org,
        enrolled_at=london(2022, 5, 1, 10),
        completed_at=london(2022, 5, 2),
    )
    StaffRole.objects.create(person=person, job_role=JobRole.objects.create(name="Social worker"))
    CourseInterest.objects.create(course=elearning, person=person, organisation=org)
    needs = needs_services.needs_survey_create(
        actor=lead,
        title="Needs 2027",
        intro="",
        opens_on=timezone.localdate(),
        closes_on=timezone.localdate() + timedelta(days=30),
        topics={elearning.priority_area: ["Recognising neglect"]},
    )
    needs_services.needs_survey_send(survey=needs, actor=lead, people=[person])
    needs_services.needs_answer_submit(
        invitation=NeedsInvitation.objects.get(person=person),
        data={t.pk: "2" for t in needs.topics.all()},
    )
    trained = EventFactory(
        course=events[0].course,
        start=london(2022, 7, 1, 9),
        end=london(2022, 7, 1, 12),
        status=Event.Status.DELIVERED,
    )
    trained.trainers.add(person)

    # Sign-in records: addresses, a verification, a signed-in session, a login-code stash.
    address = EmailAddress.objects.create(user=person, email=EMAIL, verified=True, primary=True)
    EmailConfirmation.objects.create(
        email_address=address, key=secrets.token_hex(16), sent=timezone.now()
    )
    client.force_login(person)
    stash = SessionStore()
    stash["account_login_code"] = {"email": EMAIL, "code": "MTDM-NCBV"}
    stash.create()

    # Admin history and an organisation log that name them; a task whose error names them.
    user_type = ContentType.objects.get_for_model(User)
    LogEntry.objects.log_actions(
        user_id=lead.pk,
        queryset=[person],
        action_flag=CHANGE,
        change_message="Changed job title.",
        single_object=True,
    )
    LogEntry.objects.create(
        user=person,
        content_type=ContentType.objects.get_for_model(Booking),
        object_id=str(attended.pk),
        object_repr=str(attended),
        action_flag=CHANGE,
        change_message="[]",
    )
    assert LogEntry.objects.filter(content_type=user_type, object_repr=NAME).exists()
    OrganisationLog.objects.create(
        organisation=org,
        actor=person,
        action=OrganisationLog.Action.ACCEPTED,
        detail=f"Accepted at the request of {EMAIL}",
    )
    # An import of past records they uploaded, and a lead's import refused on a row naming them.
    ImportRun.objects.create(
        uploaded_by=person,
        state=ImportRun.State.DONE,
        file_names=["events.csv"],
        summary={"dry_run": False, "files": {}, "lines": ["events.csv: 1 row: 1 imported"]},
    )
    ImportMapping.objects.create(
        name="Eventbrite bookings", columns={"bookings.csv": {"Email": "email"}}, created_by=person
    )
    ImportRun.objects.create(
        uploaded_by=lead,
        state=ImportRun.State.FAILED,
        file_names=["bookings.csv"],
        errors=[f"bookings.csv line 2: email '{EMAIL}' already has an active booking"],
        error_count=1,
    )
    # A message they sent to an event's delegates (as a lead once), and a lead's naming them.
    EventMessage.objects.create(
        event=attended.event,
        audience=EventMessage.Audience.BOOKED,
        subject="Room change",
        body="We meet in room 2.",
        sent_by=person,
        created_at=timezone.now(),
        recipients=1,
    )
    EventMessage.objects.create(
        event=attended.event,
        audience=EventMessage.Audience.BOOKED,
        subject=f"Cover for {NAME}",
        body=f"{NAME} ({EMAIL}) is away: ask the trainer instead.",
        sent_by=lead,
        created_at=timezone.now(),
        recipients=1,
    )
    Task.objects.create(
        id=secrets.token_hex(16),
        name="booking-email-1-confirmation",
        func="bookings.tasks.send_booking_email",
        args=(attended.pk, "confirmation"),
        kwargs={},
        started=timezone.now(),
        stopped=timezone.now(),
        success=True,
        result=True,
    )
    Task.objects.create(
        id=secrets.token_hex(16),
        name="booking-email-2-confirmation",
        func="bookings.tasks.send_booking_email",
        args=(no_show.pk, "confirmation"),
        kwargs={},
        started=timezone.now(),
        stopped=timezone.now(),
        success=False,
        result=f"SMTPRecipientsRefused: {{'{EMAIL}': (550, '')}}",
    )
    return world
