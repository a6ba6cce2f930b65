"""The demo data set behind `make demo`: the partnership's 2022/23 year, as raw records.

Nothing here stores a figure. The generator writes events, bookings, attendance, cancellations,
evaluation invitations, responses and answers, and e-learning enrolments, shaped so that the
reports computed from them reproduce the 2022/23 annual report (issue 5's definitions): 68
delivered events, 2068 places offered, 1106 used, 849 attended, 257 did not attend, 344 cancelled
beforehand, 48 organisations, evaluation returns of 77.7% / 59.4% / 12.5%, and a learning gain of
3.01 -> 4.30. It adds the traps a report must ignore (events cancelled by the organiser,
waiting-list places that never came, answers from cancelled bookings, unsent answers), upcoming
events for the next three months, two recent events, and one sign-in per role. The training
since 2022/23 (e-learning up to last month, the level 3 courses run again in the year before last,
evaluated like 2022/23) keeps today's compliance with the framework mixed rather than all run out;
it adds no event to this reporting year or the last.

It writes with bulk_create, like an import, inside one transaction: it is a loader, not a workflow.
Running it again finds its marker (events whose external_ref starts with "demo-") and only makes
sure the demo sign-ins exist.
"""

import math
import random
import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from faker import Faker

from bookings.models import Booking, BookingLog, CancellationReason, Enrolment
from competency.models import (
    JobRole,
    Level,
    NeedsAnswer,
    NeedsInvitation,
    NeedsSurvey,
    NeedsTopic,
    Requirement,
    StaffRole,
)
from competency.reminders import SEND_TASK as EXPIRY_TASK
from competency.reminders import expiry_reminders_due
from competency.services import staff_count_set
from core.clock import LONDON, working_days_before
from courses.models import Course, CourseInterest, CourseName, Event, PriorityArea, Venue
from evaluations.defaults import ensure_default_questionnaires, ensure_manager_questionnaire
from evaluations.models import Answer, Invitation, Item, Respondent, Response, Stage
from evaluations.services import EMAIL_TASK, INVITABLE, email_purpose
from imports.writers import refresh_planner_statistics
from messaging.models import OutboundEmail
from people import roles
from people.models import Organisation, OrganisationDomain, User, normalise_name

MARKER_PREFIX = "demo-"
SEED = 2022
BATCH = 500

YEAR_START = date(2022, 4, 1)
YEAR_END = date(2023, 3, 31)
RENAME_DAY = date(2022, 10, 1)  # "Child Exploitation: ..." relaunched as "Harm Outside the Home"

# The annual report's figures the year is shaped to. Used only to shape the raw records.
EVENTS_DELIVERED = 68
PLACES_OFFERED = 2068
PLACES_USED = 1106
NO_SHOWS = 257  # attended (incl. partial) = 1106 - 257 = 849
PARTIAL = 12
CANCELLED_BEFOREHAND = 344
PRE_COMPLETED = 859  # of the 1106 places used
PRE_COMPLETED_BY_NO_SHOWS = 150  # delegates answer the pre-course form before they know
POST_COMPLETED = 504  # of the 849 attended
STAGE2_COMPLETED = 106  # of the 849 attended
# Sums of the learning-gain ratings (3 items a response): 7757 / (859 * 3) = 3.0101 and
# 6502 / (504 * 3) = 4.3002, so pre mean 3.01, post mean 4.30, gain 1.29.
PRE_RATING_SUM = 7757
POST_RATING_SUM = 6502

DEMO_DOMAIN = "demo.learningloop.test"
DEMO_PASSWORD = "demo-password-2026"

BANK_HOLIDAYS = {
    date(2022, 4, 15), date(2022, 4, 18), date(2022, 5, 2), date(2022, 6, 2), date(2022, 6, 3),
    date(2022, 8, 29), date(2022, 9, 19), date(2022, 12, 26), date(2022, 12, 27),
    date(2023, 1, 2),
}  # fmt: skip

PRIORITIES = [
    ("Neglect", "Recognising and responding to neglect of children and self-neglect of adults, "
     "using the Graded Care Profile 2 and the partnership's neglect strategy."),
    ("Exploitation", "Child criminal and sexual exploitation, county lines and harm outside the "
     "home: contextual safeguarding across agencies."),
    ("Think Family", "Seeing the whole family: domestic abuse, parental mental health and "
     "substance use, adversity and trauma-informed practice across the life course."),
    ("Local learning", "Learning from Dudley's case reviews and audits: professional curiosity, "
     "escalation, allegations management and safeguarding adults."),
]  # fmt: skip

LA, POLICE, HEALTH, EDU, VOL, OTHER = (
    Organisation.Sector.LOCAL_AUTHORITY, Organisation.Sector.POLICE, Organisation.Sector.HEALTH,
    Organisation.Sector.EDUCATION, Organisation.Sector.VOLUNTARY, Organisation.Sector.OTHER,
)  # fmt: skip

# (name, sector, email domain, weight: how many of the partnership's delegates come from it).
# The first 48 send delegates who attend; the last two only ever book and drop out (a trap for
# "distinct organisations among attendees").
ORGANISATIONS = [
    ("Dudley Council", LA, "dudley.gov.uk", 30),
    ("West Midlands Police", POLICE, "westmidlands.police.uk", 10),
    ("The Dudley Group NHS Foundation Trust", HEALTH, "dgft.nhs.uk", 11),
    ("Black Country Healthcare NHS Foundation Trust", HEALTH, "bchft.nhs.uk", 8),
    ("Dudley Integrated Health and Care NHS Trust", HEALTH, "dihc.nhs.uk", 7),
    ("NHS Black Country Integrated Care Board", HEALTH, "blackcountryicb.nhs.uk", 3),
    ("West Midlands Ambulance Service University NHS Foundation Trust", HEALTH, "wmas.nhs.uk", 2),
    ("Probation Service (Dudley)", OTHER, "justice.gov.uk", 3),
    ("West Midlands Fire Service", OTHER, "wmfs.net", 2),
    ("Cafcass", OTHER, "cafcass.gov.uk", 1.5),
    ("Department for Work and Pensions (Dudley)", OTHER, "dwp.gov.uk", 1.5),
    ("Barnardo's", VOL, "barnardos.org.uk", 3),
    ("Dudley CVS", VOL, "dudleycvs.org.uk", 2.5),
    ("NSPCC", VOL, "nspcc.org.uk", 1.5),
    ("Black Country Women's Aid", VOL, "blackcountrywomensaid.co.uk", 2.5),
    ("The Children's Society", VOL, "childrenssociety.org.uk", 1.5),
    ("Action for Children", VOL, "actionforchildren.org.uk", 1.5),
    ("Change Grow Live (Dudley)", VOL, "cgl.org.uk", 2),
    ("Age UK Dudley", VOL, "ageukdudley.org.uk", 1.5),
    ("Dudley and Walsall Mind", VOL, "dwmind.co.uk", 1.5),
    ("YMCA Black Country", VOL, "ymcablackcountry.org", 1.5),
    ("St Thomas's Network", VOL, "stthomasnetwork.org.uk", 1),
    ("Citizens Advice Dudley and Wolverhampton", VOL, "cadw.org.uk", 1),
    ("Black Country Housing Group", OTHER, "bchg.co.uk", 1.5),
    ("Midland Heart", OTHER, "midlandheart.org.uk", 1.5),
    ("Accord Housing Association", OTHER, "accordgroup.org.uk", 1),
    ("Dudley College of Technology", EDU, "dudleycol.ac.uk", 2.5),
    ("King Edward VI College Stourbridge", EDU, "kedst.ac.uk", 1),
    ("Castle High School", EDU, "castlehigh.dudley.sch.uk", 1.2),
    ("The Crestwood School", EDU, "crestwood.dudley.sch.uk", 1.2),
    ("Ormiston Forge Academy", EDU, "ormistonforgeacademy.co.uk", 1.2),
    ("Ellowes Hall Sports College", EDU, "ellowes.dudley.sch.uk", 1),
    ("Redhill School", EDU, "redhill.dudley.sch.uk", 1),
    ("Pedmore High School", EDU, "pedmorehigh.dudley.sch.uk", 1),
    ("Summerhill School", EDU, "summerhill.dudley.sch.uk", 1),
    ("The Holly Hall Academy", EDU, "hollyhallacademy.org.uk", 1.2),
    ("Bishop Milner Catholic College", EDU, "bishopmilner.dudley.sch.uk", 1),
    ("Netherbrook Primary School", EDU, "netherbrook.dudley.sch.uk", 1),
    ("Russells Hall Primary School", EDU, "russellshall.dudley.sch.uk", 1),
    ("Caslon Primary Community School", EDU, "caslon.dudley.sch.uk", 1),
    ("Hurst Hill Primary School", EDU, "hursthill.dudley.sch.uk", 1),
    ("Wrens Nest Primary School", EDU, "wrensnest.dudley.sch.uk", 1),
    ("Sycamore Short Stay School", EDU, "sycamore.dudley.sch.uk", 1),
    ("The Woodsetton School", EDU, "woodsetton.dudley.sch.uk", 1),
    ("Halesbury School", EDU, "halesbury.dudley.sch.uk", 1),
    ("Brierley Hill Health and Social Care Centre GP Practice", HEALTH, "bhhscc.nhs.uk", 1),
    ("Netherton Health Centre", HEALTH, "nethertonhc.nhs.uk", 1),
    ("Keelinge House Surgery", HEALTH, "keelinge.nhs.uk", 1),
    # No attendees: these two only cancel, wait or fail to attend.
    ("Dudley Voices for Choice", VOL, "dudleyvoices.org.uk", 1),
    ("Sanctuary Housing", OTHER, "sanctuary-housing.co.uk", 1),
]
ATTENDING_ORGANISATIONS = 48

JOB_TITLES = {
    LA: ["Social Worker", "Senior Social Worker", "Family Support Worker",
         "Early Help Practitioner", "Team Manager", "Youth Worker",
         "Adult Social Care Practitioner", "Housing Officer", "Youth Justice Officer",
         "Independent Reviewing Officer"],
    POLICE: ["Police Constable", "Detective Constable", "PCSO", "Sergeant", "Detective Sergeant"],
    HEALTH: ["Health Visitor", "School Nurse", "Midwife", "Staff Nurse", "Safeguarding Nurse",
             "Mental Health Practitioner", "Paramedic", "GP", "Practice Nurse"],
    EDU: ["Designated Safeguarding Lead", "Teacher", "Teaching Assistant", "Pastoral Lead",
          "SENCo", "Head of Year", "Learning Mentor"],
    VOL: ["Project Worker", "Support Worker", "Family Practitioner", "Volunteer Coordinator",
          "Outreach Worker", "Independent Domestic Violence Adviser"],
    OTHER: ["Probation Officer", "Tenancy Support Officer", "Fire Safety Officer",
            "Family Court Adviser", "Work Coach", "Housing Officer"],
}  # fmt: skip

# When an event runs, Europe/London: (start, end).
TIMINGS = {
    "full": (time(9, 30), time(16, 0)),
    "am": (time(9, 30), time(12, 30)),
    "pm": (time(13, 0), time(16, 0)),
    "four": (time(9, 30), time(13, 30)),  # exactly 4 hours: still "half day or less"
    "two": (time(10, 0), time(12, 0)),
    "evening": (time(18, 0), time(20, 0)),
}
F2F, LIVE, ELEARN = (
    Course.DeliveryMode.FACE_TO_FACE, Course.DeliveryMode.LIVE_ONLINE,
    Course.DeliveryMode.ELEARNING,
)  # fmt: skip
CHILDREN, ADULTS, ALL = Course.Audience.CHILDREN, Course.Audience.ADULTS, Course.Audience.ALL

# (name, address, accessibility): the face-to-face venues (courses.Venue); no room limit set.
VENUES = [
    ("Council House", "Priory Road\nDudley DY1 1HF", "Step-free entrance from Priory Road."),
    (
        "Saltwells Education Development Centre",
        "Bowling Green Road\nNetherton DY2 9LY",
        "Ground floor rooms; hearing loop in the main hall.",
    ),
    ("Brierley Hill Civic Hall", "Bank Street\nBrierley Hill DY5 3DA", ""),
    ("Dudley CVS", "7 Albion Street\nBrierley Hill DY5 3EE", "Lift to the first floor."),
    (
        "Russells Hall Hospital, Clinical Education Centre",
        "Dudley DY1 2HQ",
        "Blue badge parking by the centre's entrance.",
    ),
    ("Stourbridge Town Hall", "Crown Centre\nStourbridge DY8 1YE", ""),
]


@dataclass
class CourseSpec:
    slug: str
    title: str
    priority: str
    audience: str
    level: int
    mode: str
    summary: str
    outcomes: list[str]
    runs: list[tuple[int, str, int]] = field(default_factory=list)  # (events, timing, capacity)
    fill: float = 0.6  # share of places used, before scaling
    trainers: tuple[str, ...] = ()


COURSES = [
    CourseSpec(
        "graded-care-profile-2", "Graded Care Profile 2", "Neglect", CHILDREN, 3, F2F,
        "Training to use the Graded Care Profile 2 (GCP2), the NSPCC's tool for assessing the "
        "quality of care a child receives and measuring change over time. Licensed practitioners "
        "can use GCP2 with families after the course.",
        ["Use the GCP2 tool with families to assess the quality of care",
         "Score and record an assessment and share it with the family",
         "Use GCP2 to plan and review support and measure change"],
        [(10, "full", 20)], 0.8, ("council", "health"),
    ),
    CourseSpec(
        "neglect-recognising-and-responding", "Neglect: Recognising and Responding", "Neglect",
        CHILDREN, 2, LIVE,
        "The signs of neglect at every age, how neglect harms children's development, and what to "
        "do when you are worried: Dudley's neglect strategy and pathway.",
        ["Recognise the signs and impact of neglect", "Know the Dudley neglect pathway",
         "Respond and record concerns well"],
        [(8, "four", 40)], 0.55, ("council", "health"),
    ),
    CourseSpec(
        "self-neglect-and-hoarding", "Self-neglect and Hoarding", "Neglect", ADULTS, 2, LIVE,
        "Working with adults who self-neglect or hoard: mental capacity, engagement, risk and the "
        "multi-agency self-neglect procedure.",
        ["Recognise self-neglect and hoarding", "Apply the Mental Capacity Act in this context",
         "Use the multi-agency self-neglect procedure"],
        [(5, "am", 30)], 0.6, ("council", "thinkfamily"),
    ),
    CourseSpec(
        "harm-outside-the-home", "Harm Outside the Home", "Exploitation", CHILDREN, 3, F2F,
        "Child criminal and sexual exploitation, serious youth violence and contextual "
        "safeguarding: recognising risk outside the family home and responding together. "
        "Relaunched in October 2022 (formerly Child Exploitation: Recognising and Responding).",
        ["Recognise the signs of exploitation and harm outside the home",
         "Understand contextual safeguarding", "Know how to refer and share information"],
        [(8, "am", 30)], 0.24, ("police", "barnardos"),
    ),
    CourseSpec(
        "county-lines-and-criminal-exploitation",
        "Exploitation: County Lines and Criminal Exploitation", "Exploitation", ALL, 2, LIVE,
        "How county lines operate, cuckooing of vulnerable adults, and the National Referral "
        "Mechanism.",
        ["Understand how county lines exploit children and adults",
         "Recognise cuckooing", "Know when and how to use the National Referral Mechanism"],
        [(5, "two", 35)], 0.27, ("police", "barnardos"),
    ),
    CourseSpec(
        "childhood-adversity-and-trauma-informed-practice",
        "Introduction to Childhood Adversity and Trauma Informed Practice", "Think Family", ALL,
        2, LIVE,
        "Adverse childhood experiences (ACEs), their impact across the life course, and working "
        "in a trauma-informed way with children, adults and families.",
        ["Understand adverse childhood experiences and their impact",
         "Apply the principles of trauma-informed practice", "Look after yourself in this work"],
        [(6, "am", 40), (3, "full", 30)], 0.62, ("thinkfamily", "council"),
    ),
    CourseSpec(
        "domestic-abuse-and-think-family", "Domestic Abuse and Think Family", "Think Family", ALL,
        3, F2F,
        "Domestic abuse through a Think Family lens: the impact on children and adults at risk, "
        "risk assessment (DASH), MARAC, and working with the whole family.",
        ["Recognise domestic abuse and coercive control", "Complete a DASH risk assessment",
         "Plan with the whole family in mind"],
        [(4, "pm", 30), (3, "full", 25)], 0.6, ("thinkfamily", "council"),
    ),
    CourseSpec(
        "understanding-the-management-of-allegations",
        "Understanding the Management of Allegations", "Local learning", ALL, 3, LIVE,
        "Allegations against people who work with children or adults at risk: the LADO role, "
        "thresholds and the formal procedures to follow in Dudley.",
        ["Know when an allegation meets the threshold", "Understand the LADO's role",
         "Follow the procedures and record decisions"],
        [(6, "am", 30)], 0.63, ("demo", "council"),
    ),
    CourseSpec(
        "professional-curiosity-and-effective-challenge",
        "Professional Curiosity and Effective Challenge", "Local learning", ALL, 2, LIVE,
        "Learning from Dudley's reviews: being curious, checking what you are told, and using "
        "the multi-agency escalation and resolution process when you disagree.",
        ["Practise professional curiosity", "Challenge respectfully and effectively",
         "Use the escalation and resolution process"],
        [(5, "pm", 30)], 0.58, ("demo", "council"),  # + an evening session on 31 March 2023
    ),
    CourseSpec(
        "safeguarding-adults-level-3", "Safeguarding Adults Level 3", "Local learning", ADULTS,
        3, F2F,
        "For practitioners who lead on adult safeguarding concerns: section 42 enquiries, "
        "Making Safeguarding Personal and multi-agency working.",
        ["Lead a safeguarding adults concern", "Apply Making Safeguarding Personal",
         "Contribute to section 42 enquiries"],
        [(4, "full", 20)], 0.62, ("thinkfamily", "demo"),
    ),
]  # fmt: skip

# e-Learning modules: (slug, title, priority, audience, enrolments, completions) in 2022/23.
ELEARNING = [
    ("neglect-awareness-elearning", "Neglect Awareness (e-learning)", "Neglect", CHILDREN, 140,
     104),
    ("child-exploitation-awareness-elearning", "Child Exploitation Awareness (e-learning)",
     "Exploitation", CHILDREN, 46, 27),
    ("think-family-elearning", "Think Family (e-learning)", "Think Family", ALL, 92, 66),
    ("safeguarding-adults-awareness-elearning", "Safeguarding Adults Awareness (e-learning)",
     "Local learning", ADULTS, 110, 85),
]  # fmt: skip

# Level 2 e-learning, launched after 2022/23: (slug, title, priority, audience).
CORE_ELEARNING = [
    ("neglect-core-practice-elearning", "Neglect: Core Practice (e-learning)", "Neglect", ALL),
    ("exploitation-core-practice-elearning", "Exploitation: Core Practice (e-learning)",
     "Exploitation", ALL),
    ("think-family-core-practice-elearning", "Think Family: Core Practice (e-learning)",
     "Think Family", ALL),
    ("local-learning-core-practice-elearning", "Local Learning: Core Practice (e-learning)",
     "Local learning", ALL),
]  # fmt: skip
# The level 3 course run again in the year before last, by priority area (people who need level 3
# there attended it), and how many times.
LEVEL3_RERUNS = {
    "Neglect": ("graded-care-profile-2", 3),
    "Exploitation": ("harm-outside-the-home", 3),
    "Think Family": ("domestic-abuse-and-think-family", 3),
    "Local learning": ("safeguarding-adults-level-3", 2),
}
# How likely a rerun's delegate is to answer each stage: close to 2022/23's returns (pre-course
# from places used, a no-show less often; post-course and stage 2 from attendees, more often when
# they answered the stage before), not fixed totals, so the year looks like a year.
RERUN_PRE_ANSWERS = {"attended": 0.8, "partial": 0.8, "no_show": 0.55}
RERUN_POST_ANSWERS = (0.35, 0.7)  # without, with a pre-course answer
RERUN_STAGE2_ANSWERS = (0.05, 0.2)  # without, with a post-course answer

REASONS = [  # (label, needs_detail, weight as a cancellation, weight as a no-show reason)
    ("Work capacity", False, 40, 25),
    ("Operational pressures", False, 26, 40),
    ("Sickness", False, 18, 25),
    ("Training no longer relevant", False, 9, 0),
    ("Other", True, 7, 10),
]
OTHER_DETAILS = [
    "Annual leave",
    "Booked in error",
    "Court hearing",
    "Moved to a new role",
    "Childcare",
    "Already attended this year",
]

QUOTES = {  # the 2022/23 annual report's three quotes, on their courses
    "graded-care-profile-2": "I have learnt how to use the GCP2 tool which will be an asset to my "
    "job role. The training content and provider were fabulous and very informative.",
    "understanding-the-management-of-allegations": "this training has enhanced my knowledge and "
    "skills, allowed me to network with others and show me the formal procedures to follow",
    "childhood-adversity-and-trauma-informed-practice": "As a care experienced social worker who "
    "has their own ACEs, it really is important to have this type of training to be able to be "
    "better equipped to be able to work with families using the professional perspective first, "
    "which can then be informed by the personal perspective",
}
OTHER_COMMENTS = [
    "Really engaging trainers and a good mix of agencies in the room.",
    "The case studies from local reviews made it real for me.",
    "Hearing from police and health colleagues helped me understand their thresholds.",
    "Good pace, and the resources pack is something I will keep using.",
    "I would have liked more time for the group discussion.",
    "Online worked well; the breakout rooms were useful.",
    "Excellent session, I will recommend it to my team.",
    "Very informative and well delivered.",
]
DO_DIFFERENTLY = [
    "Ask more questions when a family's account does not add up.",
    "Use the escalation process when I disagree with a decision.",
    "Record my concerns more clearly and share them sooner.",
    "Think about the whole family, not only the person I am working with.",
    "Use the GCP2 tool at my next assessment.",
    "Look out for signs of exploitation outside the home.",
    "Talk to my DSL about the pathway.",
    "Check in with the child directly and record their voice.",
    "Contact the LADO for advice rather than waiting.",
    "Use trauma-informed language in my reports.",
    "Share the learning at our next team meeting.",
    "Complete a DASH risk assessment when domestic abuse is disclosed.",
]
HOPE_TO_LEARN = [
    "How to recognise the signs earlier.",
    "Where to go for advice in Dudley.",
    "How other agencies work with this.",
    "Practical tools I can use with families.",
    "What my responsibilities are.",
    "Refresh my knowledge; it has been a while.",
    "How to challenge when I am not happy with a decision.",
]
STAGE2_EXAMPLES = [
    "I used the GCP2 tool with a family and it helped them see what needed to change.",
    "I challenged a decision to close a case and used the escalation process.",
    "I made a referral through the NRM for a young person.",
    "I asked more questions at a home visit and found a hidden adult in the household.",
    "I shared the learning with my team and we changed how we record the child's voice.",
    "I contacted the LADO about a concern and followed the procedure.",
    "I now consider trauma when planning with parents.",
]
# What line managers say they saw (their own stage-2 questionnaire), and how they rate it.
MANAGER_EXAMPLES = [
    "They now bring chronologies to supervision and spot patterns sooner.",
    "Their referrals are clearer about the risk and what the child has said.",
    "They challenged a decision at a strategy meeting, appropriately and with evidence.",
    "They shared the course materials at our team meeting.",
    "I have not seen much change yet: their caseload has been very high.",
]
MANAGER_RATINGS = ((2, 3, 4, 5), (10, 30, 40, 20))
MANAGER_ASKED_SHARE = 0.9  # of attendees who named a line manager, those the manager was asked
MANAGER_ANSWERED_SHARE = 0.4

STAGE2_BARRIERS = [
    "Caseload pressures leave little time.",
    "Other agencies do not always know the process.",
    "Staff turnover in the team.",
    "Not had a relevant case yet.",
]
STAGE2_CHOICES = ("Yes", "Partly", "No")

# The competency framework: levels (number, name, description, refresher months) and job roles
# (sector, "" for any sector; name; the level needed in each priority area).
LEVELS = [
    (
        1,
        "Basic awareness",
        "Everyone who works or volunteers with children, adults or families.",
        36,
    ),
    (2, "Core practice", "Regular contact: recognise, record and refer.", 36),
    (3, "Advanced practice", "Assess, plan and lead on safeguarding in their service.", 48),
    (4, "Specialist and leadership", "Named and designated professionals, safeguarding leads.", 48),
]
JOB_ROLES = [
    ("", "Volunteer or support staff",
     {"Neglect": 1, "Exploitation": 1, "Think Family": 1, "Local learning": 1}),
    (LA, "Social worker",
     {"Neglect": 3, "Exploitation": 3, "Think Family": 3, "Local learning": 2}),
    (LA, "Early help practitioner", {"Neglect": 2, "Exploitation": 2, "Think Family": 2}),
    (POLICE, "Police officer", {"Exploitation": 2, "Think Family": 2, "Neglect": 1}),
    (POLICE, "Public protection detective",
     {"Exploitation": 3, "Think Family": 3, "Local learning": 2}),
    (HEALTH, "Nurse or health visitor", {"Neglect": 2, "Think Family": 2, "Local learning": 2}),
    (HEALTH, "Named or designated professional",
     {"Neglect": 3, "Exploitation": 3, "Think Family": 3, "Local learning": 3}),
    (EDU, "Teacher", {"Neglect": 2, "Exploitation": 1, "Think Family": 1}),
    (EDU, "Designated safeguarding lead", {"Neglect": 3, "Exploitation": 3, "Think Family": 2}),
    (VOL, "Youth worker", {"Exploitation": 2, "Think Family": 2, "Neglect": 1}),
]  # fmt: skip

# A training needs analysis that closed a month ago: topics by priority area, and for each sector
# a shift in confidence (negative: less confident), so the report ranks something real.
NEEDS_TOPICS = {
    "Neglect": ["Recognising neglect in older children", "Using the Graded Care Profile 2",
                "Self-neglect and hoarding in adults"],
    "Exploitation": ["Spotting criminal exploitation and county lines",
                     "Online grooming and sexual exploitation"],
    "Think Family": ["Talking with parents about domestic abuse",
                     "Parental mental health and substance use"],
    "Local learning": ["Professional curiosity and challenge", "Escalating a concern"],
}  # fmt: skip
NEEDS_SECTOR_SHIFT = {"education": -0.8, "voluntary": -0.6, "health": 0.2, "police": 0.1}
NEEDS_AREA_SHIFT = {"Exploitation": -0.7, "Neglect": 0.3, "Think Family": -0.2}

DEMO_USERS = [  # (local part, name, job title, role group or None, staff)
    ("lead", "Lindsey Hart", "Learning and Development Lead", roles.LEAD, True),
    ("trainer", "Tom Ashworth", "Safeguarding Trainer", roles.TRAINER, False),
    ("manager", "Mandeep Kaur", "Service Manager, Children's Services", roles.ORG_MANAGER, False),
    ("practitioner", "Priya Shah", "Social Worker", None, False),
]
TRAINERS = {  # pool key -> (name, organisation, job title)
    "council": [("Helen Parkes", "Dudley Council", "Safeguarding Trainer"),
                ("Gareth Bowen", "Dudley Council", "Learning and Development Officer")],
    "health": [("Sarah Whitehouse", "The Dudley Group NHS Foundation Trust",
                "Named Nurse for Safeguarding Children")],
    "thinkfamily": [("Rachel Tromans", "Black Country Healthcare NHS Foundation Trust",
                     "Safeguarding Adults Lead")],
    "police": [("Darren Cartwright", "West Midlands Police", "Detective Sergeant, Exploitation")],
    "barnardos": [("Aisha Begum", "Barnardo's", "Exploitation Practice Lead")],
    "demo": [],
}  # fmt: skip


@dataclass
class DemoResult:
    created: bool
    sign_ins: list[tuple[str, str, str]]  # (role, email, name)


def load_demo(*, today: date | None = None) -> DemoResult:
    """Load the demo data set once; on later runs only make sure the demo sign-ins exist."""
    with transaction.atomic():
        ensure_default_questionnaires()
        organisations = _ensure_reference_data()
        demo_users = _ensure_demo_users(organisations)
        created = not Event.objects.filter(external_ref__startswith=MARKER_PREFIX).exists()
        if created:
            _Generator(organisations, demo_users, today=today).run()
            # A bulk load, like an import: without fresh statistics PostgreSQL may plan the
            # reports' joins as if the tables were empty (nested loops over 30,000 answers).
            refresh_planner_statistics()
    sign_ins = [
        (role or "Practitioner", user.email, user.full_name)
        for (_, _, _, role, _), user in zip(DEMO_USERS, demo_users.values(), strict=True)
    ]
    return DemoResult(created=created, sign_ins=sign_ins)


# --- reference data (get-or-create, safe to run again) ---------------------------------------


def _ensure_reference_data() -> dict[str, Organisation]:
    for order, (label, needs_detail, _, _) in enumerate(REASONS, start=1):
        CancellationReason.objects.get_or_create(
            label=label, defaults={"needs_detail": needs_detail, "order": order}
        )
    for name, description in PRIORITIES:
        PriorityArea.objects.get_or_create(
            name=name, defaults={"description": description, "first_year": 2022}
        )
    organisations = {}
    for name, sector, domain, _ in ORGANISATIONS:
        org = Organisation.objects.filter(name_key=normalise_name(name)).first()
        if org is None:
            org = Organisation(name=name, sector=sector)
            org.save()
        OrganisationDomain.objects.get_or_create(domain=domain, defaults={"organisation": org})
        organisations[name] = org
    return organisations


def _ensure_demo_users(organisations: dict[str, Organisation]) -> dict[str, User]:
    council = organisations["Dudley Council"]
    users = {}
    for local, name, job_title, role, staff in DEMO_USERS:
        email = f"{local}@{DEMO_DOMAIN}"
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User(
                email=email,
                full_name=name,
                job_title=job_title,
                organisation=council,
                is_staff=staff,
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
            if role:
                user.groups.add(Group.objects.get_or_create(name=role)[0])
        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        users[local] = user
    return users


# --- helpers ------------------------------------------------------------------------------------


def _at(day: date, moment: time) -> datetime:
    return datetime.combine(day, moment, tzinfo=LONDON)


def _is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in BANK_HOLIDAYS


def _training_day(day: date, *, last: date) -> date:
    """The nearest day on or after `day` (before `last`) when training runs."""
    step = 1
    while (
        not _is_working_day(day)
        or (day.month, day.day) >= (12, 21)
        or (day.month == 1 and day.day <= 3)
    ):
        if day >= last:
            step = -1
        day += timedelta(days=step)
    return day


def _apportion(total: int, weights: list[float], caps: list[int]) -> list[int]:
    """Split `total` in proportion to `weights`, never above `caps` (largest remainders)."""
    shares = [total * w / sum(weights) for w in weights]
    result = [min(math.floor(s), c) for s, c in zip(shares, caps, strict=True)]
    order = sorted(
        range(len(weights)), key=lambda i: shares[i] - math.floor(shares[i]), reverse=True
    )
    while sum(result) < total:
        progressed = False
        for i in order:
            if sum(result) == total:
                break
            if result[i] < caps[i]:
                result[i] += 1
                progressed = True
        if not progressed:
            raise ValueError("Demo data: not enough room to place everyone")
    return result


def _weighted_sample(rng: random.Random, items: list, weights: list[float], k: int) -> list:
    """k items without replacement, each drawn with probability proportional to its weight."""
    keyed = sorted(
        zip(items, weights, strict=True), key=lambda iw: rng.random() ** (1 / iw[1]), reverse=True
    )
    return [item for item, _ in keyed[:k]]


def _bulk(model, rows: list) -> list:
    return model.objects.bulk_create(rows, batch_size=BATCH)


# --- the generator ------------------------------------------------------------------------------


@dataclass
class _EventPlan:
    course: Course
    spec: CourseSpec
    day: date
    timing: str
    capacity: int
    ref: str
    status: str = Event.Status.DELIVERED
    cancellation_reason: str = ""
    trainers: list[User] = field(default_factory=list)
    slots: list[str] = field(default_factory=list)  # booking statuses
    people: list[User | None] = field(default_factory=list)
    event: Event | None = None


class _Generator:
    def __init__(self, organisations, demo_users, *, today=None):
        self.rng = random.Random(SEED)
        self.fake = Faker("en_GB")
        self.fake.seed_instance(SEED)
        self.organisations = organisations
        self.demo = demo_users
        # `today` lets a test build the data set as of another day (noon, London).
        self.now = _at(today, time(12)) if today else timezone.now().replace(microsecond=0)
        self.today = today or timezone.localdate()
        self.reasons = {r.label: r for r in CancellationReason.objects.all()}
        self.priorities = {p.name: p for p in PriorityArea.objects.all()}
        self.questionnaires = ensure_default_questionnaires()
        self.items = {
            stage: list(Item.objects.filter(questionnaire=q).order_by("order", "id"))
            for stage, q in self.questionnaires.items()
        }
        self.emails_taken = set(User.objects.values_list("email", flat=True))
        self.bookings: list[Booking] = []
        self.booking_event: dict[int, _EventPlan] = {}
        self.logs: list[BookingLog] = []

    def run(self):
        self._courses()
        self._people()
        year = self._year_events()
        self._fill_year(year)
        cancelled = self._organiser_cancelled_events()
        recent = self._recent_events()
        upcoming = self._upcoming_events()
        plans = year + cancelled + recent + upcoming
        self._save_events(plans)
        self._save_bookings(plans)
        self._year_evaluations(year, cancelled)
        self._line_managers_stage2(year)
        self._recent_and_upcoming_evaluations(recent, upcoming)
        self._enrolments()
        self._framework()
        self._demand()
        self._training_since()
        self._emails_already_sent()
        self._expiry_reminders_already_sent()
        self._needs_survey()

    def _emails_already_sent(self):
        """The emails the system would already have sent for this history, recorded as sent, so
        that a worker started on the demo sends only what is genuinely due now (not a flood)."""
        now = timezone.now()
        S = Booking.Status
        rows = []
        for b in Booking.objects.filter(event__external_ref__startswith="demo-").only(
            "id", "status", "confirmed_at", "cancelled_at", "created_at", "event_id"
        ):
            if b.confirmed_at:
                rows.append((b.id, "confirmation", b.confirmed_at, None))
            if b.status == S.WAITLISTED or (b.status == S.CANCELLED and not b.confirmed_at):
                rows.append((b.id, "waitlist_joined", b.created_at, None))
            if b.status == S.CANCELLED and b.confirmed_at and b.cancelled_at:
                rows.append((b.id, "cancellation", b.cancelled_at, None))
        starts = dict(
            Event.objects.filter(external_ref__startswith="demo-").values_list("id", "start")
        )
        reminder_window = timedelta(days=2)
        for b in Booking.objects.filter(event_id__in=list(starts)).values_list(
            "id", "event_id", "status", "confirmed_at"
        ):
            booking_id, event_id, status, confirmed_at = b
            due = starts[event_id] - reminder_window
            if confirmed_at and confirmed_at < due < now and status != S.WAITLISTED:
                rows.append((booking_id, "reminder", due, None))
        answered = dict(
            Response.objects.filter(submitted_at__isnull=False).values_list(
                "invitation_id", "submitted_at"
            )
        )
        for inv in Invitation.objects.filter(booking__event__external_ref__startswith="demo-").only(
            "id", "booking_id", "stage", "respondent", "created_at", "expires_at"
        ):
            rows.append(
                (
                    inv.booking_id,
                    email_purpose(inv.stage, inv.respondent, "invite"),
                    inv.created_at,
                    inv.id,
                )
            )
            for number, days in enumerate((3, 7), start=1):
                due = inv.created_at + timedelta(days=days)
                done = answered.get(inv.id)
                if due < now and due < inv.expires_at and (done is None or done > due):
                    purpose = email_purpose(inv.stage, inv.respondent, f"reminder{number}")
                    rows.append((inv.booking_id, purpose, due, inv.id))
        _bulk(
            OutboundEmail,
            [
                OutboundEmail(
                    booking_id=booking_id,
                    purpose=purpose,
                    recipient_role="delegate" if "-lm-" not in purpose else "line_manager",
                    state=OutboundEmail.State.SENT,
                    claimed_at=at,
                    sent_at=at,
                    attempts=1,
                    created_at=at,
                    task=EMAIL_TASK if inv_id else "bookings.tasks.send_booking_email",
                    invitation_id=inv_id,
                )
                for booking_id, purpose, at, inv_id in rows
            ],
        )

    # Catalogue -----------------------------------------------------------------------------

    def _courses(self):
        self.courses = {}
        for spec in COURSES:
            self.courses[spec.slug] = self._course(
                spec.slug,
                spec.title,
                spec.priority,
                spec.audience,
                spec.mode,
                level=spec.level,
                summary=spec.summary,
                outcomes=spec.outcomes,
            )
        hoth = self.courses["harm-outside-the-home"]
        CourseName.objects.get_or_create(
            course=hoth,
            title="Child Exploitation: Recognising and Responding",
            defaults={
                "valid_from": date(2019, 4, 1),
                "valid_until": RENAME_DAY - timedelta(days=1),
            },
        )
        CourseName.objects.get_or_create(
            course=hoth, title=hoth.title, defaults={"valid_from": RENAME_DAY}
        )
        self.courses["safeguarding-adults-level-3"].prerequisites.add(
            self.courses["self-neglect-and-hoarding"]
        )
        for slug, title, priority, audience, _, _ in ELEARNING:
            self.courses[slug] = self._course(
                slug,
                title,
                priority,
                audience,
                ELEARN,
                level=1,
                summary=f"A self-paced module (about 45 minutes): {title.split(' (')[0].lower()}.",
                outcomes=["Know the signs", "Know what to do and who to tell"],
            )

    def _course(self, slug, title, priority, audience, mode, *, level, summary, outcomes):
        course, _ = Course.objects.get_or_create(
            slug=slug,
            defaults={
                "title": title,
                "summary": summary,
                "learning_outcomes": "\n".join(outcomes),
                "priority_area": self.priorities[priority],
                "audience": audience,
                "competency_level": level,
                "delivery_mode": mode,
            },
        )
        return course

    # People ---------------------------------------------------------------------------------

    def _email(self, name: str, domain: str) -> str:
        base = ".".join(
            "".join(c for c in part if c.isascii() and c.isalpha()) for part in name.lower().split()
        )
        email, n = f"{base}@{domain}", 1
        while email in self.emails_taken:
            n += 1
            email = f"{base}{n}@{domain}"
        self.emails_taken.add(email)
        return email

    def _people(self):
        rng = self.rng
        rows = []
        # Trainers, from partner organisations (co-delivery).
        for pool in TRAINERS.values():
            for name, org_name, job_title in pool:
                org = self.organisations[org_name]
                rows.append(
                    User(
                        email=self._email(name, ORG_DOMAIN[org_name]),
                        full_name=name,
                        job_title=job_title,
                        organisation=org,
                    )
                )
        trainer_count = len(rows)
        # Delegates: at least two per organisation, the rest by the organisation's weight.
        counts = [2] * len(ORGANISATIONS)
        for i in rng.choices(range(len(ORGANISATIONS)), [w for *_, w in ORGANISATIONS], k=420):
            counts[i] += 1
        for (org_name, sector, domain, _), count in zip(ORGANISATIONS, counts, strict=True):
            for _ in range(count):
                name = f"{self.fake.first_name()} {self.fake.last_name()}"
                rows.append(
                    User(
                        email=self._email(name, domain),
                        full_name=name,
                        job_title=rng.choice(JOB_TITLES[sector]),
                        organisation=self.organisations[org_name],
                    )
                )
        for user in rows:
            user.password = make_password(None)  # they sign in with a code
            user.date_joined = _at(YEAR_START - timedelta(days=rng.randint(30, 400)), time(9))
        _bulk(User, rows)
        _bulk(
            EmailAddress,
            [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in rows],
        )
        trainer_group = Group.objects.get_or_create(name=roles.TRAINER)[0]
        User.groups.through.objects.bulk_create(
            User.groups.through(user_id=u.pk, group_id=trainer_group.pk)
            for u in rows[:trainer_count]
        )
        trainers = iter(rows[:trainer_count])
        self.trainer_pools = {key: [next(trainers) for _ in pool] for key, pool in TRAINERS.items()}
        self.trainer_pools["demo"] = [self.demo["trainer"]]
        self.trainer_pools["council"].append(self.demo["trainer"])
        delegates = rows[trainer_count:] + [self.demo["practitioner"]]
        attending = {self.organisations[name].pk for name, *_ in ORGANISATIONS[:48]}
        self.delegates = delegates
        self.activity = [rng.uniform(0.4, 1.6) for _ in delegates]
        self.attending_idx = [i for i, u in enumerate(delegates) if u.organisation_id in attending]
        self.by_org: dict[int, list[int]] = {}
        for i, u in enumerate(delegates):
            self.by_org.setdefault(u.organisation_id, []).append(i)

    # The 2022/23 year --------------------------------------------------------------------------

    def _year_events(self) -> list[_EventPlan]:
        rng = self.rng
        plans = []
        for spec in COURSES:
            runs = [(timing, cap) for count, timing, cap in spec.runs for _ in range(count)]
            rng.shuffle(runs)
            span = (YEAR_END - YEAR_START).days + 1
            for k, (timing, cap) in enumerate(runs):
                offset = int((k + rng.uniform(0.15, 0.85)) * span / len(runs))
                day = _training_day(YEAR_START + timedelta(days=offset), last=YEAR_END)
                capacity = max(12, cap + rng.choice([-2, -1, 0, 0, 0, 1, 2]))
                plans.append(_EventPlan(self.courses[spec.slug], spec, day, timing, capacity, ""))
            if spec.slug == "professional-curiosity-and-effective-challenge":
                # An evening session on the last day of the year: it belongs to 2022/23.
                plans.append(_EventPlan(self.courses[spec.slug], spec, YEAR_END, "evening", 30, ""))
        plans.sort(key=lambda p: (p.day, TIMINGS[p.timing][0], p.spec.slug))
        assert len(plans) == EVENTS_DELIVERED
        # Places offered: nudge capacities until they add up to the year's total.
        diff, i = PLACES_OFFERED - sum(p.capacity for p in plans), 0
        while diff:
            plans[i % len(plans)].capacity += 1 if diff > 0 else -1
            diff += -1 if diff > 0 else 1
            i += 7
        for n, plan in enumerate(plans, start=1):
            plan.ref = f"{MARKER_PREFIX}2022-{n:03d}"
            plan.trainers = self._trainers_for(plan.spec)
        return plans

    def _trainers_for(self, spec: CourseSpec) -> list[User]:
        pools = list(dict.fromkeys(u for key in spec.trainers for u in self.trainer_pools[key]))
        return self.rng.sample(pools, k=min(len(pools), self.rng.choice([1, 2, 2])))

    def _fill_year(self, plans: list[_EventPlan]):
        rng = self.rng
        # Two popular GCP2 days were full, with a waiting list that never got a place.
        gcp2 = [p for p in plans if p.spec.slug == "graded-care-profile-2"]
        full = {id(gcp2[2]), id(gcp2[6])}
        others = [p for p in plans if id(p) not in full]
        used = dict.fromkeys(map(id, plans), 0)
        for p in plans:
            if id(p) in full:
                used[id(p)] = p.capacity
        shares = _apportion(
            PLACES_USED - sum(used.values()),
            [p.capacity * p.spec.fill * rng.uniform(0.8, 1.2) for p in others],
            [p.capacity - 1 for p in others],
        )
        for p, n in zip(others, shares, strict=True):
            used[id(p)] = n
        no_show = _apportion(
            NO_SHOWS,
            [
                used[id(p)]
                * (1.6 if p.spec.priority == "Exploitation" else 1)
                * rng.uniform(0.6, 1.4)
                + 0.01
                for p in plans
            ],
            [max(used[id(p)] - 1, 0) for p in plans],
        )
        cancelled = _apportion(
            CANCELLED_BEFOREHAND,
            [p.capacity * rng.uniform(0.6, 1.4) for p in plans],
            [p.capacity for p in plans],
        )
        partial_events = set(
            map(
                id,
                rng.sample(
                    [p for p, n in zip(plans, no_show, strict=True) if used[id(p)] - n >= 6],
                    PARTIAL,
                ),
            )
        )
        for p, ns, cancel in zip(plans, no_show, cancelled, strict=True):
            attended = used[id(p)] - ns
            partial = 1 if id(p) in partial_events else 0
            waiting = {id(gcp2[2]): 3, id(gcp2[6]): 2}.get(id(p), 0)
            p.slots = (
                ["attended"] * (attended - partial)
                + ["partial"] * partial
                + ["no_show"] * ns
                + ["cancelled"] * cancel
                + ["waitlisted"] * waiting
            )
            p.people = [None] * len(p.slots)
        self._assign_people(plans)

    def _assign_people(self, plans: list[_EventPlan]):
        """One distinct delegate per slot; each attending organisation attends at least once."""
        rng = self.rng
        on_event = {id(p): set() for p in plans}

        def put(plan, slot, idx):
            plan.people[slot] = self.delegates[idx]
            on_event[id(plan)].add(idx)

        attended_slots = [
            (p, s)
            for p in plans
            for s, status in enumerate(p.slots)
            if status in ("attended", "partial")
        ]
        rng.shuffle(attended_slots)
        # The demo practitioner attended three courses and cancelled one.
        practitioner = len(self.delegates) - 1
        wanted = [
            "graded-care-profile-2",
            "childhood-adversity-and-trauma-informed-practice",
            "understanding-the-management-of-allegations",
        ]
        for slug in wanted:
            plan, slot = next(
                (p, s) for p, s in attended_slots if p.spec.slug == slug and p.people[s] is None
            )
            put(plan, slot, practitioner)
        plan = next(
            p
            for p in plans
            if p.spec.slug == "domestic-abuse-and-think-family" and "cancelled" in p.slots
        )
        put(plan, plan.slots.index("cancelled"), practitioner)
        # Every attending organisation has at least one attendee.
        free = iter([(p, s) for p, s in attended_slots if p.people[s] is None])
        for name, *_ in ORGANISATIONS[:ATTENDING_ORGANISATIONS]:
            members = self.by_org[self.organisations[name].pk]
            plan, slot = next(free)
            while all(i in on_event[id(plan)] for i in members):
                plan, slot = next(free)
            put(plan, slot, rng.choice([i for i in members if i not in on_event[id(plan)]]))
        # Everyone else, weighted by how active each delegate is.
        everyone = list(range(len(self.delegates)))
        pools = {
            True: (self.attending_idx, [self.activity[i] for i in self.attending_idx]),
            False: (everyone, self.activity),
        }
        cum = {k: _cumulative(w) for k, (_, w) in pools.items()}
        for plan in plans:
            for slot, status in enumerate(plan.slots):
                if plan.people[slot] is not None:
                    continue
                attends = status in ("attended", "partial")
                population = pools[attends][0]
                while True:
                    idx = rng.choices(population, cum_weights=cum[attends])[0]
                    if idx not in on_event[id(plan)]:
                        break
                put(plan, slot, idx)

    def _organiser_cancelled_events(self) -> list[_EventPlan]:
        """Three events the organiser cancelled: their bookings count as nothing."""
        rng = self.rng
        specs = {s.slug: s for s in COURSES}
        cancelled = [
            ("graded-care-profile-2", date(2022, 7, 14), "full", 20, "Venue unavailable."),
            (
                "self-neglect-and-hoarding",
                date(2022, 11, 9),
                "am",
                30,
                "Trainer unavailable due to illness; delegates offered the next date.",
            ),
            (
                "harm-outside-the-home",
                date(2023, 1, 18),
                "am",
                30,
                "Low numbers: delegates moved to the February date.",
            ),
        ]
        plans = []
        for n, (slug, day, timing, capacity, reason) in enumerate(cancelled, start=1):
            plan = _EventPlan(
                self.courses[slug],
                specs[slug],
                day,
                timing,
                capacity,
                f"{MARKER_PREFIX}2022-cancelled-{n}",
                status=Event.Status.CANCELLED,
                cancellation_reason=reason,
            )
            plan.trainers = self._trainers_for(plan.spec)
            booked = rng.randint(6, 12)
            plan.slots = ["confirmed"] * booked + ["cancelled"] * 2
            plan.people = [
                self.delegates[i] for i in rng.sample(range(len(self.delegates)), len(plan.slots))
            ]
            plans.append(plan)
        return plans

    # Recent and upcoming events -------------------------------------------------------------

    def _recent_events(self) -> list[_EventPlan]:
        """Last week's event (marked, post-course forms due) and one awaiting its register."""
        rng = random.Random(SEED + 1)
        specs = {s.slug: s for s in COURSES}
        last_week = self._weekday_near(self.today - timedelta(days=7), back=True)
        yesterday = self._weekday_near(self.today - timedelta(days=1), back=True)
        slug_a = "childhood-adversity-and-trauma-informed-practice"
        slug_b = "professional-curiosity-and-effective-challenge"
        a = _EventPlan(
            self.courses[slug_a], specs[slug_a], last_week, "am", 40, f"{MARKER_PREFIX}recent-1"
        )
        a.slots = ["attended"] * 20 + ["partial"] + ["no_show"] * 4 + ["cancelled"] * 3
        b = _EventPlan(
            self.courses[slug_b],
            specs[slug_b],
            yesterday,
            "pm",
            30,
            f"{MARKER_PREFIX}recent-2",
            status=Event.Status.SCHEDULED,
        )
        b.slots = ["confirmed"] * 16 + ["cancelled"] * 2
        practitioner = len(self.delegates) - 1
        for plan in (a, b):
            plan.trainers = [self.demo["trainer"]]
            others = rng.sample(range(len(self.delegates) - 1), len(plan.slots) - 1)
            plan.people = [self.delegates[i] for i in [practitioner, *others]]
        return [a, b]

    def _weekday_near(self, day: date, *, back: bool) -> date:
        while day.weekday() >= 5:
            day += timedelta(days=-1 if back else 1)
        return day

    def _upcoming_events(self) -> list[_EventPlan]:
        """About 25 events over the next three months, so there is something to book."""
        rng = random.Random(SEED + 2)
        specs = list(COURSES)
        plans = []
        count = 25
        for n in range(count):
            spec = specs[n % len(specs)]
            day = self._weekday_near(self.today + timedelta(days=4 + n * 86 // count), back=False)
            _, timing, cap = spec.runs[n // len(specs) % len(spec.runs)]
            plan = _EventPlan(
                self.courses[spec.slug],
                spec,
                day,
                timing,
                cap,
                f"{MARKER_PREFIX}upcoming-{n + 1:02d}",
                status=Event.Status.SCHEDULED,
            )
            plan.trainers = self._trainers_for(spec)
            if spec.slug in (
                "understanding-the-management-of-allegations",
                "professional-curiosity-and-effective-challenge",
            ):
                plan.trainers = [self.demo["trainer"]]
            taken = int(cap * min(0.9, spec.fill * rng.uniform(0.2, 1.0)))
            plan.slots = ["confirmed"] * taken + ["cancelled"] * rng.randint(0, 2)
            plans.append(plan)
        # One full, with a waiting list; one with two places left.
        full, nearly = plans[0], plans[4]
        full.slots = ["confirmed"] * full.capacity + ["waitlisted"] * 4 + ["cancelled"]
        nearly.slots = ["confirmed"] * (nearly.capacity - 2)
        practitioner = len(self.delegates) - 1
        for plan in plans:
            others = rng.sample(range(len(self.delegates) - 1), len(plan.slots))
            plan.people = [self.delegates[i] for i in others]
        # The demo practitioner: booked on two, second on the full one's waiting list.
        for plan, slot in ((plans[1], 0), (plans[6], 0), (full, full.capacity + 1)):
            plan.people[slot] = self.delegates[practitioner]
        return plans

    # Saving ---------------------------------------------------------------------------------

    def _save_events(self, plans: list[_EventPlan]):
        venues = _bulk(Venue, [Venue(name=n, address=a, accessibility=x) for n, a, x in VENUES])
        events = []
        for plan in plans:
            start, end = TIMINGS[plan.timing]
            online = plan.spec.mode == LIVE
            plan.event = Event(
                course=plan.course,
                start=_at(plan.day, start),
                end=_at(plan.day, end),
                capacity=plan.capacity,
                status=plan.status,
                cancellation_reason=plan.cancellation_reason,
                external_ref=plan.ref,
                venue=None if online else self.rng.choice(venues),
                joining_link=f"https://meet.example.org/dspp/{plan.ref}" if online else "",
                joining_instructions="Join from ten minutes before the start, with your camera "
                "on if you can. The session is not recorded."
                if online
                else "Please arrive ten minutes early; refreshments are provided.",
            )
            events.append(plan.event)
        _bulk(Event, events)
        Event.trainers.through.objects.bulk_create(
            [
                Event.trainers.through(event_id=p.event.pk, user_id=t.pk)
                for p in plans
                for t in p.trainers
            ],
            batch_size=BATCH,
        )

    def _save_bookings(self, plans: list[_EventPlan]):
        rng = self.rng
        cancel_labels, cancel_w = zip(*[(r[0], r[2]) for r in REASONS], strict=True)
        absent_labels, absent_w = zip(*[(r[0], r[3]) for r in REASONS], strict=True)
        for plan in plans:
            ev = plan.event
            past = ev.start < self.now
            queue = datetime.min.replace(tzinfo=LONDON)
            for status, person in zip(plan.slots, plan.people, strict=True):
                lead_days = rng.randint(10, 70)
                created = ev.start - timedelta(
                    days=lead_days, hours=rng.randint(1, 9), minutes=rng.randint(0, 59)
                )
                created = min(created, self.now - timedelta(hours=rng.randint(1, 72)))
                b = Booking(
                    event=ev,
                    person=person,
                    organisation_id=person.organisation_id,
                    status=status,
                    created_at=created,
                )
                if status == "waitlisted":
                    # The waiting list starts once the places have gone, in order of joining.
                    queue = queue + timedelta(hours=rng.randint(1, 30))
                    latest = min(ev.start - timedelta(hours=3), self.now - timedelta(hours=1))
                    b.created_at = min(queue, latest)
                else:
                    b.confirmed_at = b.created_at
                    queue = max(queue, b.created_at)
                if rng.random() < 0.3:
                    b.line_manager_name = self.fake.name()
                    b.line_manager_email = self._email(
                        b.line_manager_name, person.email.split("@")[1]
                    )
                if plan.spec.mode == F2F and rng.random() < 0.08:
                    b.dietary_needs = rng.choice(["Vegetarian", "Vegan", "Gluten free", "Halal"])
                if status == "cancelled":
                    latest = min(ev.start, self.now) - timedelta(hours=2)
                    if b.created_at > latest - timedelta(days=1):
                        b.created_at = b.confirmed_at = latest - timedelta(days=rng.randint(1, 5))
                    if rng.random() < 0.22 and latest > b.created_at + timedelta(days=3):
                        b.cancelled_at = latest - timedelta(hours=rng.randint(0, 40))
                    else:
                        room = (latest - b.created_at).total_seconds() * 0.8
                        b.cancelled_at = b.created_at + timedelta(
                            seconds=rng.uniform(0.1, 1) * room
                        )
                    b.cancelled_late = b.cancelled_at > working_days_before(
                        ev.start, ev.notice_working_days
                    )
                    label = rng.choices(cancel_labels, cancel_w)[0]
                    b.cancellation_reason = self.reasons[label]
                    if label == "Other":
                        b.cancellation_detail = rng.choice(OTHER_DETAILS)
                if status in ("attended", "partial", "no_show") and past:
                    b.attendance_marked_at = ev.end + timedelta(minutes=rng.randint(10, 180))
                    if status == "no_show" and rng.random() < 0.65:
                        b.non_attendance_reason = self.reasons[
                            rng.choices(absent_labels, absent_w)[0]
                        ]
                self.bookings.append(b)
                self.booking_event[id(b)] = plan
        _bulk(Booking, self.bookings)
        for b in self.bookings:
            first = "waitlisted" if b.status == "waitlisted" else "confirmed"
            self.logs.append(
                BookingLog(
                    booking=b, actor=b.person, at=b.created_at, action="book", to_status=first
                )
            )
            if b.cancelled_at:
                self.logs.append(
                    BookingLog(
                        booking=b,
                        actor=b.person,
                        at=b.cancelled_at,
                        action="cancel",
                        from_status="confirmed",
                        to_status="cancelled",
                    )
                )
            if b.attendance_marked_at:
                plan = self.booking_event[id(b)]
                self.logs.append(
                    BookingLog(
                        booking=b,
                        actor=plan.trainers[0] if plan.trainers else None,
                        at=b.attendance_marked_at,
                        action="attendance",
                        from_status="confirmed",
                        to_status=b.status,
                    )
                )
        _bulk(BookingLog, self.logs)

    # Evaluations ----------------------------------------------------------------------------

    def _invite(self, booking: Booking, stage: str, at: datetime) -> Invitation:
        days = 60 if stage == Stage.STAGE2 else 30
        return Invitation(
            booking=booking,
            stage=stage,
            questionnaire=self.questionnaires[stage],
            key=secrets.token_urlsafe(32),
            created_at=at,
            expires_at=at + timedelta(days=days),
        )

    def _year_evaluations(self, year: list[_EventPlan], cancelled: list[_EventPlan]):
        # A fresh stream: the year's records must not depend on today's date.
        self.rng = rng = random.Random(SEED + 3)
        year_ids = {id(p) for p in year}
        cancelled_ids = {id(p) for p in cancelled}
        counted = [b for b in self.bookings if id(self.booking_event[id(b)]) in year_ids]
        invitations: dict[tuple[int, str], Invitation] = {}
        for b in counted + [
            b for b in self.bookings if id(self.booking_event[id(b)]) in cancelled_ids
        ]:
            if b.status == "waitlisted":
                continue
            invitations[(b.pk, Stage.PRE)] = self._invite(
                b, Stage.PRE, b.confirmed_at + timedelta(minutes=5)
            )
            if b.status in ("attended", "partial"):
                invitations[(b.pk, Stage.POST)] = self._invite(
                    b, Stage.POST, b.attendance_marked_at + timedelta(minutes=5)
                )
                invitations[(b.pk, Stage.STAGE2)] = self._invite(
                    b, Stage.STAGE2, b.event.end + timedelta(weeks=12)
                )
        _bulk(Invitation, list(invitations.values()))

        attended = [b for b in counted if b.status in ("attended", "partial")]
        no_shows = [b for b in counted if b.status == "no_show"]
        pre = rng.sample(attended, PRE_COMPLETED - PRE_COMPLETED_BY_NO_SHOWS) + rng.sample(
            no_shows, PRE_COMPLETED_BY_NO_SHOWS
        )
        pre_ids = {b.pk for b in pre}
        post = _weighted_sample(
            rng, attended, [3 if b.pk in pre_ids else 1 for b in attended], POST_COMPLETED
        )
        post_ids = {b.pk for b in post}
        stage2 = _weighted_sample(
            rng, attended, [5 if b.pk in post_ids else 1 for b in attended], STAGE2_COMPLETED
        )
        level = {b.pk: min(4.6, max(1.4, rng.gauss(3.0, 0.55))) for b in counted}
        pre_ratings = {
            b.pk: [_clamp(level[b.pk] + rng.gauss(0, 0.5)) for _ in range(3)] for b in pre
        }
        post_ratings = {
            b.pk: [_clamp(level[b.pk] + 1.5 + rng.gauss(0, 0.45)) for _ in range(3)] for b in post
        }
        _hit_total(rng, pre_ratings, PRE_RATING_SUM)
        _hit_total(rng, post_ratings, POST_RATING_SUM)

        responses: list[tuple[Response, list[Answer]]] = []
        for b in pre:
            inv = invitations[(b.pk, Stage.PRE)]
            at = _between(rng, inv.created_at, b.event.start - timedelta(hours=1))
            responses.append(self._pre_response(inv, at, pre_ratings[b.pk]))
        quoted = set()
        for b in post:
            inv = invitations[(b.pk, Stage.POST)]
            at = inv.created_at + timedelta(hours=rng.uniform(0.2, 24 * 12))
            quote = QUOTES.get(self.booking_event[id(b)].spec.slug)
            if quote and quote not in quoted:
                quoted.add(quote)
            else:
                quote = None
            responses.append(self._post_response(inv, at, post_ratings[b.pk], level[b.pk], quote))
        for b in stage2:
            inv = invitations[(b.pk, Stage.STAGE2)]
            at = inv.created_at + timedelta(days=rng.uniform(0.5, 25))
            responses.append(self._stage2_response(inv, at))
        # Traps: answers a report must not count.
        cancelled_bookings = [b for b in counted if b.status == "cancelled"]
        for b in rng.sample(cancelled_bookings, 14):  # answered, then cancelled
            inv = invitations[(b.pk, Stage.PRE)]
            at = _between(rng, inv.created_at, b.cancelled_at)
            responses.append(self._pre_response(inv, at, [1, 1, 1]))
        for plan in cancelled:  # the organiser cancelled the event after they answered
            for b in [b for b in self.bookings if b.event_id == plan.event.pk][:2]:
                inv = invitations[(b.pk, Stage.PRE)]
                at = _between(rng, inv.created_at, b.event.start - timedelta(days=3))
                responses.append(self._pre_response(inv, at, [1, 1, 1]))
        unanswered = [b for b in counted if b.status in Booking.USED and b.pk not in pre_ids]
        for b in rng.sample(unanswered, 10):  # started, never sent
            inv = invitations[(b.pk, Stage.PRE)]
            response, answers = self._pre_response(inv, None, [5, 5, 5])
            response.started_at = _between(rng, inv.created_at, b.event.start)
            responses.append((response, answers))
        self._save_responses(responses)

    def _line_managers_stage2(self, year: list[_EventPlan]):
        """The line managers' own stage 2 for the year's attendees who named one: asked 12 weeks
        after the course, some answered. A stream of its own, so the delegates' records (and so
        the year's published figures) are the same with or without it."""
        rng = random.Random(SEED + 11)
        questionnaire = ensure_manager_questionnaire()
        rating, example = Item.objects.filter(questionnaire=questionnaire).order_by("order", "id")
        year_ids = {id(p) for p in year}
        named = [
            b
            for b in self.bookings
            if id(self.booking_event[id(b)]) in year_ids
            and b.status in ("attended", "partial")
            and b.line_manager_email
        ]
        invitations = []
        for b in named:
            if rng.random() >= MANAGER_ASKED_SHARE:
                continue
            at = b.event.end + timedelta(weeks=12)
            invitations.append(
                Invitation(
                    booking=b,
                    stage=Stage.STAGE2,
                    respondent=Respondent.LINE_MANAGER,
                    questionnaire=questionnaire,
                    email=b.line_manager_email,
                    key=secrets.token_urlsafe(32),
                    created_at=at,
                    expires_at=at + timedelta(days=60),
                )
            )
        _bulk(Invitation, invitations)
        responses = []
        for inv in invitations:
            if rng.random() >= MANAGER_ANSWERED_SHARE:
                continue
            at = inv.created_at + timedelta(days=rng.uniform(1, 30))
            response = Response(
                invitation=inv,
                questionnaire=questionnaire,
                submitted_at=at,
                started_at=at - timedelta(minutes=3),
            )
            answers = [Answer(item=rating, rating=rng.choices(*MANAGER_RATINGS)[0])]
            if rng.random() < 0.7:
                answers.append(Answer(item=example, text=rng.choice(MANAGER_EXAMPLES)))
            responses.append((response, answers))
        self._save_responses(responses)

    def _pre_response(self, inv, at, ratings):
        items = self.items[Stage.PRE]
        response = Response(
            invitation=inv,
            questionnaire=inv.questionnaire,
            submitted_at=at,
            started_at=at - timedelta(minutes=4) if at else None,
        )
        gain = [i for i in items if i.is_learning_gain]
        answers = [Answer(item=i, rating=r) for i, r in zip(gain, ratings, strict=True)]
        text = next(i for i in items if i.kind == Item.Kind.TEXT)
        if self.rng.random() < 0.5:
            answers.append(Answer(item=text, text=self.rng.choice(HOPE_TO_LEARN)))
        return response, answers

    def _post_response(self, inv, at, ratings, level, quote):
        rng = self.rng
        items = self.items[Stage.POST]
        response = Response(
            invitation=inv,
            questionnaire=inv.questionnaire,
            submitted_at=at,
            started_at=at - timedelta(minutes=6),
        )
        gain = [i for i in items if i.is_learning_gain]
        answers = [Answer(item=i, rating=r) for i, r in zip(gain, ratings, strict=True)]
        then, overall, differently, other = [i for i in items if not i.is_learning_gain]
        answers.append(Answer(item=then, rating=_clamp(level - 0.35 + rng.gauss(0, 0.5))))
        answers.append(Answer(item=overall, rating=rng.choice([5, 5, 5, 5, 4, 4, 4, 3])))
        answers.append(Answer(item=differently, text=rng.choice(DO_DIFFERENTLY)))
        if quote:
            answers.append(Answer(item=other, text=quote, is_publishable=True))
        elif rng.random() < 0.25:
            answers.append(
                Answer(
                    item=other, text=rng.choice(OTHER_COMMENTS), is_publishable=rng.random() < 0.3
                )
            )
        return response, answers

    def _stage2_response(self, inv, at):
        rng = self.rng
        used, example, barriers, rating = self.items[Stage.STAGE2]
        response = Response(
            invitation=inv,
            questionnaire=inv.questionnaire,
            submitted_at=at,
            started_at=at - timedelta(minutes=5),
        )
        choice = rng.choices(STAGE2_CHOICES, [55, 35, 10])[0]
        answers = [Answer(item=used, choice=choice)]
        if choice != "No":
            answers.append(
                Answer(
                    item=example,
                    text=rng.choice(STAGE2_EXAMPLES),
                    is_publishable=rng.random() < 0.2,
                )
            )
        if choice != "Yes" or rng.random() < 0.25:
            answers.append(Answer(item=barriers, text=rng.choice(STAGE2_BARRIERS)))
        score = {"Yes": [4, 5, 5], "Partly": [3, 4], "No": [1, 2]}[choice]
        answers.append(Answer(item=rating, rating=rng.choice(score)))
        return response, answers

    def _save_responses(self, responses):
        _bulk(Response, [r for r, _ in responses])
        answers = []
        for response, items in responses:
            for answer in items:
                answer.response = response
                answers.append(answer)
        _bulk(Answer, answers)

    def _recent_and_upcoming_evaluations(self, recent, upcoming):
        # A fresh stream: the year's records must not depend on today's date.
        self.rng = rng = random.Random(SEED + 4)
        plan_ids = {id(p) for p in recent + upcoming}
        invitations, responses = [], []
        for b in self.bookings:
            if id(self.booking_event[id(b)]) not in plan_ids or b.status == "waitlisted":
                continue
            pre = self._invite(b, Stage.PRE, b.confirmed_at + timedelta(minutes=5))
            invitations.append(pre)
            if rng.random() < 0.55 and b.person != self.demo["practitioner"]:
                latest = min(self.now, b.event.start) - timedelta(minutes=30)
                if latest > pre.created_at:
                    ratings = [_clamp(rng.gauss(3.0, 0.8)) for _ in range(3)]
                    responses.append(
                        self._pre_response(pre, _between(rng, pre.created_at, latest), ratings)
                    )
            if b.status in ("attended", "partial"):
                post = self._invite(b, Stage.POST, b.attendance_marked_at + timedelta(minutes=5))
                invitations.append(post)
                if rng.random() < 0.4 and b.person != self.demo["practitioner"]:
                    at = _between(rng, post.created_at, self.now - timedelta(minutes=10))
                    ratings = [_clamp(rng.gauss(4.2, 0.6)) for _ in range(3)]
                    responses.append(self._post_response(post, at, ratings, 3.0, None))
        _bulk(Invitation, invitations)
        self._save_responses(responses)

    # e-Learning -----------------------------------------------------------------------------

    def _enrolments(self):
        # A fresh stream: the year's records must not depend on today's date.
        self.rng = rng = random.Random(SEED + 5)
        rows = []
        span = (YEAR_END - YEAR_START).days
        for slug, _, _, _, enrolled, completed in ELEARNING:
            course = self.courses[slug]
            people = rng.sample(self.delegates, enrolled)
            for n, person in enumerate(people):
                start = _at(
                    YEAR_START + timedelta(days=rng.randint(0, span - 20)),
                    time(rng.randint(8, 17), rng.randint(0, 59)),
                )
                done = start + timedelta(days=rng.randint(0, 18), hours=rng.randint(0, 5))
                rows.append(
                    Enrolment(
                        course=course,
                        person=person,
                        organisation_id=person.organisation_id,
                        enrolled_at=start,
                        completed_at=done if n < completed else None,
                    )
                )
        _bulk(Enrolment, rows)

    def _expiry_reminders_already_sent(self):
        """Expiry reminders whose window opened before today, recorded as sent (as the daily
        job would have done): a worker started on the demo sends only those due from today."""
        window = timedelta(days=settings.COMPETENCY_REMINDER_DAYS)
        rows = []
        for item in expiry_reminders_due(today=self.today):
            opened = item.expires - window
            if opened < self.today:
                at = _at(opened, time(7))
                rows.append(
                    OutboundEmail(
                        person_id=item.person_id,
                        purpose=item.purpose,
                        recipient_role=OutboundEmail.PERSON,
                        task=EXPIRY_TASK,
                        state=OutboundEmail.State.SENT,
                        claimed_at=at,
                        sent_at=at,
                        attempts=1,
                        created_at=at,
                    )
                )
        _bulk(OutboundEmail, rows)

    def _demand(self):
        """Two courses with no dates yet, and the people waiting to hear when dates are announced
        (the lead's demand page); the demo practitioner is one of them."""
        rng = random.Random(SEED + 7)
        wanted = [
            (
                "domestic-abuse-risk-assessment-dash",
                "Domestic Abuse: Risk Assessment with DASH",
                "Think Family",
                3,
                "Using the DASH risk checklist with victims of domestic abuse, and when and how to "
                "refer to MARAC.",
                ["Complete a DASH risk assessment", "Know when and how to refer to MARAC"],
                14,
            ),
            (
                "trauma-informed-practice",
                "Trauma-Informed Practice",
                "Think Family",
                2,
                "How trauma and adversity shape behaviour, and practice that avoids "
                "re-traumatising.",
                ["Recognise the impact of trauma", "Use trauma-informed approaches"],
                5,
            ),
        ]
        people = [self.delegates[i] for i in self.attending_idx]
        rows = []
        for slug, title, priority, level, summary, outcomes, count in wanted:
            course = self._course(
                slug, title, priority, ALL, F2F, level=level, summary=summary, outcomes=outcomes
            )
            chosen = rng.sample(people, count)
            if slug.startswith("domestic") and self.demo["practitioner"] not in chosen:
                chosen[-1] = self.demo["practitioner"]
            for person in chosen:
                rows.append(
                    CourseInterest(
                        course=course,
                        person=person,
                        organisation_id=person.organisation_id,
                        created_at=self.now - timedelta(days=rng.randint(2, 75), hours=3),
                    )
                )
        _bulk(CourseInterest, rows)

    def _framework(self):
        """The partnership's competency framework, and a job role for most delegates: their
        records (from the year above, recent courses and e-learning) come out mixed, in date,
        running out, out of date and never achieved."""
        self.rng = rng = random.Random(SEED + 6)
        for number, name, description, months in LEVELS:
            Level.objects.get_or_create(
                number=number,
                defaults={"name": name, "description": description, "refresher_months": months},
            )
        by_sector: dict[str, list[JobRole]] = {}
        for sector, name, needs in JOB_ROLES:
            role, _ = JobRole.objects.get_or_create(name=name, sector=sector)
            for priority, level in needs.items():
                Requirement.objects.get_or_create(
                    job_role=role,
                    priority_area=self.priorities[priority],
                    defaults={"level": level},
                )
            by_sector.setdefault(sector, []).append(role)
        anyone = by_sector[""]
        sectors = {o.pk: o.sector for o in self.organisations.values()}
        rows = []
        for person in self.delegates:
            if person == self.demo["practitioner"]:
                continue
            roles_here = by_sector.get(sectors.get(person.organisation_id), [])
            if not roles_here or rng.random() < 0.12:
                continue  # not every practitioner has told us their role
            weights = [3] + [1] * (len(roles_here) - 1)
            choice = rng.choices(roles_here + anyone, weights=weights + [0.6])[0]
            rows.append(StaffRole(person=person, job_role=choice))
        rows.append(StaffRole(person=self.demo["practitioner"], job_role=by_sector[LA][0]))
        _bulk(StaffRole, rows)
        # The larger partners gave the lead a staff count (more staff than have accounts): the
        # compliance denominator; the others are measured against their people with a job role.
        with_role = Counter(row.person.organisation_id for row in rows)
        as_of = timezone.localdate() - timedelta(days=45)
        for organisation_id, people in with_role.most_common(5):
            staff = 5 * math.ceil(people * rng.uniform(1.3, 1.9) / 5)
            staff_count_set(
                organisation=Organisation.objects.get(pk=organisation_id), staff=staff, as_of=as_of
            )

    def _training_since(self):
        """Training since 2022/23, so that today's compliance is mixed rather than run out:
        level 1 and 2 e-learning completed from about April 2024 to last month (a few nearly
        three years ago, so they run out soon), and the level 3 face-to-face courses run again
        in the year before last, attended by people whose role needs level 3. Neither the
        2022/23 figures nor the last two reporting years' events change. A stream of its own,
        so nothing above moves; each organisation engages more or less (a spread)."""
        rng = random.Random(SEED + 9)
        core = {}
        for slug, title, priority, audience in CORE_ELEARNING:
            core[priority] = self._course(
                slug,
                title,
                priority,
                audience,
                ELEARN,
                level=2,
                summary=f"A self-paced module (about 90 minutes): {title.split(' (')[0].lower()}"
                ": recognising, recording and referring.",
                outcomes=["Recognise the signs", "Record and refer well", "Know the procedures"],
            )
        awareness = {priority: self.courses[slug] for slug, _, priority, *_ in ELEARNING}
        area_names = {p.pk: name for name, p in self.priorities.items()}
        needs: dict[int, dict[str, int]] = {}
        for req in Requirement.objects.all():
            needs.setdefault(req.job_role_id, {})[area_names[req.priority_area_id]] = req.level
        role_of = dict(StaffRole.objects.values_list("person_id", "job_role_id"))
        engagement = {
            pk: rng.uniform(0.3, 0.95) for pk in sorted(o.pk for o in self.organisations.values())
        }
        today = self.today
        first = max(today - timedelta(days=975), YEAR_END + timedelta(days=30))
        last = today - timedelta(days=30)
        soon_from = today - timedelta(days=3 * 365 + 1)  # 36 months back, near enough
        enrolments, level3 = [], {area: [] for area in LEVEL3_RERUNS}
        for person in self.delegates:
            role = role_of.get(person.pk)
            if role is None or person == self.demo["practitioner"]:
                continue  # the demo practitioner keeps her gaps to fill
            keen = min(1.0, max(0.05, engagement[person.organisation_id] + rng.gauss(0, 0.2)))
            for area, level in sorted(needs.get(role, {}).items()):
                if rng.random() >= keen:
                    continue
                if level >= 3:
                    level3[area].append(person)
                    continue
                course = core[area] if level == 2 else rng.choice([awareness[area], core[area]])
                if rng.random() < 0.1 and soon_from > YEAR_END:
                    day = soon_from + timedelta(days=rng.randint(2, 50))  # runs out soon
                else:
                    day = first + timedelta(days=rng.randint(0, max(0, (last - first).days)))
                done = _at(day, time(rng.randint(8, 19), rng.randint(0, 59)))
                start = done - timedelta(days=rng.randint(0, 14), hours=rng.randint(0, 5))
                enrolments.append(
                    Enrolment(
                        course=course,
                        person=person,
                        organisation_id=person.organisation_id,
                        enrolled_at=start,
                        completed_at=done,
                    )
                )
        # Some started a module in the last few weeks and have not finished it yet.
        for person in rng.sample(self.delegates[:-1], 25):
            start = _at(today - timedelta(days=rng.randint(1, 40)), time(rng.randint(8, 19)))
            enrolments.append(
                Enrolment(
                    course=rng.choice(list(core.values())),
                    person=person,
                    organisation_id=person.organisation_id,
                    enrolled_at=start,
                )
            )
        _bulk(Enrolment, enrolments)
        self._level3_reruns(rng, level3)

    def _level3_reruns(self, rng: random.Random, level3: dict[str, list[User]]):
        """The level 3 courses' runs in the year before last (history: attended and not), and
        their evaluations."""
        from reports.periods import current_reporting_year, reporting_year

        start, end = reporting_year(current_reporting_year(self.today)[0].year - 2)
        if start <= YEAR_END:
            return  # loaded as of a day too early for a year between 2022/23 and now
        specs = {s.slug: s for s in COURSES}
        venues = list(Venue.objects.filter(name__in=[v[0] for v in VENUES]).order_by("pk"))
        events, bookings, plans = [], [], []
        span = (end - start).days
        n = 0
        for area, (slug, runs) in LEVEL3_RERUNS.items():
            spec = specs[slug]
            people = level3[area]
            rng.shuffle(people)
            for k in range(runs):
                n += 1
                day = _training_day(
                    start + timedelta(days=int((k + rng.uniform(0.2, 0.8)) * span / runs)),
                    last=end,
                )
                begins, ends = TIMINGS[spec.runs[0][1]]
                ref = f"{MARKER_PREFIX}{start.year}-{n:03d}"
                online = spec.mode == LIVE
                event = Event(
                    course=self.courses[slug],
                    start=_at(day, begins),
                    end=_at(day, ends),
                    capacity=spec.runs[0][2],
                    status=Event.Status.DELIVERED,
                    external_ref=ref,
                    venue=None if online else rng.choice(venues),
                    joining_link=f"https://meet.example.org/dspp/{ref}" if online else "",
                )
                events.append(event)
                attending = people[k::runs][: event.capacity]
                no_shows = rng.sample(
                    [p for p in self.delegates[:-1] if p not in attending],
                    min(3, event.capacity - len(attending)),
                )
                trainer = rng.choice(self.trainer_pools[spec.trainers[0]])
                plans.append((event, trainer, attending, no_shows))
        _bulk(Event, events)
        Event.trainers.through.objects.bulk_create(
            [Event.trainers.through(event_id=e.pk, user_id=t.pk) for e, t, *_ in plans]
        )
        marked_by = {}
        for event, trainer, attending, no_shows in plans:
            for status, person in [("attended", p) for p in attending] + [
                ("no_show", p) for p in no_shows
            ]:
                created = event.start - timedelta(days=rng.randint(10, 60), hours=rng.randint(1, 9))
                booking = Booking(
                    event=event,
                    person=person,
                    organisation_id=person.organisation_id,
                    status=status,
                    created_at=created,
                    confirmed_at=created,
                    attendance_marked_at=event.end + timedelta(minutes=rng.randint(10, 180)),
                )
                bookings.append(booking)
                marked_by[id(booking)] = trainer
        _bulk(Booking, bookings)
        _bulk(
            BookingLog,
            [
                log
                for b in bookings
                for log in (
                    BookingLog(
                        booking=b,
                        actor=b.person,
                        at=b.created_at,
                        action="book",
                        to_status="confirmed",
                    ),
                    BookingLog(
                        booking=b,
                        actor=marked_by[id(b)],
                        at=b.attendance_marked_at,
                        action="attendance",
                        from_status="confirmed",
                        to_status=b.status,
                    ),
                )
            ],
        )
        self._level3_rerun_evaluations(bookings)

    def _level3_rerun_evaluations(self, bookings: list[Booking]):
        """The reruns' evaluations, as for 2022/23: invited to each stage their booking's status
        makes due (evaluations' INVITABLE: pre-course for a place used, post-course and stage 2
        for attendees), pre-course answers before the start, post-course after the register,
        stage 2 twelve weeks after the course and only once that has come. A stream of its own,
        so nothing else in the demo moves."""
        self.rng = rng = random.Random(SEED + 12)
        invitations, responses = [], []
        for b in bookings:
            level = min(4.6, max(1.4, rng.gauss(3.0, 0.55)))
            answered = False
            if b.status in INVITABLE[Stage.PRE]:
                pre = self._invite(b, Stage.PRE, b.confirmed_at + timedelta(minutes=5))
                invitations.append(pre)
                answered = rng.random() < RERUN_PRE_ANSWERS[b.status]
                if answered:
                    at = _between(rng, pre.created_at, b.event.start - timedelta(hours=1))
                    ratings = [_clamp(level + rng.gauss(0, 0.5)) for _ in range(3)]
                    responses.append(self._pre_response(pre, at, ratings))
            if b.status not in INVITABLE[Stage.POST]:
                continue
            post = self._invite(b, Stage.POST, b.attendance_marked_at + timedelta(minutes=5))
            invitations.append(post)
            answered = rng.random() < RERUN_POST_ANSWERS[answered]
            if answered:
                at = post.created_at + timedelta(hours=rng.uniform(0.2, 24 * 12))
                ratings = [_clamp(level + 1.5 + rng.gauss(0, 0.45)) for _ in range(3)]
                responses.append(self._post_response(post, at, ratings, level, None))
            if b.status not in INVITABLE[Stage.STAGE2]:
                continue
            asked = b.event.end + timedelta(weeks=12)
            if asked >= self.now:
                continue  # not due yet
            stage2 = self._invite(b, Stage.STAGE2, asked)
            invitations.append(stage2)
            if rng.random() < RERUN_STAGE2_ANSWERS[answered]:
                at = stage2.created_at + timedelta(days=rng.uniform(0.5, 25))
                if at < self.now:
                    responses.append(self._stage2_response(stage2, at))
        _bulk(Invitation, invitations)
        self._save_responses(responses)

    def _needs_survey(self):
        """A closed training needs survey: sent to about 250 delegates, about 60% answered,
        confidence lower in some sectors and areas (and its emails recorded as sent)."""
        rng = random.Random(SEED + 7)
        opened = self.today - timedelta(days=60)
        survey = NeedsSurvey.objects.create(
            title="Training needs analysis 2026",
            intro="Tell us where you feel confident and where you would like more training.",
            opens_on=opened,
            closes_on=self.today - timedelta(days=30),
            created_by=self.demo["lead"],
        )
        topics = _bulk(
            NeedsTopic,
            [
                NeedsTopic(
                    survey=survey, priority_area=self.priorities[area], text=text, order=order
                )
                for area, texts in NEEDS_TOPICS.items()
                for order, text in enumerate(texts, start=1)
            ],
        )
        sent_at = _at(opened, time(10))
        asked = rng.sample(self.delegates, min(250, len(self.delegates)))
        sectors = {o.pk: o.sector for o in self.organisations.values()}
        invitations = _bulk(
            NeedsInvitation,
            [
                NeedsInvitation(
                    survey=survey,
                    person=person,
                    organisation_id=person.organisation_id,
                    key=secrets.token_urlsafe(32),
                    created_at=sent_at,
                    sent_at=sent_at,
                    answered_at=(
                        sent_at + timedelta(days=rng.randint(0, 25), hours=rng.randint(0, 6))
                        if rng.random() < 0.6
                        else None
                    ),
                )
                for person in asked
            ],
        )
        area_of = {t.pk: t.priority_area.name for t in topics}
        answers = []
        for invitation in invitations:
            if invitation.answered_at is None:
                continue
            shift = NEEDS_SECTOR_SHIFT.get(sectors.get(invitation.organisation_id), 0.0)
            for topic in topics:
                if rng.random() < 0.06:
                    rating = None  # not relevant to their role
                else:
                    mean = 3.4 + shift + NEEDS_AREA_SHIFT.get(area_of[topic.pk], 0.0)
                    rating = _clamp(rng.gauss(mean, 0.9))
                answers.append(NeedsAnswer(invitation=invitation, topic=topic, confidence=rating))
        _bulk(NeedsAnswer, answers)
        purpose = f"needs-survey-{survey.pk}"
        _bulk(
            OutboundEmail,
            [
                OutboundEmail(
                    person_id=invitation.person_id,
                    purpose=purpose,
                    recipient_role=OutboundEmail.PERSON,
                    task="competency.needs_tasks.send_needs_email",
                    state=OutboundEmail.State.SENT,
                    claimed_at=sent_at,
                    sent_at=sent_at,
                    attempts=1,
                    created_at=sent_at,
                )
                for invitation in invitations
            ],
        )


ORG_DOMAIN = {name: domain for name, _, domain, _ in ORGANISATIONS}


def _cumulative(weights: list[float]) -> list[float]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


def _clamp(value: float) -> int:
    return max(1, min(5, round(value)))


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    if end <= start:
        return start + timedelta(minutes=1)
    return start + (end - start) * rng.uniform(0.05, 0.95)


def _hit_total(rng: random.Random, ratings: dict[int, list[int]], total: int) -> None:
    """Nudge single ratings up or down by one until all of them add up to `total`."""
    cells = [(key, i) for key in sorted(ratings) for i in range(3)]
    current = sum(sum(r) for r in ratings.values())
    while current != total:
        step = 1 if current < total else -1
        key, i = rng.choice(cells)
        value = ratings[key][i] + step
        if 1 <= value <= 5:
            ratings[key][i] = value
            current += step


def format_sign_ins(result: DemoResult) -> str:
    """The demo sign-ins, for the terminal."""
    lines = [
        "Demo sign-ins (one per role):",
        *(f"  {role:<22} {email:<36} {name}" for role, email, name in result.sign_ins),
        f"Password for each: {DEMO_PASSWORD}",
        "Sign in with email + password, or use 'Sign in with a code' — the code is printed in "
        "this terminal (emails go to the console).",
    ]
    return "\n".join(lines)
