"""Demand for courses with no dates: "Tell me when dates are announced", the lead's demand page,
and the one email to each person waiting when a date is published."""

import csv
import io
from datetime import date, datetime, time, timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from core.clock import LONDON
from courses import interest
from courses.models import Course, CourseInterest, Event
from courses.services import event_create
from messaging import outbox
from messaging.models import OutboundEmail
from tests.factories import CourseFactory, EventFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

DAY = date(2031, 6, 10)  # a Tuesday


@pytest.fixture
def course():
    return CourseFactory(title="Neglect: Recognising the Signs", slug="neglect-signs")


def new_event(course, day=DAY, status=Event.Status.SCHEDULED) -> Event:
    return Event(
        course=course,
        start=datetime.combine(day, time(9, 30), tzinfo=LONDON),
        end=datetime.combine(day, time(12, 30), tzinfo=LONDON),
        capacity=20,
        status=status,
    )


@pytest.fixture
def publish(django_capture_on_commit_callbacks):
    """Create a scheduled event as the lead's page does, running what happens after the commit
    (the signal, the queued task, inline in the tests, and the outbox's sends)."""

    def run(course, day=DAY):
        with django_capture_on_commit_callbacks(execute=True):
            return event_create(event=new_event(course, day))

    return run


# --- registering and withdrawing -------------------------------------------------------------


def test_registering_records_the_person_and_their_organisation_now(course, practitioner):
    found = interest.interest_register(course=course, person=practitioner)
    assert (found.person, found.organisation, found.notified_at) == (
        practitioner,
        practitioner.organisation,
        None,
    )
    # Moving organisation later does not move the request.
    practitioner.organisation = OrganisationFactory(name="West Midlands Police")
    practitioner.save()
    assert CourseInterest.objects.get().organisation.name == "Dudley Council"
    # Registering twice is one request.
    interest.interest_register(course=course, person=practitioner)
    assert CourseInterest.objects.count() == 1


def test_withdrawing_removes_the_request(course, practitioner):
    interest.interest_register(course=course, person=practitioner)
    assert interest.interest_withdraw(course=course, person=practitioner) is True
    assert not CourseInterest.objects.exists()
    assert interest.interest_withdraw(course=course, person=practitioner) is False


def test_registering_again_after_being_told_is_a_fresh_request(course, practitioner, publish):
    interest.interest_register(course=course, person=practitioner)
    event = publish(course)
    told = CourseInterest.objects.get()
    assert told.notified_at is not None and told.notified_event == event
    event.status = Event.Status.CANCELLED  # the date went: no dates to book again
    event.save()
    again = interest.interest_register(course=course, person=practitioner)
    assert again.notified_at is None and again.notified_event is None
    assert again.created_at > told.created_at


def test_not_offered_when_the_course_has_an_upcoming_bookable_date(course, practitioner):
    EventFactory(course=course)
    with pytest.raises(interest.InterestError, match=interest.HAS_DATES):
        interest.interest_register(course=course, person=practitioner)
    assert not CourseInterest.objects.exists()


def test_a_draft_cancelled_or_past_date_is_no_date(course, practitioner):
    EventFactory(course=course, status=Event.Status.DRAFT)
    EventFactory(course=course, status=Event.Status.CANCELLED)
    EventFactory(course=course, start=timezone.now() - timedelta(days=3))
    assert interest.interest_register(course=course, person=practitioner).pk


def test_not_offered_for_a_retired_course_or_an_e_learning_module(practitioner):
    retired = CourseFactory(retired_on=date(2026, 1, 1))
    with pytest.raises(interest.InterestError, match=interest.RETIRED):
        interest.interest_register(course=retired, person=practitioner)
    module = CourseFactory(delivery_mode=Course.DeliveryMode.ELEARNING)
    with pytest.raises(interest.InterestError, match=interest.ELEARNING):
        interest.interest_register(course=module, person=practitioner)


# --- the pages ------------------------------------------------------------------------------


def test_the_course_page_offers_it_to_a_signed_in_practitioner_and_confirms(
    client, course, practitioner
):
    url = reverse("courses:course", args=[course.slug])
    client.force_login(practitioner)
    page = client.get(url).content.decode()
    assert "Tell me when dates are announced" in page
    response = client.post(reverse("courses:interest_register", args=[course.slug]), follow=True)
    body = response.content.decode()
    assert response.redirect_chain[-1][0] == url
    assert "We&#x27;ll email you when dates are announced" in body
    assert "I no longer want to hear" in body and "Tell me when dates" not in body
    assert CourseInterest.objects.filter(person=practitioner, course=course).exists()

    response = client.post(reverse("courses:interest_withdraw", args=[course.slug]), follow=True)
    assert "We will not email you about dates" in response.content.decode()
    assert not CourseInterest.objects.exists()


def test_the_course_page_asks_an_anonymous_visitor_to_sign_in_first(client, course):
    url = reverse("courses:course", args=[course.slug])
    page = client.get(url).content.decode()
    assert "Tell me when dates are announced" not in page
    assert f"{reverse('account_login')}?next={url}" in page
    assert "to be told when dates are announced" in page
    response = client.post(reverse("courses:interest_register", args=[course.slug]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert not CourseInterest.objects.exists()


def test_a_course_with_dates_offers_booking_not_interest(client, course, practitioner):
    EventFactory(course=course)
    client.force_login(practitioner)
    page = client.get(reverse("courses:course", args=[course.slug])).content.decode()
    assert "Tell me when dates are announced" not in page
    # A POST anyway (a page open since before the date was published) says why, changes nothing.
    response = client.post(reverse("courses:interest_register", args=[course.slug]), follow=True)
    assert interest.HAS_DATES in response.content.decode()
    assert not CourseInterest.objects.exists()


def test_the_course_list_offers_it_for_undated_courses_only(client, course, practitioner):
    dated = CourseFactory(title="Exploitation basics")
    EventFactory(course=dated)
    CourseFactory(title="Online module", delivery_mode=Course.DeliveryMode.ELEARNING)
    client.force_login(practitioner)
    list_url = reverse("courses:course_list")
    page = client.get(list_url).content.decode()
    assert page.count("Tell me when dates are announced") == 1
    assert (
        f'Tell me when dates are announced<span class="govuk-visually-hidden"> for {course.title}'
        in page
    )
    # Registering from the list returns to the list, where it now says so.
    response = client.post(
        reverse("courses:interest_register", args=[course.slug]),
        {"next": list_url},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == list_url
    assert "I no longer want to hear" in response.content.decode()
    # Never anywhere else.
    response = client.post(
        reverse("courses:interest_withdraw", args=[course.slug]),
        {"next": "https://elsewhere.example.com/"},
    )
    assert response["Location"] == reverse("courses:course", args=[course.slug])


def test_the_catalogue_lists_matching_courses_with_no_dates_and_offers_it(
    client, course, practitioner
):
    dated = CourseFactory(title="Neglect with dates")
    EventFactory(course=dated)
    client.force_login(practitioner)
    response = client.get(reverse("courses:catalogue"), {"q": "neglect"})
    assert response.context["undated"] == [course]
    page = response.content.decode()
    assert "1 course with no dates yet matches your filters" in page
    assert page.count("Tell me when dates are announced<span") == 1
    interest.interest_register(course=course, person=practitioner)
    page = client.get(reverse("courses:catalogue"), {"q": "neglect"}).content.decode()
    assert "I no longer want to hear" in page
    # A month or places asked for: only events answer that.
    assert (
        client.get(reverse("courses:catalogue"), {"places_left": "on"}).context["undated"] is None
    )


# --- the notification -----------------------------------------------------------------------


def test_publishing_a_date_emails_everyone_waiting_once(course, mailoutbox, publish):
    waiting = [UserFactory(full_name=f"Person {n}") for n in range(3)]
    for person in waiting:
        interest.interest_register(course=course, person=person)
    other_course = CourseFactory()
    interest.interest_register(course=other_course, person=UserFactory())

    event = publish(course)

    assert sorted(m.to[0] for m in mailoutbox) == sorted(p.email for p in waiting)
    message = mailoutbox[0]
    assert message.subject == "Dates announced: Neglect: Recognising the Signs"
    text = message.body
    assert "When: Tuesday 10 June 2031, 09:30 to 12:30" in text
    event_url = settings.SITE_URL + reverse("courses:event", args=[event.pk])
    assert f"Book a place: {event_url}" in text
    assert "the only email we send you about this course's dates" in text
    html = message.alternatives[0][0]
    assert reverse("courses:event", args=[event.pk]) in html
    assert CourseInterest.objects.filter(course=course, notified_event=event).count() == 3
    assert CourseInterest.objects.get(course=other_course).notified_at is None

    # Another date of the same course: nobody is emailed again.
    mailoutbox.clear()
    publish(course, day=DAY + timedelta(days=7))
    assert mailoutbox == []
    assert OutboundEmail.objects.filter(person__isnull=False).count() == 3


def test_the_task_run_again_or_its_emails_sent_again_email_nobody_twice(
    course, practitioner, mailoutbox, publish
):
    interest.interest_register(course=course, person=practitioner)
    event = publish(course)
    assert len(mailoutbox) == 1
    # A retried task (django-q2 retries, a crash before its result was saved) finds nobody left.
    assert interest.interested_notify(event_id=event.pk) == 0
    # A send task delivered twice finds its row sent.
    purpose = f"{interest.PURPOSE_PREFIX}{event.pk}"
    assert interest.send_dates_announced(practitioner.pk, purpose) is False
    assert len(mailoutbox) == 1
    row = OutboundEmail.objects.get(person=practitioner)
    assert (row.purpose, row.state, row.booking) == (purpose, OutboundEmail.State.SENT, None)


def test_owed_emails_whose_tasks_were_lost_are_sent_once_by_the_sweeper(
    course, practitioner, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    interest.interest_register(course=course, person=practitioner)
    event = new_event(course)
    event.save()
    monkeypatch.setattr(outbox, "outbox_enqueue", lambda row: False)  # the broker is down
    with django_capture_on_commit_callbacks(execute=True):
        assert interest.interested_notify(event_id=event.pk) == 1
    assert mailoutbox == []
    monkeypatch.undo()
    later = timezone.now() + timedelta(minutes=10)
    assert outbox.requeue_stuck(now=later) == 1
    assert len(mailoutbox) == 1
    assert outbox.requeue_stuck(now=later) == 0
    assert len(mailoutbox) == 1


def test_a_date_published_while_the_queue_was_down_is_announced_by_the_sweep_once(
    course, practitioner, mailoutbox, monkeypatch, publish, django_capture_on_commit_callbacks
):
    import django_q.tasks

    interest.interest_register(course=course, person=practitioner)

    def broker_down(*args, **kwargs):
        raise ConnectionError("the broker is down")

    monkeypatch.setattr(django_q.tasks, "async_task", broker_down)
    event = publish(course)  # the lead's event is saved; the queued notification is lost
    monkeypatch.undo()
    assert mailoutbox == [] and CourseInterest.objects.get().notified_at is None

    from courses.tasks import sweep_interested

    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_interested() == 1
    assert [m.to for m in mailoutbox] == [[practitioner.email]]
    assert CourseInterest.objects.get().notified_event == event
    assert sweep_interested() == 0  # nobody is left waiting
    assert len(mailoutbox) == 1


def test_the_sweep_leaves_people_waiting_for_a_course_still_without_dates(course, practitioner):
    from courses.tasks import sweep_interested

    interest.interest_register(course=course, person=practitioner)
    new_event(course, status=Event.Status.DRAFT).save()
    assert sweep_interested() == 0
    assert CourseInterest.objects.get().notified_at is None


def test_the_sweep_is_scheduled_every_15_minutes():
    from django_q.models import Schedule

    schedule = Schedule.objects.get(func="courses.tasks.sweep_interested")
    assert (schedule.schedule_type, schedule.minutes) == (Schedule.MINUTES, 15)


def test_a_date_cancelled_before_the_email_went_is_not_sent_and_the_person_waits_again(
    course, practitioner, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    interest.interest_register(course=course, person=practitioner)
    event = new_event(course)
    event.save()
    queued = []
    monkeypatch.setattr(outbox, "outbox_enqueue", queued.append)
    with django_capture_on_commit_callbacks(execute=True):
        interest.interested_notify(event_id=event.pk)
    event.status = Event.Status.CANCELLED
    event.save()
    [row] = queued
    assert interest.send_dates_announced(row.person_id, row.purpose) is False
    assert mailoutbox == []
    row.refresh_from_db()
    assert row.state == OutboundEmail.State.SKIPPED
    assert CourseInterest.objects.get().notified_at is None  # told by the next date


def test_a_person_who_withdrew_before_the_email_went_gets_none(
    course, practitioner, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    interest.interest_register(course=course, person=practitioner)
    event = new_event(course)
    event.save()
    queued = []
    monkeypatch.setattr(outbox, "outbox_enqueue", queued.append)
    with django_capture_on_commit_callbacks(execute=True):
        interest.interested_notify(event_id=event.pk)
    interest.interest_withdraw(course=course, person=practitioner)
    assert interest.send_dates_announced(queued[0].person_id, queued[0].purpose) is False
    assert mailoutbox == []


def test_a_draft_emails_nobody(
    course, practitioner, mailoutbox, django_capture_on_commit_callbacks
):
    interest.interest_register(course=course, person=practitioner)
    with django_capture_on_commit_callbacks(execute=True):
        event = event_create(event=new_event(course, status=Event.Status.DRAFT))
    assert mailoutbox == []
    assert interest.interested_notify(event_id=event.pk) == 0  # nor when run by hand
    assert CourseInterest.objects.get().notified_at is None


# --- the lead's demand page -----------------------------------------------------------------


@pytest.fixture
def demand(course):
    dudley = OrganisationFactory(name="Dudley Council")
    police = OrganisationFactory(name="West Midlands Police")
    for _ in range(3):
        interest.interest_register(course=course, person=UserFactory(organisation=dudley))
    interest.interest_register(course=course, person=UserFactory(organisation=police))
    other = CourseFactory(title="Think Family in practice")
    interest.interest_register(course=other, person=UserFactory(organisation=police))
    told = CourseFactory(title="Already told")
    person = UserFactory(organisation=dudley)
    interest.interest_register(course=told, person=person)
    CourseInterest.objects.filter(course=told).update(notified_at=timezone.now())
    EventFactory(course=other)  # a date published since (its people were told in real life)
    return {"course": course, "other": other, "told": told}


def test_demand_by_course_and_organisation_counts_people_waiting(demand):
    rows = interest.demand_by_course()
    assert [(r.course.title, r.waiting, r.has_dates) for r in rows] == [
        ("Neglect: Recognising the Signs", 4, False),
        ("Think Family in practice", 1, True),
    ]
    assert [(name, people) for name, people, _ in rows[0].organisations] == [
        ("Dudley Council", 3),
        ("West Midlands Police", 1),
    ]
    assert (
        rows[0].oldest
        == CourseInterest.objects.filter(course=demand["course"]).earliest("created_at").created_at
    )
    assert interest.demand_by_organisation() == [
        ("Dudley Council", 3, 1),
        ("West Midlands Police", 2, 2),
    ]


def test_the_demand_page_and_its_csv(client, lead, demand, django_assert_max_num_queries):
    client.force_login(lead)
    url = reverse("courses:manage_demand")
    with django_assert_max_num_queries(12):
        page = client.get(url).content.decode()
    assert "Neglect: Recognising the Signs" in page and "Already told" not in page
    assert "Dudley Council (3)" in page
    assert (
        "Demand for courses with no dates" in client.get(reverse("courses:manage")).content.decode()
    )

    response = client.get(url, {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == interest.DEMAND_CSV_HEADINGS
    assert [(r[0], r[2], r[3], r[5]) for r in rows[1:]] == [
        ("Neglect: Recognising the Signs", "Dudley Council", "3", "No"),
        ("Neglect: Recognising the Signs", "West Midlands Police", "1", "No"),
        ("Think Family in practice", "West Midlands Police", "1", "Yes"),
    ]


def test_the_demand_page_is_the_leads_only(client, practitioner, org_manager, demand):
    url = reverse("courses:manage_demand")
    for person in (practitioner, org_manager):
        client.force_login(person)
        assert client.get(url).status_code == 403
        assert client.get(url, {"format": "csv"}).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302


@pytest.mark.parametrize(
    "back", ["abc", "account_logout", "//evil.example/x", "https://evil.example/"]
)
def test_the_buttons_go_back_only_to_a_page_of_this_site(client, course, practitioner, back):
    """A bare word in `next` was read as a URL name: a 500, or a redirect to that view."""
    client.force_login(practitioner)
    course_page = reverse("courses:course", args=[course.slug])
    for name in ("courses:interest_register", "courses:interest_withdraw"):
        response = client.post(reverse(name, args=[course.slug]), {"next": back})
        assert response.status_code == 302 and response["Location"] == course_page
    listing = reverse("courses:course_list")
    response = client.post(
        reverse("courses:interest_register", args=[course.slug]), {"next": listing}
    )
    assert response["Location"] == listing
