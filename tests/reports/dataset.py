"""A small hand-built year (1 April 2022 - 31 March 2023) with every trap the report must avoid.

Expected figures, worked by hand (see EXPECTED):
- delivered: E1 (15 Jun 2022, 09:30-16:00, full day, children), E2 (10 Oct 2022, exactly four
  hours, children), E3 (31 Mar 2023 19:00-21:00 BST, an evening, adults): 3 events, 40 places.
- cancelled by the organiser: E5 (with a booking, a cancelled booking and an evaluation).
- not counted: a scheduled event; an event on 31 Mar 2022 (previous period); one at 09:30 on
  1 Apr 2023; one at 00:30 BST on 1 Apr 2023 (31 March in UTC, 1 April in London).
- bookings on delivered events: used 8 (attended 4 + partial 1 + no-show 3), cancelled
  beforehand 2 (one late); not counted: a waiting-list leaver (cancelled, confirmed_at empty),
  a waiting-list booking, a hand-over, a move, a lapsed offer.
- attendees' organisations: "Dudley Council" and a second record "  dudley   COUNCIL " (one
  organisation), West Midlands Police, and an organisation called '=HYPERLINK("x")': 3.
- evaluations: pre 4 of 8 (50.0%), mean 3.00; post 4 of 5 (80.0%), mean 4.00; stage 2 1 of 5
  (20.0%); gain 1.00; paired n 3 (2->4, 3->5, 3->3): mean gain 1.33, normalised
  (2/3 + 2/2 + 0/2) / 3 = 0.556. The cancelled booking's and the organiser-cancelled event's
  answers count nowhere.
- e-learning completions: 2 in the period (1 May 2022; 31 Mar 2023 23:30 BST); not: 1 Apr 2023
  00:30 BST, an unfinished enrolment, one in December 2021 (previous period).
"""

import secrets
from datetime import datetime, timedelta

from django.utils import timezone

from bookings.models import Booking, CancellationReason, Enrolment
from core.clock import LONDON
from courses.models import Course, Event
from evaluations.defaults import ensure_default_questionnaires
from evaluations.models import Answer, Invitation, Item, Response, Stage
from people.models import Organisation
from tests.factories import (
    BookingFactory,
    CourseFactory,
    EventFactory,
    OrganisationFactory,
    PriorityAreaFactory,
    UserFactory,
)

S = Booking.Status
HYPERLINK_ORG = '=HYPERLINK("http://example.com","x")'

EXPECTED = {
    "events": {"delivered": 3, "cancelled": 1, "half_day_or_less": 2, "full_day": 1},
    "places": {"offered": 40, "used": 8, "attended": 5, "did_not_attend": 3, "cancelled": 2},
    "organisations": {"attended": 3},
    "evaluations": {
        "pre": {"invited": 8, "completed": 4, "rate": 50.0},
        "post": {"invited": 5, "completed": 4, "rate": 80.0},
        "stage2": {"invited": 5, "completed": 1, "rate": 20.0},
    },
    "learning_gain": {"pre_mean": 3.0, "post_mean": 4.0, "gain": 1.0},
    "paired": {"n": 3, "mean_gain": 1.33, "normalised_gain": 0.556},
}


def at(y, m, d, hh=9, mm=30):
    return datetime(y, m, d, hh, mm, tzinfo=LONDON)


class Dataset:
    pass


def answer(booking, stage, score=None, *, text="", publishable=False, submitted=True):
    """A delegate's response to `stage` for `booking`: every learning-gain item rated `score`."""
    questionnaire = ensure_default_questionnaires()[stage]
    invitation = Invitation.objects.create(
        booking=booking,
        stage=stage,
        questionnaire=questionnaire,
        key=secrets.token_urlsafe(16),
        created_at=booking.event.start - timedelta(days=3),
        expires_at=booking.event.start + timedelta(days=60),
    )
    response = Response.objects.create(
        invitation=invitation,
        questionnaire=questionnaire,
        started_at=invitation.created_at,
        submitted_at=invitation.created_at + timedelta(days=1) if submitted else None,
    )
    items = list(questionnaire.items.all())
    if score is not None:
        for item in items:
            if item.is_learning_gain and not item.is_retrospective:
                Answer.objects.create(response=response, item=item, rating=score)
    if text:
        item = next(i for i in items if i.kind == Item.Kind.TEXT)
        Answer.objects.create(response=response, item=item, text=text, is_publishable=publishable)
    return response


def build() -> Dataset:
    d = Dataset()
    d.neglect = PriorityAreaFactory(name="Neglect")
    d.exploitation = PriorityAreaFactory(name="Exploitation")
    d.c1 = CourseFactory(
        title="Neglect Basics", priority_area=d.neglect, audience=Course.Audience.CHILDREN
    )
    d.c2 = CourseFactory(
        title="Exploitation Awareness",
        priority_area=d.exploitation,
        audience=Course.Audience.ADULTS,
        delivery_mode=Course.DeliveryMode.LIVE_ONLINE,
    )
    d.e_neglect = CourseFactory(
        title="Neglect e-learning",
        priority_area=d.neglect,
        delivery_mode=Course.DeliveryMode.ELEARNING,
    )
    d.e_exploit = CourseFactory(
        title="Exploitation e-learning",
        priority_area=d.exploitation,
        delivery_mode=Course.DeliveryMode.ELEARNING,
    )

    d.council = OrganisationFactory(
        name="Dudley Council", sector=Organisation.Sector.LOCAL_AUTHORITY
    )
    # The same organisation recorded twice, in another case and spacing (as an old import might).
    d.council_dup = Organisation.objects.bulk_create(
        [
            Organisation(
                name="  dudley   COUNCIL ",
                name_key="dudley council (imported)",
                sector=Organisation.Sector.LOCAL_AUTHORITY,
            )
        ]
    )[0]
    d.police = OrganisationFactory(name="West Midlands Police", sector=Organisation.Sector.POLICE)
    d.barnardos = OrganisationFactory(name="Barnardo's", sector=Organisation.Sector.VOLUNTARY)
    d.hyper = OrganisationFactory(name=HYPERLINK_ORG, sector=Organisation.Sector.OTHER)

    work = CancellationReason.objects.create(label="Work capacity")
    sick = CancellationReason.objects.create(label="Sickness")

    def event(course, start, end, capacity, status=Event.Status.DELIVERED):
        return EventFactory(course=course, start=start, end=end, capacity=capacity, status=status)

    d.e1 = event(d.c1, at(2022, 6, 15), at(2022, 6, 15, 16, 0), 10)
    d.e2 = event(d.c1, at(2022, 10, 10), at(2022, 10, 10, 13, 30), 10)  # exactly 4 hours
    d.e3 = event(d.c2, at(2023, 3, 31, 19, 0), at(2023, 3, 31, 21, 0), 20)  # evening, BST
    d.e5 = event(d.c2, at(2022, 9, 1), at(2022, 9, 1, 12, 30), 15, Event.Status.CANCELLED)
    d.scheduled = event(d.c1, at(2023, 3, 20), at(2023, 3, 20, 12, 30), 12, Event.Status.SCHEDULED)
    d.before = event(d.c1, at(2022, 3, 31, 18, 0), at(2022, 3, 31, 20, 0), 9)
    d.after = event(d.c1, at(2023, 4, 1), at(2023, 4, 1, 12, 30), 11)
    d.midnight = event(d.c2, at(2023, 4, 1, 0, 30), at(2023, 4, 1, 2, 30), 13)
    d.previous = event(d.c1, at(2021, 6, 1), at(2021, 6, 1, 12, 30), 8)

    def person(org):
        return UserFactory(organisation=org)

    def book(ev, org, status, *, confirmed=True, late=False, reason=None, no_show_reason=None,
             booking_org="same"):  # fmt: skip
        created = ev.start - timedelta(days=20)
        return BookingFactory(
            event=ev,
            person=person(org),
            organisation=org if booking_org == "same" else booking_org,
            status=status,
            created_at=created,
            confirmed_at=created if confirmed else None,
            cancelled_at=created + timedelta(days=5) if status == S.CANCELLED else None,
            cancelled_late=late,
            cancellation_reason=reason,
            non_attendance_reason=no_show_reason,
        )

    # E1: full day.
    d.b1 = book(d.e1, d.council, S.ATTENDED)
    d.b2 = book(d.e1, d.council_dup, S.ATTENDED)
    d.b3 = book(d.e1, d.police, S.PARTIAL)
    d.b4 = book(d.e1, d.barnardos, S.NO_SHOW, no_show_reason=sick)
    d.b5 = book(d.e1, d.police, S.CANCELLED, late=True, reason=work)
    d.b6 = book(d.e1, d.police, S.CANCELLED, confirmed=False)  # left the waiting list
    d.b7 = book(d.e1, d.police, S.WAITLISTED, confirmed=False)
    d.b8 = book(d.e1, d.council, S.SUBSTITUTED)
    d.b9 = book(d.e1, d.council, S.CANCELLED, reason=work)
    # E2: exactly four hours.
    d.b10 = book(d.e2, d.police, S.ATTENDED)
    # No organisation on the booking: the delegate's own (Barnardo's) counts.
    d.b11 = book(d.e2, d.barnardos, S.NO_SHOW, booking_org=None)
    d.b12 = book(d.e2, d.council, S.MOVED)
    d.b12b = book(d.e2, d.council, S.EXPIRED)
    # E3: the evening of 31 March.
    d.b13 = book(d.e3, d.hyper, S.ATTENDED)
    d.b14 = book(d.e3, d.police, S.NO_SHOW)
    # E5: cancelled by the organiser, with bookings and an answer.
    d.b15 = book(d.e5, d.council, S.CANCELLED)
    d.b16 = book(d.e5, d.police, S.CONFIRMED)
    # Outside the period.
    d.b17 = book(d.before, d.council, S.ATTENDED)
    d.b18 = book(d.after, d.council, S.ATTENDED)
    d.b19 = book(d.midnight, d.police, S.ATTENDED)
    d.b20 = book(d.previous, d.council, S.ATTENDED)
    d.b21 = book(d.previous, d.police, S.NO_SHOW)

    # Evaluations.
    answer(d.b1, Stage.PRE, 2)
    answer(d.b1, Stage.POST, 4, text="The best course I have been on.", publishable=True)
    answer(d.b1, Stage.STAGE2, text="I used it at a home visit.")
    answer(d.b3, Stage.PRE, 3)
    answer(d.b3, Stage.POST, 5)
    answer(d.b4, Stage.PRE, 4)  # a no-show's pre answer counts (places used)
    answer(d.b10, Stage.POST, 4, text="=cmd|' /C calc'!A0")
    answer(d.b13, Stage.PRE, 3)
    answer(d.b13, Stage.POST, 3)
    answer(d.b14, Stage.POST, 1, submitted=False)  # saved, never sent
    answer(d.b9, Stage.PRE, 1)  # cancelled booking
    answer(d.b15, Stage.PRE, 1)  # organiser-cancelled event
    answer(d.b17, Stage.PRE, 1)  # outside the period
    answer(d.b17, Stage.POST, 1, text="Outside the period quote", publishable=True)

    # e-Learning.
    def enrol(course, org, completed):
        Enrolment.objects.create(
            course=course,
            person=person(org),
            organisation=org,
            enrolled_at=(completed or at(2022, 5, 1)) - timedelta(days=10),
            completed_at=completed,
        )

    enrol(d.e_neglect, d.council, at(2022, 5, 1))
    enrol(d.e_exploit, d.police, at(2023, 3, 31, 23, 30))
    enrol(d.e_neglect, d.council, at(2023, 4, 1, 0, 30))
    enrol(d.e_neglect, d.council, None)
    enrol(d.e_exploit, d.police, at(2021, 12, 1))
    d.now = timezone.now()
    return d
