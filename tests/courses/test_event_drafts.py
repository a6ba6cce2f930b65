"""Draft events: the lead's alone until published. Not in the catalogue, a course's dates or the
month view for anyone else; not bookable by any route; on no trainer's registers; no email; then
published from the lead's event page (courses.services.event_publish), announced once."""

from datetime import date, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from bookings import services as booking_services
from bookings.models import Booking
from core.clock import LONDON
from courses.models import Event
from courses.services import (
    EVENT_DELETE_IN_USE,
    EVENT_DELETE_NOT_DRAFT,
    EVENT_PUBLISH_PASSED,
    event_copy_series,
    event_create,
    event_draft_delete,
    event_publish,
    series_slots,
)
from courses.signals import event_published
from messaging.models import OutboundEmail
from tests.factories import BookingFactory, CourseFactory, EventFactory, VenueFactory

pytestmark = pytest.mark.django_db

# A Tuesday far enough ahead, with no bank holiday near it (as tests/courses/test_manage_events).
DAY = date(2031, 6, 10)


@pytest.fixture
def published():
    seen = []

    def receiver(sender, event, **kwargs):
        seen.append(event.pk)

    event_published.connect(receiver, dispatch_uid="test-drafts-published")
    yield seen
    event_published.disconnect(dispatch_uid="test-drafts-published")


@pytest.fixture
def course():
    return CourseFactory(title="Neglect: recognising and responding", slug="neglect")


@pytest.fixture
def hall():
    return VenueFactory(name="Council House", address="Priory Road\nDudley", capacity=30)


@pytest.fixture
def draft(course, hall):
    return EventFactory(
        course=course,
        venue=hall,
        start=datetime.combine(DAY, time(9, 30), tzinfo=LONDON),
        end=datetime.combine(DAY, time(12, 30), tzinfo=LONDON),
        status=Event.Status.DRAFT,
    )


def _form(course, hall, action):
    return {
        "course": course.pk,
        "day": f"{DAY:%Y-%m-%d}",
        "start_time": "09:30",
        "end_time": "12:30",
        "venue": hall.pk,
        "capacity": "20",
        "places_per_organisation": "",
        "notice_working_days": "3",
        "joining_link": "",
        "joining_instructions": "",
        "action": action,
    }


# --- saving a draft ------------------------------------------------------------------------


def test_save_as_draft_keeps_the_event_unannounced_and_opens_the_lead_s_page(
    client, lead, course, hall, published, django_capture_on_commit_callbacks
):
    client.force_login(lead)
    page = client.get(reverse("courses:manage_event_create") + f"?course={course.pk}")
    assert "Publish now" in page.content.decode() and "Save as draft" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("courses:manage_event_create"), _form(course, hall, "draft"))
    event = Event.objects.get()
    assert event.status == Event.Status.DRAFT
    assert response["Location"] == reverse("event_manage:page", args=[event.pk])
    assert published == []


def test_publish_now_publishes_and_announces(
    client, lead, course, hall, published, django_capture_on_commit_callbacks
):
    client.force_login(lead)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("courses:manage_event_create"), _form(course, hall, "save"))
    event = Event.objects.get()
    assert event.status == Event.Status.SCHEDULED
    assert published == [event.pk]


def test_a_series_saved_as_drafts_is_all_drafts_and_unannounced(
    client, lead, draft, published, django_capture_on_commit_callbacks
):
    client.force_login(lead)
    data = {
        "day": f"{DAY + timedelta(weeks=2):%Y-%m-%d}",
        "start_time": "09:30",
        "end_time": "12:30",
        "every_weeks": "2",
        "count": "3",
        "action": "create-draft",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("courses:manage_event_copy", args=[draft.pk]), data)
    copies = Event.objects.exclude(pk=draft.pk)
    assert response.status_code == 302
    assert copies.count() == 3
    assert set(copies.values_list("status", flat=True)) == {Event.Status.DRAFT}
    assert published == []


def test_a_series_copied_from_a_draft_and_published_is_announced(
    draft, published, django_capture_on_commit_callbacks
):
    slots = series_slots(
        first_day=DAY + timedelta(weeks=1), start=time(9, 30), end=time(12, 30), count=2
    )
    with django_capture_on_commit_callbacks(execute=True):
        copies = event_copy_series(source=draft, slots=slots)
    assert [c.status for c in copies] == [Event.Status.SCHEDULED] * 2
    assert published == [c.pk for c in copies]


def test_a_new_event_is_a_draft_or_scheduled_nothing_else(course, hall):
    event = Event(
        course=course,
        venue=hall,
        start=datetime.combine(DAY, time(9, 30), tzinfo=LONDON),
        end=datetime.combine(DAY, time(12, 30), tzinfo=LONDON),
        capacity=10,
        status=Event.Status.DELIVERED,
    )
    with pytest.raises(ValueError):
        event_create(event=event)


# --- what nobody else sees -----------------------------------------------------------------


def test_a_draft_is_in_no_list_anyone_else_sees(client, practitioner, trainer, draft):
    draft.trainers.add(trainer)
    month = reverse("courses:month", args=[f"{DAY:%Y-%m}"])
    for user in (None, practitioner, trainer):
        client.logout()
        if user is not None:
            client.force_login(user)
        for url in (
            reverse("courses:catalogue"),
            reverse("courses:course", args=[draft.course.slug]),
            month,
        ):
            html = client.get(url).content.decode()
            assert reverse("courses:event", args=[draft.pk]) not in html, (user, url)
            assert "0 events this month" in html if url == month else True
        assert client.get(reverse("courses:event", args=[draft.pk])).status_code == 404
    registers = client.get(reverse("bookings:registers")).content.decode()  # as the trainer
    assert reverse("bookings:register", args=[draft.pk]) not in registers
    assert client.get(reverse("bookings:register", args=[draft.pk])).status_code == 404


def test_the_lead_sees_drafts_labelled_in_the_month_view_and_on_their_pages(client, lead, draft):
    client.force_login(lead)
    month = client.get(reverse("courses:month", args=[f"{DAY:%Y-%m}"])).content.decode()
    assert "1 event this month" in month
    assert "Draft" in month and reverse("event_manage:page", args=[draft.pk]) in month
    page = client.get(reverse("event_manage:page", args=[draft.pk])).content.decode()
    assert "Draft" in page
    assert reverse("event_manage:publish", args=[draft.pk]) in page
    assert reverse("bookings:book_for", args=[draft.pk]) not in page
    assert reverse("bookings:event_cancel", args=[draft.pk]) not in page
    assert reverse("event_manage:message", args=[draft.pk]) not in page
    public = client.get(reverse("courses:event", args=[draft.pk])).content.decode()
    assert "Only you can see this event" in public


# --- booking -------------------------------------------------------------------------------


def test_no_route_books_a_draft(client, lead, practitioner, draft):
    client.force_login(practitioner)
    response = client.post(reverse("bookings:book", args=[draft.pk]), {"access_needs": ""})
    assert response.status_code == 404
    with pytest.raises(booking_services.BookingError) as refused:
        booking_services.booking_create(event=draft, person=practitioner)
    assert refused.value.message == booking_services.EVENT_DRAFT
    client.force_login(lead)
    page = client.post(reverse("bookings:book_for", args=[draft.pk]), {"email": practitioner.email})
    assert page.status_code == 200 and booking_services.EVENT_DRAFT in page.content.decode()
    assert not Booking.objects.exists()


def test_a_full_draft_offers_no_waiting_list(practitioner, draft):
    draft.capacity = 1
    draft.save()
    with pytest.raises(booking_services.BookingError) as refused:
        booking_services.booking_create(event=draft, person=practitioner)
    assert refused.value.message == booking_services.EVENT_DRAFT
    assert not Booking.objects.filter(status=Booking.Status.WAITLISTED).exists()


def test_a_draft_cannot_be_cancelled_so_it_never_counts_as_cancelled(lead, draft):
    with pytest.raises(booking_services.BookingError) as refused:
        booking_services.event_cancel(event=draft, actor=lead, reason="Not needed")
    assert refused.value.message == booking_services.EVENT_DRAFT_NOT_CANCELLABLE
    draft.refresh_from_db()
    assert draft.status == Event.Status.DRAFT


def test_editing_a_draft_s_time_and_venue_emails_nobody(
    client, lead, draft, django_capture_on_commit_callbacks
):
    # Even with a booking put there by hand (no service allows one), nobody is emailed.
    BookingFactory(event=draft)
    other = VenueFactory(name="Town Hall", address="Castle Street", capacity=40)
    client.force_login(lead)
    data = _form(draft.course, other, "save")
    data["start_time"] = "13:30"
    data["end_time"] = "16:30"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("bookings_manage:event_edit", args=[draft.pk]), data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.venue == other and draft.calendar_sequence == 0
    assert not OutboundEmail.objects.exists()


# --- publishing ----------------------------------------------------------------------------


def test_publish_makes_the_draft_bookable_and_announces_it_once(
    client, lead, practitioner, draft, published, django_capture_on_commit_callbacks
):
    client.force_login(lead)
    url = reverse("event_manage:publish", args=[draft.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)
    assert "The event is published" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Event.Status.SCHEDULED
    assert published == [draft.pk]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)  # a second press (or a second tab) is harmless
        event_publish(event=draft, actor=lead)
    assert published == [draft.pk]
    booking = booking_services.booking_create(event=draft, person=practitioner)
    assert booking.status == Booking.Status.CONFIRMED


def test_a_draft_whose_date_has_passed_cannot_be_published(
    client, lead, course, hall, published, django_capture_on_commit_callbacks
):
    start = timezone.now() - timedelta(days=2)
    old = EventFactory(
        course=course, venue=hall, start=start, end=start + timedelta(hours=3), status="draft"
    )
    with pytest.raises(ValidationError) as refused:
        event_publish(event=old, actor=lead)
    assert refused.value.message_dict == {"start": [EVENT_PUBLISH_PASSED]}
    client.force_login(lead)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(reverse("event_manage:publish", args=[old.pk]), follow=True)
    assert EVENT_PUBLISH_PASSED in page.content.decode()
    old.refresh_from_db()
    assert old.status == Event.Status.DRAFT
    assert published == []


def test_publish_checks_the_draft_again(lead, draft, hall):
    hall.capacity = 10  # the venue got smaller since the draft was saved
    hall.save()
    with pytest.raises(ValidationError) as refused:
        event_publish(event=draft, actor=lead)
    assert "capacity" in refused.value.message_dict
    draft.refresh_from_db()
    assert draft.status == Event.Status.DRAFT


def test_a_cancelled_event_is_not_published(lead, draft):
    Event.objects.filter(pk=draft.pk).update(status=Event.Status.CANCELLED)
    with pytest.raises(ValidationError):
        event_publish(event=draft, actor=lead)
    draft.refresh_from_db()
    assert draft.status == Event.Status.CANCELLED


@pytest.mark.parametrize("who", ["practitioner", "trainer", "org_manager"])
def test_only_the_lead_publishes_or_deletes(client, request, who, draft):
    client.force_login(request.getfixturevalue(who))
    for name in ("event_manage:publish", "event_manage:draft_delete"):
        assert client.post(reverse(name, args=[draft.pk])).status_code == 403
        assert client.get(reverse(name, args=[draft.pk])).status_code == 403
    draft.refresh_from_db()
    assert draft.status == Event.Status.DRAFT


# --- deleting a draft ----------------------------------------------------------------------


def test_the_lead_deletes_a_draft_after_confirming(client, lead, draft):
    client.force_login(lead)
    url = reverse("event_manage:draft_delete", args=[draft.pk])
    page = client.get(reverse("event_manage:page", args=[draft.pk])).content.decode()
    assert url in page
    assert "Delete this draft?" in client.get(url).content.decode()
    response = client.post(url)
    assert response["Location"] == reverse("courses:month", args=[f"{DAY:%Y-%m}"])
    assert not Event.objects.filter(pk=draft.pk).exists()


def test_a_published_event_is_cancelled_not_deleted(client, lead, draft):
    Event.objects.filter(pk=draft.pk).update(status=Event.Status.SCHEDULED)
    draft.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        event_draft_delete(event=draft, actor=lead)
    assert refused.value.messages == [EVENT_DELETE_NOT_DRAFT]
    client.force_login(lead)
    url = reverse("event_manage:draft_delete", args=[draft.pk])
    assert client.get(url)["Location"] == reverse("event_manage:page", args=[draft.pk])
    page = client.post(url, follow=True).content.decode()
    assert EVENT_DELETE_NOT_DRAFT in page
    assert Event.objects.filter(pk=draft.pk).exists()


def test_a_draft_with_a_booking_is_not_deleted(lead, draft):
    BookingFactory(event=draft)  # no service allows one; the rule holds anyway
    with pytest.raises(ValidationError) as refused:
        event_draft_delete(event=draft, actor=lead)
    assert refused.value.messages == [EVENT_DELETE_IN_USE]
    assert Event.objects.filter(pk=draft.pk).exists()
