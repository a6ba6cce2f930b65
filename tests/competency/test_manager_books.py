"""MANAGER_CAN_BOOK: off (the default), an organisation manager only looks; on, they book a place
for one of their own staff, through the same booking service and its checks, never for anyone
outside their organisation."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from bookings.models import Booking, BookingLog
from bookings.services import PERSON_ALREADY_BOOKED
from competency.models import JobRole, Requirement, StaffRole
from courses.models import PriorityArea
from messaging.models import OutboundEmail
from tests.factories import (
    BookingFactory,
    CourseFactory,
    EventFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(organisation):
    neglect = PriorityArea.objects.create(name="Neglect")
    other_area = PriorityArea.objects.create(name="Local learning")
    role = JobRole.objects.create(name="Social worker")
    Requirement.objects.create(job_role=role, priority_area=neglect, level=2)
    soon = timezone.now() + timedelta(days=20)
    needed = EventFactory(
        course=CourseFactory(title="Neglect: core", priority_area=neglect), start=soon
    )
    earlier = EventFactory(
        course=CourseFactory(title="Local learning review", priority_area=other_area),
        start=soon - timedelta(days=10),
    )
    colleague = UserFactory(full_name="Ada Colleague", organisation=organisation)
    StaffRole.objects.create(person=colleague, job_role=role)
    outsider = UserFactory(
        full_name="Eve Elsewhere", organisation=OrganisationFactory(name="West Midlands Police")
    )
    return {"event": needed, "earlier": earlier, "colleague": colleague, "outsider": outsider}


@pytest.fixture
def manager_client(client, org_manager):
    client.force_login(org_manager)
    return client


def book_url(person):
    return reverse("competency:staff_book", args=[person.pk])


def test_off_by_default_the_manager_cannot_book(manager_client, world, settings):
    assert settings.MANAGER_CAN_BOOK is False
    assert "Book a place" not in manager_client.get(reverse("competency:staff")).content.decode()
    colleague = world["colleague"]
    assert manager_client.get(book_url(colleague)).status_code == 404
    response = manager_client.post(book_url(colleague), {"event": world["event"].pk})
    assert response.status_code == 404
    assert not Booking.objects.exists()


def test_on_the_manager_books_one_of_their_staff_who_is_emailed(
    manager_client, world, settings, org_manager
):
    settings.MANAGER_CAN_BOOK = True
    colleague = world["colleague"]
    page = manager_client.get(reverse("competency:staff")).content.decode()
    assert book_url(colleague) in page
    form = manager_client.get(book_url(colleague)).content.decode()
    # The event in the area their role needs comes first, though another starts earlier.
    assert form.index("Neglect: core") < form.index("Local learning review")
    response = manager_client.post(book_url(colleague), {"event": world["event"].pk})
    assert response.status_code == 302
    booking = Booking.objects.get(person=colleague)
    assert (booking.event, booking.status, booking.booked_by) == (
        world["event"],
        Booking.Status.CONFIRMED,
        org_manager,
    )
    assert BookingLog.objects.get(booking=booking).actor == org_manager
    # Emailed through the outbox, like any booking (sent by the worker after the commit).
    assert OutboundEmail.objects.filter(booking=booking, purpose="confirmation").exists()


def test_on_the_booking_checks_still_apply_and_show_on_the_field(manager_client, world, settings):
    settings.MANAGER_CAN_BOOK = True
    colleague = world["colleague"]
    BookingFactory(event=world["event"], person=colleague, status=Booking.Status.CONFIRMED)
    response = manager_client.post(book_url(colleague), {"event": world["event"].pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert escape(PERSON_ALREADY_BOOKED.format(person=colleague)) in html
    assert 'id="id_event-error"' in html
    assert Booking.objects.filter(person=colleague).count() == 1
    missing = manager_client.post(book_url(colleague), {"event": ""}).content.decode()
    assert "Choose the event to book." in missing


def test_on_a_full_event_puts_them_on_the_waiting_list(manager_client, world, settings):
    settings.MANAGER_CAN_BOOK = True
    event = world["event"]
    event.capacity = 1
    event.save()
    BookingFactory(event=event, status=Booking.Status.CONFIRMED)
    manager_client.post(book_url(world["colleague"]), {"event": event.pk})
    assert Booking.objects.get(person=world["colleague"]).status == Booking.Status.WAITLISTED


def test_on_never_for_another_organisations_staff(manager_client, world, settings):
    settings.MANAGER_CAN_BOOK = True
    outsider = world["outsider"]
    assert manager_client.get(book_url(outsider)).status_code == 404
    response = manager_client.post(book_url(outsider), {"event": world["event"].pk})
    assert response.status_code == 404
    assert "Eve Elsewhere" not in response.content.decode()
    assert not Booking.objects.exists()


def test_on_still_only_for_managers(client, world, settings, practitioner, lead):
    settings.MANAGER_CAN_BOOK = True
    for person in (practitioner, lead):
        client.force_login(person)
        response = client.post(book_url(world["colleague"]), {"event": world["event"].pk})
        assert response.status_code == 403
    assert not Booking.objects.exists()
