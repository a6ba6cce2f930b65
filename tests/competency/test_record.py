"""Who is trained in what: achieved levels and when they run out, from attended courses,
completed e-learning and imported history, against what a person's job role requires."""

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings.models import Booking, Enrolment
from competency import selectors
from competency.models import JobRole, Level, Requirement, StaffRole
from core.clock import LONDON
from courses.models import Course, Event, PriorityArea
from imports.services import import_history
from people.models import Organisation
from tests.factories import BookingFactory, CourseFactory, EventFactory, OrganisationFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 2)


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=LONDON)


@pytest.fixture
def framework(db):
    neglect = PriorityArea.objects.create(name="Neglect")
    exploitation = PriorityArea.objects.create(name="Exploitation")
    Level.objects.create(number=1, name="Basic awareness", refresher_months=36)
    Level.objects.create(number=2, name="Core", refresher_months=36)
    Level.objects.create(number=3, name="Advanced", refresher_months=24)
    social_worker = JobRole.objects.create(name="Social worker", sector="local_authority")
    Requirement.objects.create(job_role=social_worker, priority_area=neglect, level=2)
    Requirement.objects.create(job_role=social_worker, priority_area=exploitation, level=3)
    return {"neglect": neglect, "exploitation": exploitation, "role": social_worker}


@pytest.fixture
def worker(framework, practitioner):
    StaffRole.objects.create(person=practitioner, job_role=framework["role"])
    return practitioner


def attended(person, course, day, status=Booking.Status.ATTENDED):
    event = EventFactory(
        course=course, start=at(day), end=at(day, 16), status=Event.Status.DELIVERED
    )
    return BookingFactory(event=event, person=person, status=status)


def by_area(record):
    return {s.priority_area.name: s for s in record.standings}


def test_an_attended_course_achieves_its_level_until_the_refresher_date(framework, worker):
    course = CourseFactory(priority_area=framework["neglect"], competency_level=2)
    attended(worker, course, date(2024, 6, 10))
    neglect = by_area(selectors.person_record(worker, today=TODAY))["Neglect"]
    assert neglect.state == selectors.IN_DATE
    assert (neglect.best.on, neglect.best.expires) == (date(2024, 6, 10), date(2027, 6, 10))
    # Runs out soon within COMPETENCY_REMINDER_DAYS (60) of the date, then out of date.
    soon = by_area(selectors.person_record(worker, today=date(2027, 4, 11)))["Neglect"]
    assert soon.state == selectors.EXPIRING
    not_yet = by_area(selectors.person_record(worker, today=date(2027, 4, 10)))["Neglect"]
    assert not_yet.state == selectors.IN_DATE
    gone = by_area(selectors.person_record(worker, today=date(2027, 6, 11)))["Neglect"]
    assert gone.state == selectors.OUT_OF_DATE and gone.is_gap
    assert by_area(selectors.person_record(worker, today=date(2027, 6, 10)))["Neglect"].state == (
        selectors.EXPIRING
    )


def test_each_level_has_its_own_refresher_interval(framework, worker):
    course = CourseFactory(priority_area=framework["exploitation"], competency_level=3)
    attended(worker, course, date(2025, 1, 20))
    exploitation = by_area(selectors.person_record(worker, today=TODAY))["Exploitation"]
    assert exploitation.best.expires == date(2027, 1, 20)  # level 3: 24 months
    assert exploitation.state == selectors.EXPIRING


def test_a_lower_level_does_not_meet_a_higher_requirement_but_a_higher_one_does(framework, worker):
    attended(
        worker,
        CourseFactory(priority_area=framework["neglect"], competency_level=1),
        date(2026, 1, 5),
    )
    assert by_area(selectors.person_record(worker, today=TODAY))["Neglect"].state == (
        selectors.MISSING
    )
    attended(
        worker,
        CourseFactory(priority_area=framework["neglect"], competency_level=3),
        date(2026, 2, 5),
    )
    neglect = by_area(selectors.person_record(worker, today=TODAY))["Neglect"]
    assert neglect.state == selectors.IN_DATE and neglect.best.level == 3


@pytest.mark.parametrize(
    "status",
    [
        Booking.Status.PARTIAL,
        Booking.Status.NO_SHOW,
        Booking.Status.CANCELLED,
        Booking.Status.CONFIRMED,
    ],
)
def test_only_attendance_in_full_achieves_a_level(framework, worker, status):
    course = CourseFactory(priority_area=framework["neglect"], competency_level=2)
    attended(worker, course, date(2026, 3, 3), status=status)
    assert by_area(selectors.person_record(worker, today=TODAY))["Neglect"].state == (
        selectors.MISSING
    )


def test_completed_e_learning_achieves_its_level_from_the_completion_date(framework, worker):
    module = CourseFactory(
        priority_area=framework["neglect"],
        competency_level=2,
        delivery_mode=Course.DeliveryMode.ELEARNING,
    )
    Enrolment.objects.create(course=module, person=worker, enrolled_at=at(date(2025, 2, 1)))
    assert by_area(selectors.person_record(worker, today=TODAY))["Neglect"].state == (
        selectors.MISSING
    )
    Enrolment.objects.filter(person=worker).update(completed_at=at(date(2025, 2, 3), 23))
    neglect = by_area(selectors.person_record(worker, today=TODAY))["Neglect"]
    assert neglect.state == selectors.IN_DATE
    assert (neglect.best.source, neglect.best.expires) == ("e-learning", date(2028, 2, 3))


def test_imported_history_counts_like_any_other_record(framework, worker):
    CourseFactory(title="Neglect Core", priority_area=framework["neglect"], competency_level=2)
    events = (
        "event_ref,course,priority,audience,mode,start,end,capacity,status\n"
        "EV1,Neglect Core,Neglect,children,face_to_face,14/06/2021 09:30,14/06/2021 16:00,20,"
        "Delivered\n"
    )
    bookings = (
        "booking_ref,event_ref,email,name,organisation,booked_at,status\n"
        f"BK1,EV1,{worker.email},Pat Practitioner,{worker.organisation.name},"
        "01/06/2021 10:00,Attended\n"
    )
    import_history({"events.csv": events.encode(), "bookings.csv": bookings.encode()})
    neglect = by_area(selectors.person_record(worker, today=date(2024, 1, 1)))["Neglect"]
    assert (neglect.state, neglect.best.on) == (selectors.IN_DATE, date(2021, 6, 14))
    # Three years on, the imported achievement has run out.
    assert by_area(selectors.person_record(worker, today=TODAY))["Neglect"].state == (
        selectors.OUT_OF_DATE
    )


def test_a_level_without_a_refresher_in_the_framework_never_runs_out(framework, worker):
    course = CourseFactory(priority_area=framework["neglect"], competency_level=4)
    Requirement.objects.filter(priority_area=framework["neglect"]).update(level=4)
    attended(worker, course, date(2010, 5, 5))
    neglect = by_area(selectors.person_record(worker, today=TODAY))["Neglect"]
    assert neglect.state == selectors.IN_DATE and neglect.best.expires is None


def test_gaps_list_the_courses_that_would_fill_them(framework, worker):
    area = framework["exploitation"]
    dated = CourseFactory(title="Exploitation level 3", priority_area=area, competency_level=3)
    EventFactory(course=dated, start=timezone.now() + timedelta(days=20))
    module = CourseFactory(
        title="Exploitation e-learning (level 4)",
        priority_area=area,
        competency_level=4,
        delivery_mode=Course.DeliveryMode.ELEARNING,
    )
    too_low = CourseFactory(title="Exploitation basics", priority_area=area, competency_level=2)
    EventFactory(course=too_low, start=timezone.now() + timedelta(days=20))
    no_dates = CourseFactory(title="Exploitation, no dates", priority_area=area, competency_level=3)
    past_only = CourseFactory(title="Exploitation, past", priority_area=area, competency_level=3)
    EventFactory(
        course=past_only, start=timezone.now() - timedelta(days=20), status=Event.Status.DELIVERED
    )
    hidden = CourseFactory(
        title="Exploitation, retired", priority_area=area, competency_level=3, is_published=False
    )
    EventFactory(course=hidden, start=timezone.now() + timedelta(days=20))
    exploitation = by_area(selectors.person_record(worker, today=TODAY))["Exploitation"]
    assert exploitation.fill_with == [dated, module]
    assert no_dates not in exploitation.fill_with


def test_a_person_without_a_job_role_has_no_requirements(framework, practitioner):
    record = selectors.person_record(practitioner, today=TODAY)
    assert record.job_role is None and record.standings == []


def test_my_training_shows_the_gaps_and_the_course_that_fills_one(client, framework, worker):
    dated = CourseFactory(
        title="Neglect: core practice", priority_area=framework["neglect"], competency_level=2
    )
    EventFactory(course=dated, start=timezone.now() + timedelta(days=20))
    client.force_login(worker)
    html = client.get(reverse("bookings:my_training")).content.decode()
    assert "What your role requires" in html and "Social worker" in html
    assert "2 of the 2 areas your role requires are not covered" in html
    assert reverse("courses:course", args=[dated.slug]) in html


def test_a_practitioner_chooses_a_role_of_their_own_sector(client, framework, practitioner):
    practitioner.organisation.sector = Organisation.Sector.LOCAL_AUTHORITY
    practitioner.organisation.save()
    police_role = JobRole.objects.create(name="Detective", sector="police")
    client.force_login(practitioner)
    page = client.get(reverse("competency:my_role")).content.decode()
    assert "Social worker" in page and "Detective" not in page
    response = client.post(reverse("competency:my_role"), {"job_role": police_role.pk})
    assert response.status_code == 200
    assert "Choose one of the roles listed." in response.content.decode()
    assert not StaffRole.objects.filter(person=practitioner).exists()
    response = client.post(reverse("competency:my_role"), {"job_role": framework["role"].pk})
    assert response.status_code == 302
    assert StaffRole.objects.get(person=practitioner).job_role == framework["role"]


def test_no_framework_for_the_sector_means_no_section(client, framework):
    person = BookingFactory().person
    person.organisation = OrganisationFactory(sector=Organisation.Sector.POLICE)
    person.save()
    client.force_login(person)
    assert (
        "What your role requires"
        not in client.get(reverse("bookings:my_training")).content.decode()
    )


def test_my_training_queries_do_not_grow_with_the_record(
    client, framework, worker, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    course = CourseFactory(priority_area=framework["neglect"], competency_level=2)
    client.force_login(worker)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("bookings:my_training")).status_code == 200
        return len(captured)

    attended(worker, course, date(2025, 1, 6))
    queries()  # the first request also loads the session and caches
    few = queries()
    for n in range(8):
        attended(worker, course, date(2025, 2, 3) + timedelta(days=n))
    assert queries() == few
