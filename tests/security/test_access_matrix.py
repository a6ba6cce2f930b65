"""The authorisation matrix, generated from the URL configuration.

Every named URL must have an entry in MATRIX: for each kind of object the URL can be given (the
requester's own, a colleague's in the same organisation, another organisation's, an event the
trainer runs or one another trainer runs...) the expected outcome for each role, in the order
anonymous, practitioner, trainer, organisation manager, L&D lead. A new URL without an entry fails
`test_every_url_has_an_entry_in_the_matrix`; an entry whose URL is gone fails too.

Outcomes: 200; LOGIN (redirect to the sign-in page); 403; 404; 405 (GET on a POST-only view);
400 (a form re-rendered with errors); REDIRECT (any other redirect, e.g. after a POST).

Swapped ids never show someone else's data: wherever a role is refused another person's object,
that person's name and email must not be in the response, and POSTing valid data changes nothing.

Left out of the matrix, on purpose:
- `admin:*`: Django's generated admin URLs (hundreds, one set per model). They are all behind the
  admin site's superuser check; `test_admin_is_closed_to_everyone_but_superusers` covers it.
- allauth's own pages (sign-in, sign-up, password, email, login-by-code): public by design and
  tested by allauth and tests/people; they are recognised by their view's module, so a page of
  ours mounted under /accounts/ still needs an entry.
- static files: served by whitenoise, never through the URLconf.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from bookings import services as booking_services
from bookings.certificates import certificate_reference
from bookings.models import Booking, BookingLog, CancellationReason, Enrolment
from competency import needs_services
from competency.models import (
    JobRole,
    Level,
    NeedsInvitation,
    NeedsSurvey,
    NeedsTopic,
    OrganisationStaffCount,
    Requirement,
)
from courses.models import Course, Event, PriorityArea, Venue
from evaluations import services as evaluation_services
from evaluations.defaults import ensure_default_questionnaires
from evaluations.manager_reminders import manager_reminder_token
from evaluations.models import Answer, Invitation, Item, Questionnaire, Stage
from imports import services as import_services
from imports.models import ImportRun
from messaging.models import OutboundEmail
from people import roles
from people.models import Organisation, OrganisationDomain, User
from people.reminders import reminder_token
from tests.factories import BookingFactory, CourseFactory, EventFactory, UserFactory

pytestmark = pytest.mark.django_db


# --- the table -----------------------------------------------------------------------------

ANON, PRAC, TRAINER, MANAGER, LEAD = (
    "anonymous",
    "practitioner",
    "trainer",
    "organisation manager",
    "L&D lead",
)
ROLES = (ANON, PRAC, TRAINER, MANAGER, LEAD)
LOGIN, REDIRECT = "sign-in", "redirect"
ALL_OK = (200, 200, 200, 200, 200)
SIGNED_IN = (LOGIN, 200, 200, 200, 200)
LEAD_ONLY = (LOGIN, 403, 403, 403, 200)
REPORT_READERS = (LOGIN, 403, 403, 200, 200)
REGISTER_STAFF = (LOGIN, 403, 200, 403, 200)
OWN_ONLY = (LOGIN, 404, 404, 404, 404)  # another person's object, for any role

# Ownership of the object in the URL (for anonymous, the practitioner's object is used).
NONE = "no object"
OWN = "own"
COLLEAGUE = "colleague's (same organisation)"
OTHER_ORG = "other organisation's"
OWN_EVENT = "event the trainer runs"
OTHER_TRAINER = "event another trainer runs"
PUBLISHED = "published"
UNPUBLISHED = "unpublished"
DRAFT = "draft event (the lead's alone; the trainer is on it)"
ANY = "any"


@dataclass(frozen=True)
class Entry:
    """How to call one URL and what each role gets, per kind of object."""

    method: str  # GET, or POST for POST-only views
    expect: dict[str, tuple]  # ownership -> outcome per role (ROLES order)
    get: dict[str, tuple] = field(default_factory=dict)  # POST-only views: a GET's outcome
    data: str = ""  # a key of World.post_data: valid data an unauthorised POST must not apply


MATRIX: dict[str, Entry] = {
    # catalogue: public
    "courses:catalogue": Entry("GET", {NONE: ALL_OK}),
    "courses:course": Entry("GET", {PUBLISHED: ALL_OK, UNPUBLISHED: (404,) * 5}),
    "courses:event": Entry(
        "GET",
        {
            PUBLISHED: ALL_OK,
            UNPUBLISHED: (404, 404, 404, 404, 200),
            DRAFT: (404, 404, 404, 404, 200),
        },
    ),
    "courses:manage_event_create": Entry("GET", {NONE: LEAD_ONLY}, data="event_create"),
    "courses:manage_event_copy": Entry(
        "GET", {PUBLISHED: LEAD_ONLY, UNPUBLISHED: LEAD_ONLY}, data="event_copy"
    ),
    "courses:manage_venues": Entry("GET", {NONE: LEAD_ONLY}),
    "courses:manage_venue_create": Entry("GET", {NONE: LEAD_ONLY}, data="venue"),
    "courses:manage_venue_edit": Entry("GET", {ANY: LEAD_ONLY}, data="venue"),
    "courses:manage_priority_areas": Entry("GET", {NONE: LEAD_ONLY}),
    "courses:manage_priority_area_create": Entry("GET", {NONE: LEAD_ONLY}, data="priority_area"),
    "courses:manage_priority_area_edit": Entry("GET", {ANY: LEAD_ONLY}, data="priority_area"),
    "cancellation_reasons:list": Entry("GET", {NONE: LEAD_ONLY}),
    "cancellation_reasons:create": Entry("GET", {NONE: LEAD_ONLY}, data="reason"),
    "cancellation_reasons:edit": Entry("GET", {ANY: LEAD_ONLY}, data="reason"),
    "bookings_manage:event_edit": Entry("GET", {PUBLISHED: LEAD_ONLY}, data="event_edit"),
    "courses:course_list": Entry("GET", {NONE: ALL_OK}),
    # "Tell me when dates are announced": anyone signed in, for themselves (the world's published
    # course has dates, so registering is refused with a message on the page it came from)
    "courses:interest_register": Entry(
        "POST",
        {PUBLISHED: (LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT), UNPUBLISHED: OWN_ONLY},
        get={PUBLISHED: (LOGIN, 405, 405, 405, 405), UNPUBLISHED: (LOGIN, 405, 405, 405, 405)},
    ),
    "courses:interest_withdraw": Entry(
        "POST",
        {PUBLISHED: (LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT), UNPUBLISHED: OWN_ONLY},
        get={PUBLISHED: (LOGIN, 405, 405, 405, 405), UNPUBLISHED: (LOGIN, 405, 405, 405, 405)},
    ),
    "courses:manage_demand": Entry("GET", {NONE: LEAD_ONLY}),
    "courses:month_current": Entry("GET", {NONE: (REDIRECT,) * 5}),
    "courses:month": Entry("GET", {NONE: ALL_OK}),
    # the L&D lead's workspace
    "courses:manage": Entry("GET", {NONE: LEAD_ONLY}),
    "courses:manage_courses": Entry("GET", {NONE: LEAD_ONLY}),
    "courses:manage_course_create": Entry("GET", {NONE: LEAD_ONLY}, data="course"),
    "courses:manage_course_edit": Entry("GET", {PUBLISHED: LEAD_ONLY}, data="course"),
    "courses:manage_course_copy": Entry("GET", {PUBLISHED: LEAD_ONLY}, data="course"),
    "courses:manage_course_retire": Entry("GET", {PUBLISHED: LEAD_ONLY}, data="empty"),
    "courses:manage_course_reinstate": Entry(
        "POST",
        {PUBLISHED: (LOGIN, 403, 403, 403, REDIRECT)},
        get={PUBLISHED: (LOGIN, 403, 403, 403, 405)},
    ),
    # people
    "people:profile": Entry("GET", {NONE: SIGNED_IN}),
    "people:my_reminders": Entry("GET", {NONE: SIGNED_IN}),
    # a reminder's signed link: no sign-in; a GET of the one-click address only shows the page
    "people:reminders": Entry("GET", {"valid link": ALL_OK, "tampered link": (400,) * 5}),
    "people:reminders_one_click": Entry(
        "GET", {"valid link": (REDIRECT,) * 5, "tampered link": (400,) * 5}
    ),
    # a line manager's reminder link (an address with no account): the same as a person's
    "evaluations:manager_reminders": Entry(
        "GET", {"valid link": ALL_OK, "tampered link": (400,) * 5}
    ),
    "evaluations:manager_reminders_one_click": Entry(
        "GET", {"valid link": (REDIRECT,) * 5, "tampered link": (400,) * 5}
    ),
    "people:organisations_review": Entry("GET", {NONE: LEAD_ONLY}),
    "people_manage:list": Entry("GET", {NONE: LEAD_ONLY}),
    "organisations:list": Entry("GET", {NONE: LEAD_ONLY}, data="domain"),
    "organisations:domain_remove": Entry(
        "POST",
        {ANY: (LOGIN, 403, 403, 403, REDIRECT)},
        get={ANY: (LOGIN, 403, 403, 403, 405)},
    ),
    "people_manage:person": Entry("GET", {OTHER_ORG: LEAD_ONLY}, data="person_roles"),
    "people:organisation_merge": Entry(
        "POST",
        {ANY: (LOGIN, 403, 403, 403, REDIRECT)},
        get={ANY: (LOGIN, 403, 403, 403, 405)},
        data="merge",
    ),
    "people:organisation_accept": Entry(
        "POST",
        {ANY: (LOGIN, 403, 403, 403, REDIRECT)},
        get={ANY: (LOGIN, 403, 403, 403, 405)},
        data="accept",
    ),
    # bookings: a person's own
    "bookings:my_training": Entry("GET", {NONE: SIGNED_IN}),
    "bookings:enrolment_complete": Entry(
        "POST", {PUBLISHED: SIGNED_IN}, get={PUBLISHED: (LOGIN, 405, 405, 405, 405)}
    ),
    "bookings:elearning": Entry("GET", {PUBLISHED: SIGNED_IN}),
    "bookings:elearning_launch": Entry(
        "POST",
        {PUBLISHED: (LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT)},
        get={PUBLISHED: (LOGIN, 405, 405, 405, 405)},
    ),
    "bookings:book": Entry(
        "GET", {PUBLISHED: SIGNED_IN, UNPUBLISHED: OWN_ONLY, DRAFT: OWN_ONLY}, data="book"
    ),
    "bookings:detail": Entry("GET", {OWN: SIGNED_IN, COLLEAGUE: OWN_ONLY, OTHER_ORG: OWN_ONLY}),
    "bookings:cancel": Entry(
        "GET", {OWN: SIGNED_IN, COLLEAGUE: OWN_ONLY, OTHER_ORG: OWN_ONLY}, data="cancel"
    ),
    "bookings:substitute": Entry(
        "GET", {OWN: SIGNED_IN, COLLEAGUE: OWN_ONLY, OTHER_ORG: OWN_ONLY}, data="substitute"
    ),
    "bookings:ics": Entry("GET", {OWN: SIGNED_IN, COLLEAGUE: OWN_ONLY, OTHER_ORG: OWN_ONLY}),
    "bookings:offer": Entry(
        "GET", {OWN: SIGNED_IN, COLLEAGUE: OWN_ONLY, OTHER_ORG: OWN_ONLY}, data="empty"
    ),
    "bookings:certificate": Entry(
        "GET", {OWN: SIGNED_IN, COLLEAGUE: OWN_ONLY, OTHER_ORG: OWN_ONLY}
    ),
    "bookings:certificate_pdf": Entry(
        "GET", {OWN: SIGNED_IN, COLLEAGUE: OWN_ONLY, OTHER_ORG: OWN_ONLY}
    ),
    # certificates: anyone may check a reference printed on a certificate. The world's
    # certificate waits for its post-course evaluation, so is not given yet: not found either
    # (a given one is found: tests/bookings/test_certificate_pdf.py).
    "certificates:verify": Entry(
        "GET", {"genuine reference, not given yet": (404,) * 5, "forged reference": (404,) * 5}
    ),
    # registers: the event's trainers and the lead
    "bookings:registers": Entry("GET", {NONE: REGISTER_STAFF}),
    "bookings:register": Entry(
        "GET",
        {
            OWN_EVENT: (LOGIN, 404, 200, 404, 200),
            OTHER_TRAINER: (LOGIN, 404, 404, 404, 200),
            DRAFT: (LOGIN, 404, 404, 404, 200),
        },
        data="register",
    ),
    "bookings:register_walk_in": Entry(
        "POST",
        {OWN_EVENT: (LOGIN, 404, 200, 404, 200), OTHER_TRAINER: (LOGIN, 404, 404, 404, 200)},
        get={OWN_EVENT: (LOGIN, 405, 405, 405, 405), OTHER_TRAINER: (LOGIN, 405, 405, 405, 405)},
        data="walk_in",
    ),
    "bookings:register_print": Entry(
        "GET",
        {OWN_EVENT: (LOGIN, 404, 200, 404, 200), OTHER_TRAINER: (LOGIN, 404, 404, 404, 200)},
    ),
    # the L&D lead's booking pages
    "bookings:book_for": Entry("GET", {PUBLISHED: LEAD_ONLY}, data="book_for"),
    "bookings:event_cancel": Entry("GET", {PUBLISHED: LEAD_ONLY}, data="event_cancel"),
    "courses:event_sessions": Entry("GET", {PUBLISHED: LEAD_ONLY}, data="empty"),
    "bookings:move": Entry(
        "GET", {OWN: LEAD_ONLY, COLLEAGUE: LEAD_ONLY, OTHER_ORG: LEAD_ONLY}, data="move"
    ),
    # the L&D lead's page for one event, and its actions
    "event_manage:page": Entry("GET", {PUBLISHED: LEAD_ONLY, DRAFT: LEAD_ONLY}),
    "event_manage:draft_delete": Entry("GET", {DRAFT: LEAD_ONLY}, data="empty"),
    "event_manage:publish": Entry(
        "POST",
        {DRAFT: (LOGIN, 403, 403, 403, REDIRECT)},
        get={DRAFT: (LOGIN, 403, 403, 403, 405)},
    ),
    "event_manage:message": Entry("GET", {PUBLISHED: LEAD_ONLY}, data="event_message"),
    "event_manage:delegates_move": Entry(
        "POST",
        {PUBLISHED: (LOGIN, 403, 403, 403, REDIRECT)},
        get={PUBLISHED: (LOGIN, 403, 403, 403, 405)},
        data="delegates_move",
    ),
    # (another organisation's booking: the lead's buttons answer on the page, by a redirect)
    "event_manage:waitlist_move": Entry(
        "POST",
        {OTHER_ORG: (LOGIN, 403, 403, 403, REDIRECT)},
        get={OTHER_ORG: (LOGIN, 403, 403, 403, 405)},
        data="waitlist_move",
    ),
    "event_manage:waitlist_offer": Entry(
        "POST",
        {OTHER_ORG: (LOGIN, 403, 403, 403, REDIRECT)},
        get={OTHER_ORG: (LOGIN, 403, 403, 403, 405)},
    ),
    "event_manage:waitlist_remove": Entry(
        "GET", {OTHER_ORG: (LOGIN, 403, 403, 403, REDIRECT)}, data="empty"
    ),
    # evaluations
    "evaluations:answer": Entry("GET", {"valid link": ALL_OK, "tampered link": (404,) * 5}),
    "evaluations:fresh_link": Entry(
        "POST",
        {
            OWN: (LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
            COLLEAGUE: OWN_ONLY,
            OTHER_ORG: OWN_ONLY,
        },
        get={
            OWN: (LOGIN, 405, 405, 405, 405),
            COLLEAGUE: (LOGIN, 405, 405, 405, 405),
            OTHER_ORG: (LOGIN, 405, 405, 405, 405),
        },
    ),
    "evaluations:event_returns": Entry(
        "GET", {OWN_EVENT: LEAD_ONLY, OTHER_TRAINER: LEAD_ONLY}, data="returns"
    ),
    "evaluations:questionnaire_preview": Entry("GET", {NONE: LEAD_ONLY}),
    # the questionnaire builder: the lead's (a draft questionnaire in the URL)
    **{
        f"questionnaires:{name}": Entry("GET", {NONE: LEAD_ONLY})
        for name in ("list", "create", "detail", "settings", "preview", "item_add", "item_edit")
    },
    **{
        f"questionnaires:{name}": Entry(
            "POST",
            {NONE: (LOGIN, 403, 403, 403, REDIRECT)},
            get={NONE: (LOGIN, 403, 403, 403, 405)},
        )
        for name in ("item_delete", "item_move", "put_in_use", "new_version")
    },
    # competency: anyone signed in chooses their own job role; a manager sees their own staff
    "competency:my_role": Entry("GET", {NONE: SIGNED_IN}),
    "competency:staff": Entry("GET", {NONE: (LOGIN, 403, 403, 200, 403)}),
    # a manager books for their own staff only with MANAGER_CAN_BOOK on (off here: 404 for all;
    # tests/competency/test_manager_books.py covers it on)
    "competency:staff_book": Entry(
        "GET",
        {COLLEAGUE: (LOGIN, 403, 403, 404, 403), OTHER_ORG: (LOGIN, 403, 403, 404, 403)},
        data="staff_book",
    ),
    # the competency framework and compliance: the lead's
    "framework:index": Entry("GET", {NONE: LEAD_ONLY}),
    "framework:level_create": Entry("GET", {NONE: LEAD_ONLY}, data="level"),
    "framework:level_edit": Entry("GET", {ANY: LEAD_ONLY}, data="level"),
    "framework:role_create": Entry("GET", {NONE: LEAD_ONLY}, data="job_role"),
    "framework:role_edit": Entry("GET", {ANY: LEAD_ONLY}, data="job_role"),
    "framework:role_delete": Entry("GET", {ANY: LEAD_ONLY}, data="empty"),
    "framework:courses": Entry("GET", {NONE: LEAD_ONLY}),
    "framework:staff_counts": Entry("GET", {NONE: LEAD_ONLY}, data="staff_count"),
    "compliance:index": Entry("GET", {NONE: LEAD_ONLY}),
    # the training needs analysis: the lead's pages; the survey by its emailed link (no sign-in)
    "competency:needs_answer": Entry("GET", {"valid link": ALL_OK, "tampered link": (404,) * 5}),
    "needs:list": Entry("GET", {NONE: LEAD_ONLY}),
    "needs:create": Entry("GET", {NONE: LEAD_ONLY}, data="needs_survey"),
    "needs:survey": Entry("GET", {NONE: LEAD_ONLY}),
    "needs:edit": Entry("GET", {NONE: LEAD_ONLY}, data="needs_edit"),
    "needs:preview": Entry("GET", {NONE: LEAD_ONLY}),
    "needs:send": Entry(
        "POST",
        {NONE: (LOGIN, 403, 403, 403, REDIRECT)},
        get={NONE: (LOGIN, 403, 403, 403, 405)},
        data="needs_send",
    ),
    "needs:report": Entry("GET", {NONE: LEAD_ONLY}),
    "evaluations:event_link": Entry(
        "GET",
        {OWN_EVENT: (LOGIN, 404, 200, 404, 200), OTHER_TRAINER: (LOGIN, 404, 404, 404, 200)},
    ),
    # the trainer's short link: to the requester's own evaluation, never anyone else's
    "evaluations:event_short": Entry(
        "GET",
        {OWN: (LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT), OTHER_ORG: SIGNED_IN},
    ),
    # reports: the lead; organisation managers for their own organisation's uptake
    "reports:index": Entry("GET", {NONE: REPORT_READERS}),
    "reports:uptake": Entry("GET", {NONE: REPORT_READERS}),
    "reports:uptake_xlsx": Entry("GET", {NONE: REPORT_READERS}),
    "reports:uptake_csv": Entry("GET", {NONE: REPORT_READERS}),
    "reports:charges": Entry("GET", {NONE: REPORT_READERS}),
    "reports:annual": Entry("GET", {NONE: LEAD_ONLY}),
    "reports:annual_docx": Entry("GET", {NONE: LEAD_ONLY}),
    "reports:quotes": Entry("GET", {NONE: LEAD_ONLY}),
    "reports:quote_mark": Entry(
        "POST",
        {OTHER_ORG: (LOGIN, 403, 403, 403, REDIRECT)},
        get={OTHER_ORG: (LOGIN, 403, 403, 403, 405)},
        data="quote",
    ),
    # messaging: the lead's emails not delivered (an outsider's given-up email is on it)
    "messaging:problems": Entry("GET", {OTHER_ORG: LEAD_ONLY}),
    "messaging:resend": Entry(
        "POST",
        {OTHER_ORG: (LOGIN, 403, 403, 403, REDIRECT)},
        get={OTHER_ORG: (LOGIN, 403, 403, 403, 405)},
    ),
    "imports:upload": Entry("GET", {NONE: LEAD_ONLY}),
    # any lead's import run (here one whose problems name another organisation's person)
    "imports:run": Entry("GET", {OTHER_ORG: LEAD_ONLY}),
    # any lead's upload waiting on its preview (its rows name another organisation's person)
    "imports:preview": Entry("GET", {OTHER_ORG: LEAD_ONLY}),
    # privacy: the notice is public; subject access and erasure are the lead's
    "privacy:notice": Entry("GET", {NONE: ALL_OK}),
    "privacy:person_find": Entry("GET", {NONE: LEAD_ONLY}),
    "privacy:export": Entry("GET", {COLLEAGUE: LEAD_ONLY, OTHER_ORG: LEAD_ONLY}, data="export"),
    "privacy:anonymise": Entry(
        "GET", {COLLEAGUE: LEAD_ONLY, OTHER_ORG: LEAD_ONLY}, data="anonymise"
    ),
    # the audit trail (who changed what, when): the lead's alone
    "audit:trail": Entry("GET", {NONE: LEAD_ONLY}),
}


# --- walking the URLconf -------------------------------------------------------------------


def _walk(patterns, namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            inner = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _walk(p.url_patterns, inner)
        elif isinstance(p, URLPattern):
            yield namespace, p


def _excluded(namespace: str, pattern: URLPattern) -> bool:
    if namespace.startswith("admin:"):
        return True  # covered by test_admin_is_closed_to_everyone_but_superusers
    return (pattern.callback.__module__ or "").startswith("allauth.")


def routed_names() -> tuple[set[str], list[str]]:
    """(names of the URLs the matrix must cover, patterns that have no name)."""
    names, unnamed = set(), []
    for namespace, pattern in _walk(get_resolver().url_patterns):
        if _excluded(namespace, pattern):
            continue
        if pattern.name is None:
            unnamed.append(f"{namespace}{pattern.pattern}")
        else:
            names.add(f"{namespace}{pattern.name}")
    return names, unnamed


def test_every_url_has_an_entry_in_the_matrix():
    names, unnamed = routed_names()
    assert not unnamed, f"URLs without a name cannot be in the access matrix: {unnamed}"
    missing = sorted(names - set(MATRIX))
    assert not missing, f"Add these URLs to MATRIX in {__name__} with who may open them: {missing}"
    gone = sorted(set(MATRIX) - names)
    assert not gone, f"MATRIX has entries for URLs that no longer exist: {gone}"


def test_every_entry_says_what_each_role_gets():
    for name, entry in MATRIX.items():
        for table in (entry.expect, entry.get):
            for ownership, outcomes in table.items():
                assert len(outcomes) == len(ROLES), (name, ownership)
        if entry.method == "POST":
            assert set(entry.get) == set(entry.expect), f"{name}: say what a GET gets"


# --- the people and objects, built once for the module --------------------------------------


class World:
    """Two organisations, five roles, colleagues and outsiders, each with bookings of their own."""

    def __init__(self):
        now = timezone.now().replace(microsecond=0)
        ensure_default_questionnaires()
        self.draft_questionnaire = evaluation_services.questionnaire_create(
            name="Draft", stage=Stage.POST, respondent="delegate"
        )
        for text in ("How much do you know now?", "Anything else?", "And finally?"):
            evaluation_services.questionnaire_item_save(
                questionnaire=self.draft_questionnaire,
                text=text,
                kind=Item.Kind.RATING if text.startswith("How") else Item.Kind.TEXT,
                is_learning_gain=text.startswith("How"),
            )
        self.org = Organisation.objects.create(name="Dudley Council", is_partner=True)
        self.other_org = Organisation.objects.create(name="West Midlands Police", is_partner=True)
        self.to_review = Organisation.objects.create(name="Typed In Trust", is_partner=False)
        self.level = Level.objects.create(number=1, name="Basic awareness")
        self.job_role = JobRole.objects.create(name="Volunteer")

        def person(email, name, organisation, *role_names, **extra):
            return UserFactory(
                email=email,
                full_name=name,
                organisation=organisation,
                roles=list(role_names),
                **extra,
            )

        self.users = {
            PRAC: person("pat.practitioner@dudley.gov.uk", "Pat Practitioner", self.org),
            TRAINER: person("tess.trainer@dudley.gov.uk", "Tess Trainer", self.org, roles.TRAINER),
            MANAGER: person(
                "olive.manager@dudley.gov.uk", "Olive Manager", self.org, roles.ORG_MANAGER
            ),
            LEAD: person("lee.lead@dudley.gov.uk", "Lee Lead", self.org, roles.LEAD, is_staff=True),
        }
        self.colleague = person("colin.colleague@dudley.gov.uk", "Colin Colleague", self.org)
        self.outsider = person("otto.outsider@wmp.police.uk", "Otto Outsider", self.other_org)
        self.other_trainer = person(
            "trudy.othertrainer@wmp.police.uk",
            "Trudy Othertrainer",
            self.other_org,
            roles.TRAINER,
        )

        course = CourseFactory(title="Neglect: Recognising the Signs", slug="neglect-signs")
        self.unpublished_course = CourseFactory(slug="draft-course", is_published=False)
        self.elearning = CourseFactory(
            slug="e-learning-basics", delivery_mode=Course.DeliveryMode.ELEARNING
        )

        def event(start, **kwargs):
            return EventFactory(
                course=course, start=start, end=start + timedelta(hours=3), capacity=30, **kwargs
            )

        self.event = event(now + timedelta(days=20))  # everyone's confirmed booking
        self.unpublished_event = EventFactory(
            course=self.unpublished_course, start=now + timedelta(days=21)
        )
        self.offer_event = event(now + timedelta(days=22))
        past_start = now - timedelta(days=10)
        self.past_event = event(past_start, status=Event.Status.DELIVERED)
        self.own_event = event(now + timedelta(days=30))  # run by the trainer
        self.own_event.trainers.add(self.users[TRAINER])
        self.other_trainer_event = event(now + timedelta(days=31))
        self.other_trainer_event.trainers.add(self.other_trainer)
        self.move_target = event(now + timedelta(days=40))
        self.draft_event = event(now + timedelta(days=26), status=Event.Status.DRAFT)
        self.draft_event.trainers.add(self.users[TRAINER])

        self.booking, self.offer, self.attended, self.invitation = {}, {}, {}, {}
        owners = {**self.users, COLLEAGUE: self.colleague, OTHER_ORG: self.outsider}
        for key, who in owners.items():
            self.booking[key] = BookingFactory(event=self.event, person=who)
            self.offer[key] = BookingFactory(
                event=self.offer_event,
                person=who,
                status=Booking.Status.OFFERED,
                offer_expires_at=now + timedelta(hours=12),
                offer_key=f"matrix-offer-key-{who.pk}-0123456789abcdefghijklmnopqrstuvwxyz",
            )
            self.attended[key] = BookingFactory(
                event=self.past_event,
                person=who,
                status=Booking.Status.ATTENDED,
                created_at=past_start - timedelta(days=5),
            )
            self.invitation[key] = evaluation_services.invitation_create(
                booking=self.attended[key], stage=Stage.POST
            )
        # A line manager's stage 2 (an address with no account), for the reminder pages.
        self.manager_invitation = Invitation.objects.create(
            booking=self.attended[PRAC],
            stage=Stage.STAGE2,
            respondent="line_manager",
            questionnaire=self.invitation[PRAC].questionnaire,
            email="lee.manager@example.org",
            key="matrix-manager-invitation-key",
            created_at=now,
            expires_at=now + timedelta(days=30),
        )
        # People on the registers: a colleague on the trainer's event, an outsider on the other's.
        BookingFactory(event=self.own_event, person=self.colleague)
        BookingFactory(event=self.other_trainer_event, person=self.outsider)
        # A published comment by the outsider, for the quotes page.
        outsider_invitation = self.invitation[OTHER_ORG]
        data = {}
        for item in outsider_invitation.questionnaire.items.all():
            if item.kind == Item.Kind.RATING:
                data[item.id] = "4"
            elif item.kind == Item.Kind.CHOICE:
                data[item.id] = item.choices.splitlines()[0]
            else:
                data[item.id] = "Otto Outsider found it useful"
        evaluation_services.response_save(invitation=outsider_invitation, data=data, submit=True)
        self.answer = Answer.objects.filter(
            response__invitation=outsider_invitation, item__kind=Item.Kind.TEXT
        ).first()
        self.reason = CancellationReason.objects.create(label="Work capacity")
        self.domain = OrganisationDomain.objects.create(organisation=self.org, domain="dudley.test")
        self.undelivered = OutboundEmail.objects.create(
            booking=self.booking[OTHER_ORG],
            purpose="confirmation",
            state=OutboundEmail.State.GIVEN_UP,
            attempts=16,
        )
        # A needs survey, sent to the practitioner (its link is theirs).
        today = timezone.localdate()
        self.needs_survey = needs_services.needs_survey_create(
            actor=self.users[LEAD],
            title="Needs 2027",
            intro="",
            opens_on=today,
            closes_on=today + timedelta(days=30),
            topics={course.priority_area: ["Recognising neglect"]},
        )
        needs_services.needs_survey_send(
            survey=self.needs_survey, actor=self.users[LEAD], people=[self.users[PRAC]]
        )
        self.needs_invitation = NeedsInvitation.objects.get(survey=self.needs_survey)
        # An import run refused on a row that names the outsider.
        self.import_run = ImportRun.objects.create(
            uploaded_by=self.users[LEAD],
            state=ImportRun.State.FAILED,
            file_names=["bookings.csv"],
            errors=[
                f"bookings.csv line 2: email '{self.outsider.email}' already has an active "
                f"booking ({self.outsider.full_name})"
            ],
            error_count=1,
        )
        # An upload waiting on its preview, whose file holds the outsider's booking.
        self.import_preview = import_services.import_run_create(
            uploaded_by=self.users[LEAD],
            sources={
                "bookings.csv": (
                    "booking_ref,event_ref,email,name,organisation,booked_at,status\n"
                    f"BK1,EV1,{self.outsider.email},{self.outsider.full_name},"
                    "West Midlands Police,2022-05-01T10:00,attended\n"
                ).encode()
            },
            dry_run=False,
        )

    # -- objects by ownership --

    def owner(self, role: str, ownership: str) -> User | None:
        """Whose object the URL is given: the requester's own, a colleague's, an outsider's."""
        if ownership == OWN:
            return self.users[PRAC if role == ANON else role]
        if ownership == COLLEAGUE:
            return self.colleague
        if ownership == OTHER_ORG:
            return self.outsider
        if ownership == OTHER_TRAINER:
            return self.outsider  # the delegate on the other trainer's register
        if ownership == OWN_EVENT:
            return self.colleague  # the delegate on the trainer's register
        return None

    def _key(self, role, ownership):
        if ownership == OWN:
            return PRAC if role == ANON else role
        return ownership

    def args(self, name: str, role: str, ownership: str) -> list:
        key = self._key(role, ownership)
        event = {
            OWN_EVENT: self.own_event,
            OTHER_TRAINER: self.other_trainer_event,
            PUBLISHED: self.event,
            UNPUBLISHED: self.unpublished_event,
            DRAFT: self.draft_event,
        }.get(ownership)
        if name in ("bookings:register", "bookings:register_walk_in", "bookings:register_print"):
            return [event.pk]
        if name in ("evaluations:event_returns", "evaluations:event_link"):
            return [event.pk]
        if name in (
            "bookings:book",
            "bookings:book_for",
            "bookings:event_cancel",
            "courses:event_sessions",
        ):
            return [event.pk]
        if name in ("courses:manage_event_copy", "bookings_manage:event_edit"):
            return [event.pk]
        if name == "courses:manage_venue_edit":
            return [self.event.venue_id]
        if name == "courses:manage_priority_area_edit":
            return [self.event.course.priority_area_id]
        if name == "cancellation_reasons:edit":
            return [self.reason.pk]
        if name == "organisations:domain_remove":
            return [self.domain.pk]
        if name == "competency:staff_book":
            return [self.owner(role, ownership).pk]
        if name == "framework:level_edit":
            return [self.level.pk]
        if name in ("framework:role_edit", "framework:role_delete"):
            return [self.job_role.pk]
        if name in (
            "event_manage:page",
            "event_manage:message",
            "event_manage:delegates_move",
            "event_manage:publish",
            "event_manage:draft_delete",
        ):
            return [event.pk]
        if name.startswith("event_manage:waitlist_"):
            return [self.event.pk, self.booking[key].pk]
        if name == "courses:event":
            return [event.pk]
        if name in ("courses:course", "courses:interest_register", "courses:interest_withdraw"):
            return [self.event.course.slug if ownership == PUBLISHED else "draft-course"]
        if name in (
            "bookings:enrolment_complete",
            "bookings:elearning",
            "bookings:elearning_launch",
        ):
            return [self.elearning.pk]
        if name == "courses:month":
            return ["2026-12"]
        if name.startswith("courses:manage_course_") and name != "courses:manage_course_create":
            return [self.event.course.pk]
        if name in (
            "bookings:detail",
            "bookings:cancel",
            "bookings:substitute",
            "bookings:ics",
            "bookings:move",
        ):
            return [self.booking[key].pk]
        if name in ("bookings:certificate", "bookings:certificate_pdf"):
            return [self.attended[key].pk]
        if name == "certificates:verify":
            reference = certificate_reference(self.attended[PRAC])
            return [reference if ownership.startswith("genuine") else reference[:-2] + "00"]
        if name == "bookings:offer":
            return [booking_services.offer_link_token(self.offer[key])]
        if name == "evaluations:answer":
            token = evaluation_services.invitation_link_token(self.invitation[PRAC])
            return [token if ownership == "valid link" else token[:-2] + "xx"]
        if name in ("people:reminders", "people:reminders_one_click"):
            token = reminder_token(self.users[PRAC])
            return [token if ownership == "valid link" else token[:-2] + "xx"]
        if name in ("evaluations:manager_reminders", "evaluations:manager_reminders_one_click"):
            token = manager_reminder_token(self.manager_invitation)
            return [token if ownership == "valid link" else token[:-2] + "xx"]
        if name == "evaluations:fresh_link":
            return [self.invitation[key].pk]
        if name == "evaluations:questionnaire_preview":
            return [Questionnaire.objects.filter(stage=Stage.POST).first().pk]
        if name.startswith("questionnaires:") and name not in (
            "questionnaires:list",
            "questionnaires:create",
        ):
            draft = self.draft_questionnaire
            if name in (
                "questionnaires:item_edit",
                "questionnaires:item_delete",
                "questionnaires:item_move",
            ):
                return [draft.pk, draft.items.order_by("order", "pk").last().pk]
            return [draft.pk]
        if name == "evaluations:event_short":
            return [self.past_event.pk if ownership == OWN else self.other_trainer_event.pk]
        if name == "people_manage:person":
            return [self.outsider.pk]
        if name in ("people:organisation_merge", "people:organisation_accept"):
            return [self.to_review.pk]
        if name == "reports:uptake_csv":
            return ["by_priority"]
        if name == "reports:quote_mark":
            return [self.answer.pk]
        if name == "imports:run":
            return [self.import_run.pk]
        if name == "imports:preview":
            return [self.import_preview.pk]
        if name == "messaging:resend":
            return [self.undelivered.pk]
        if name == "competency:needs_answer":
            token = needs_services.needs_link_token(self.needs_invitation)
            return [token if ownership == "valid link" else token[:-2] + "xx"]
        if name.startswith("needs:") and name not in ("needs:list", "needs:create"):
            return [self.needs_survey.pk]
        if name in ("privacy:export", "privacy:anonymise"):
            return [self.owner(role, ownership).pk]
        return []

    def post_data(self, kind: str, role: str, ownership: str) -> dict:
        """Valid data for the form: a POST by someone refused must still change nothing."""
        owner = self.owner(role, ownership)
        return {
            "": {},
            "empty": {},
            "book": {
                "line_manager_name": "A Manager",
                "line_manager_email": "m@dudley.gov.uk",
                "access_needs": "",
                "dietary_needs": "",
            },
            "cancel": {"reason": self.reason.pk, "detail": "Court hearing"},
            "substitute": {"colleague": self.colleague.email},
            "register": {},
            "walk_in": {
                "walk-in-email": "walker@dudley.gov.uk",
                "walk-in-full_name": "W Walker",
                "walk-in-organisation": self.org.pk,
                "walk-in-status": "attended",
            },
            "book_for": {"email": self.outsider.email},
            "event_cancel": {"reason": "Trainer unwell"},
            "move": {"to_event": self.move_target.pk},
            "delegates_move": {
                "bookings": [self.booking[OTHER_ORG].pk],
                "to_event": self.move_target.pk,
            },
            "waitlist_move": {"direction": "up", "position": 1},
            "event_message": {"audience": "booked", "subject": "Parking", "body": "Round back"},
            "returns": {"stage": "post"},
            "quote": {"publishable": "1"},
            "merge": {"target": self.org.pk},
            "person_roles": {"roles": [roles.LEAD], "organisation": self.org.pk},
            "accept": {"sector": Organisation.Sector.POLICE},
            "export": {"format": "json"},
            "anonymise": {"confirm_email": owner.email if owner else ""},
            "event_create": {
                "course": self.event.course_id,
                "day": "2031-06-10",
                "start_time": "09:30",
                "end_time": "12:30",
                "capacity": "10",
                "notice_working_days": "3",
                "confirm": "on",
            },
            "event_copy": {
                "day": "2031-06-10",
                "start_time": "09:30",
                "end_time": "12:30",
                "every_weeks": "1",
                "count": "2",
                "action": "create",
                "confirm": "on",
            },
            "event_edit": {
                "day": "2031-06-10",
                "start_time": "09:30",
                "end_time": "12:30",
                "capacity": "10",
                "notice_working_days": "3",
                "confirm": "on",
            },
            "needs_survey": {
                "title": "A survey nobody may create",
                "opens_on": "2031-06-10",
                "closes_on": "2031-06-20",
                f"area-{self.event.course.priority_area_id}": "A topic",
            },
            "needs_send": {"emails": self.outsider.email},
            "needs_edit": {
                "title": "A survey nobody may rename",
                "intro": "",
                "closes_on": (timezone.localdate() + timedelta(days=40)).isoformat(),
                f"area-{self.event.course.priority_area_id}": "A topic nobody may add",
            },
            "venue": {"name": "Otto's venue", "address": "1 High Street", "is_active": "on"},
            "priority_area": {"name": "An area nobody may add", "first_year": "2024"},
            "reason": {"label": "A reason nobody may add", "use": "both", "order": "3"},
            "domain": {"organisation": self.org.pk, "domain": "refused.example.org"},
            "staff_book": {"event": self.event.pk},
            "level": {"number": "4", "name": "Refused", "refresher_months": "12"},
            "job_role": {"name": "A role nobody may create", "sector": ""},
            "staff_count": {"organisation": self.org.pk, "staff": "12", "as_of": "2026-01-01"},
            "course": {
                "title": "A course nobody may create",
                "summary": "Refused.",
                "priority_area": self.event.course.priority_area_id,
                "audience": "all",
                "competency_level": "2",
                "delivery_mode": "face_to_face",
            },
        }[kind]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once; each test runs in a savepoint inside this transaction, all rolled back."""
    with django_db_blocker.unblock():
        with transaction.atomic():
            built = World()
            yield built
            transaction.set_rollback(True)


# --- checking ------------------------------------------------------------------------------


def fingerprint() -> tuple:
    """What an unauthorised POST must leave alone."""
    return (
        tuple(Booking.objects.order_by("pk").values_list("pk", "status", "event_id", "person_id")),
        BookingLog.objects.count(),
        tuple(Organisation.objects.order_by("pk").values_list("pk", "name", "is_partner")),
        tuple(Event.objects.order_by("pk").values_list("pk", "status", "start", "capacity")),
        tuple(Venue.objects.order_by("pk").values_list("pk", "name", "address")),
        tuple(PriorityArea.objects.order_by("pk").values_list("pk", "name", "last_year")),
        tuple(CancellationReason.objects.order_by("pk").values_list("pk", "label", "is_active")),
        tuple(OrganisationDomain.objects.order_by("pk").values_list("pk", "domain")),
        tuple(Invitation.objects.order_by("pk").values_list("pk", "key")),
        tuple(Answer.objects.order_by("pk").values_list("pk", "is_publishable")),
        tuple(
            User.objects.order_by("pk").values_list("pk", "email", "full_name", "organisation_id")
        ),
        tuple(User.groups.through.objects.order_by("pk").values_list("user_id", "group_id")),
        Enrolment.objects.count(),
        tuple(NeedsSurvey.objects.order_by("pk").values_list("pk", "title", "closes_on")),
        tuple(NeedsTopic.objects.order_by("pk").values_list("pk", "text", "order")),
        NeedsInvitation.objects.count(),
        tuple(Course.objects.order_by("pk").values_list("pk", "title", "retired_on")),
        tuple(Level.objects.order_by("pk").values_list("pk", "number", "name")),
        tuple(JobRole.objects.order_by("pk").values_list("pk", "name")),
        tuple(Requirement.objects.order_by("pk").values_list("pk", "level")),
        tuple(OrganisationStaffCount.objects.order_by("pk").values_list("pk", "staff")),
    )


def outcome(response) -> int | str:
    if response.status_code == 302:
        return LOGIN if response["Location"].startswith(reverse("account_login")) else REDIRECT
    return response.status_code


def clients(world) -> dict[str, Client]:
    made = {ANON: Client()}
    for role, user in world.users.items():
        made[role] = Client()
        made[role].force_login(user)
    return made


def leaks(response, person: User | None) -> list[str]:
    """The other person's name or email, if the response shows them."""
    if person is None:
        return []
    content = response.content.decode(errors="replace")
    found = []
    for text in (person.full_name, person.email):
        if text and (text in content or html.escape(text) in content):
            found.append(text)
    return found


def _allowed_to_see(role: str, ownership: str, expected) -> bool:
    """Where seeing the object's person is the point: the lead, the trainer's own register."""
    if expected not in (200, 400, REDIRECT):
        return False
    return role == LEAD or (role == TRAINER and ownership == OWN_EVENT) or ownership == OWN


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_access_matrix(world, name):
    entry = MATRIX[name]
    browsers = clients(world)
    failures = []
    checks = [(entry.method, entry.expect)]
    if entry.method == "POST":
        checks.append(("GET", entry.get))
    for method, table in checks:
        for ownership, outcomes in table.items():
            for role, expected in zip(ROLES, outcomes, strict=True):
                url = reverse(name, args=world.args(name, role, ownership))
                before = fingerprint()
                if method == "GET":
                    response = browsers[role].get(url)
                else:
                    response = browsers[role].post(
                        url, world.post_data(entry.data, role, ownership)
                    )
                got = outcome(response)
                where = f"{method} {url} as {role}, {ownership}"
                if got != expected:
                    failures.append(f"{where}: expected {expected}, got {got}")
                owner = world.owner(role, ownership)
                if owner is not None and not _allowed_to_see(role, ownership, expected):
                    if shown := leaks(response, owner):
                        failures.append(f"{where}: shows {shown}")
                refusable = entry.method == "GET" and entry.data
                if refusable and expected not in (200, 400, REDIRECT):
                    # A refused role POSTing valid data gets the same answer and changes nothing.
                    data = world.post_data(entry.data, role, ownership)
                    refused = browsers[role].post(url, data)
                    if outcome(refused) != expected:
                        failures.append(
                            f"POST {url} as {role}, {ownership}: expected {expected}, "
                            f"got {outcome(refused)}"
                        )
                    if owner is not None and (shown := leaks(refused, owner)):
                        failures.append(f"POST {url} as {role}, {ownership}: shows {shown}")
                if expected in (LOGIN, 403, 404, 405) and fingerprint() != before:
                    failures.append(f"{where}: refused, yet the data changed")
    assert not failures, "\n".join(failures)


# --- the Django admin ----------------------------------------------------------------------


def test_admin_is_closed_to_everyone_but_superusers(world):
    """One check for the whole admin: its index and a model's pages, for each role. The L&D
    lead (a staff member) is refused too: they work from /manage/."""
    browsers = clients(world)
    booking = world.booking[OTHER_ORG]
    urls = [
        reverse("admin:index"),
        reverse("admin:bookings_booking_changelist"),
        reverse("admin:bookings_booking_change", args=[booking.pk]),
        reverse("admin:people_user_changelist"),
    ]
    for role in (ANON, PRAC, TRAINER, MANAGER, LEAD):
        for url in urls:
            response = browsers[role].get(url)
            assert response.status_code in (302, 403), (role, url, response.status_code)
            if response.status_code == 302:
                assert response["Location"].startswith(
                    (reverse("admin:login"), reverse("account_login"))
                ), (role, url)
            assert world.outsider.email not in response.content.decode(), (role, url)
        # Following the redirect never lands on an admin page either.
        final = browsers[role].get(urls[1], follow=True)
        assert world.outsider.email not in final.content.decode(), role
        assert b"Select booking to change" not in final.content, role
    assert browsers[LEAD].get(urls[0], follow=True).status_code == 403
    root = Client()
    root.force_login(UserFactory(email="root@dudley.gov.uk", is_staff=True, is_superuser=True))
    for url in urls:
        assert root.get(url).status_code == 200, url


# --- the reports' organisation restriction -------------------------------------------------


def test_an_organisation_manager_sees_only_their_own_organisation_whatever_the_address(world):
    manager = clients(world)[MANAGER]
    url = reverse("reports:uptake_csv", args=["by_organisation"])
    own = manager.get(url).content.decode()
    asked_for_other = manager.get(url, {"organisation": world.other_org.pk}).content.decode()
    assert "Dudley Council" in own and own == asked_for_other
    assert "West Midlands Police" not in asked_for_other
    page = manager.get(reverse("reports:uptake"), {"organisation": world.other_org.pk})
    assert page.status_code == 200
    assert world.outsider.full_name not in page.content.decode()
    lead = clients(world)[LEAD].get(url).content.decode()
    assert "West Midlands Police" in lead  # the data is there, the manager just cannot see it
