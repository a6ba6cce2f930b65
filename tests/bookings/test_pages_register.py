"""The register: who may open it, one POST for every mark, walk-ins, print view, history."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from bookings import services
from bookings.models import Booking, BookingLog, CancellationReason
from people import roles
from people.models import User
from tests.factories import BookingFactory, EventFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db
S = Booking.Status


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def today_event(trainer):
    start = timezone.now() - timedelta(hours=1)
    event = EventFactory(start=start, end=start + timedelta(hours=3), capacity=60)
    event.trainers.add(trainer)
    return event


def register_url(event):
    return reverse("bookings:register", args=[event.pk])


def marks_post(bookings, status=S.ATTENDED, **extra):
    data = {f"status-{b.pk}": status for b in bookings}
    data.update(extra)
    return data


def test_register_for_its_trainers_and_the_lead_only(
    client, today_event, trainer, lead, practitioner
):
    other_trainer = UserFactory(roles=[roles.TRAINER])
    url = register_url(today_event)
    client.force_login(trainer)
    assert client.get(url).status_code == 200
    client.force_login(lead)
    assert client.get(url).status_code == 200
    client.force_login(other_trainer)
    assert client.get(url).status_code == 404
    client.force_login(practitioner)
    assert client.get(url).status_code == 404
    assert client.get(reverse("bookings:register_print", args=[today_event.pk])).status_code == 404


def test_a_missing_event_gives_the_same_404(client, today_event, lead):
    client.force_login(lead)
    assert client.get(register_url(today_event)).status_code == 200
    assert client.get(reverse("bookings:register", args=[today_event.pk + 99])).status_code == 404


def test_another_trainer_cannot_save_a_register(client, today_event):
    booking = BookingFactory(event=today_event)
    client.force_login(UserFactory(roles=[roles.TRAINER]))
    assert client.post(register_url(today_event), marks_post([booking])).status_code == 404
    booking.refresh_from_db()
    assert booking.status == S.CONFIRMED


def test_registers_list_links_to_each_register(client, today_event, trainer):
    client.force_login(trainer)
    page = client.get(reverse("bookings:registers")).content.decode()
    assert register_url(today_event) in page


def test_register_saves_every_mark_in_one_post(client, today_event, trainer):
    sick = CancellationReason.objects.create(label="Sickness")
    came, late, missed = (BookingFactory(event=today_event) for _ in range(3))
    client.force_login(trainer)
    response = client.post(
        register_url(today_event),
        {
            f"status-{came.pk}": S.ATTENDED,
            f"status-{late.pk}": S.PARTIAL,
            f"status-{missed.pk}": S.NO_SHOW,
            f"reason-{missed.pk}": sick.pk,
        },
    )
    assert response.status_code == 302
    for booking in (came, late, missed):
        booking.refresh_from_db()
    assert (came.status, late.status, missed.status) == (S.ATTENDED, S.PARTIAL, S.NO_SHOW)
    assert missed.non_attendance_reason == sick
    page = client.get(register_url(today_event)).content.decode()
    # The change history says who changed what.
    # Escaped as the page escapes it: a Faker name may hold an apostrophe (O'Sullivan).
    assert page.count(f'<td class="govuk-table__cell">{escape(str(trainer))}</td>') == 3
    assert "Register: Booked → Partially attended" in page


def test_unmarked_delegates_are_left_alone(client, today_event, trainer):
    marked, unmarked = BookingFactory(event=today_event), BookingFactory(event=today_event)
    client.force_login(trainer)
    client.post(register_url(today_event), marks_post([marked]))
    unmarked.refresh_from_db()
    assert unmarked.status == S.CONFIRMED
    assert not BookingLog.objects.filter(booking=unmarked).exists()


def test_a_cancelled_delegate_is_marked_only_when_reinstated(client, today_event, trainer):
    cancelled = BookingFactory(event=today_event, status=S.CANCELLED)
    client.force_login(trainer)
    page = client.get(register_url(today_event)).content.decode()
    assert f'name="reinstate-{cancelled.pk}"' in page

    refused = client.post(register_url(today_event), marks_post([cancelled]))
    assert f"status-{cancelled.pk}" in refused.context["form"].errors
    cancelled.refresh_from_db()
    assert cancelled.status == S.CANCELLED

    client.post(
        register_url(today_event), marks_post([cancelled], **{f"reinstate-{cancelled.pk}": "on"})
    )
    cancelled.refresh_from_db()
    assert cancelled.status == S.ATTENDED


def test_register_refuses_before_the_day_with_a_message(client, trainer):
    future = EventFactory(start=timezone.now() + timedelta(days=3))
    future.trainers.add(trainer)
    booking = BookingFactory(event=future)
    client.force_login(trainer)
    response = client.post(register_url(future), marks_post([booking]))
    assert services.REGISTER_TOO_EARLY in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == S.CONFIRMED


def _post_register_and_count(client, event, trainer, delegates):
    bookings = [BookingFactory(event=event) for _ in range(delegates)]
    client.force_login(trainer)
    client.get(register_url(event))  # warm the session
    with CaptureQueriesContext(connection) as queries:
        response = client.post(register_url(event), marks_post(bookings))
    assert response.status_code == 302
    assert Booking.objects.filter(event=event, status=S.ATTENDED).count() == delegates
    return len(queries)


def test_register_post_runs_in_a_bounded_number_of_queries(
    client, trainer, django_assert_max_num_queries
):
    def event_for_today():
        start = timezone.now() - timedelta(hours=1)
        event = EventFactory(start=start, end=start + timedelta(hours=3), capacity=60)
        event.trainers.add(trainer)
        return event

    small = _post_register_and_count(client, event_for_today(), trainer, 3)
    large = _post_register_and_count(client, event_for_today(), trainer, 40)
    assert large == small
    bookings = [BookingFactory(event=(event := event_for_today())) for _ in range(40)]
    with django_assert_max_num_queries(20):
        client.post(register_url(event), marks_post(bookings, S.NO_SHOW))


def test_walk_in_with_an_existing_account(client, today_event, trainer, practitioner):
    client.force_login(trainer)
    url = reverse("bookings:register_walk_in", args=[today_event.pk])
    client.post(url, {"walk-in-email": practitioner.email.upper(), "walk-in-status": S.ATTENDED})
    booking = Booking.objects.get(event=today_event, person=practitioner)
    assert (booking.status, booking.is_walk_in) == (S.ATTENDED, True)


def test_walk_in_new_to_us_needs_a_name_and_organisation_then_gets_an_account(
    client, today_event, trainer
):
    organisation = OrganisationFactory(name="West Midlands Police")
    client.force_login(trainer)
    url = reverse("bookings:register_walk_in", args=[today_event.pk])
    first = client.post(url, {"walk-in-email": "new@wmp.police.uk", "walk-in-status": S.ATTENDED})
    assert list(first.context["walk_in_form"].errors) == ["full_name"]
    assert 'href="#id_walk-in-full_name"' in first.content.decode()
    no_org = client.post(
        url,
        {
            "walk-in-email": "new@wmp.police.uk",
            "walk-in-full_name": "Nia New",
            "walk-in-status": S.ATTENDED,
        },
    )
    assert list(no_org.context["walk_in_form"].errors) == ["organisation"]
    assert not User.objects.filter(email="new@wmp.police.uk").exists()

    client.post(
        url,
        {
            "walk-in-email": "new@wmp.police.uk",
            "walk-in-full_name": "Nia New",
            "walk-in-organisation": organisation.pk,
            "walk-in-status": S.PARTIAL,
        },
    )
    person = User.objects.get(email="new@wmp.police.uk")
    assert person.organisation == organisation
    assert Booking.objects.get(event=today_event, person=person).status == S.PARTIAL


def test_walk_in_already_on_the_register_is_an_email_field_error(
    client, today_event, trainer, practitioner
):
    BookingFactory(event=today_event, person=practitioner)
    client.force_login(trainer)
    url = reverse("bookings:register_walk_in", args=[today_event.pk])
    response = client.post(url, {"walk-in-email": practitioner.email, "walk-in-status": "attended"})
    assert response.context["walk_in_form"].errors["email"] == [
        services.PERSON_ALREADY_BOOKED.format(person=practitioner)
    ]
    assert "You already have" not in response.content.decode()


def test_print_view_has_a_signature_column(client, today_event, trainer):
    booking = BookingFactory(event=today_event)
    client.force_login(trainer)
    page = client.get(reverse("bookings:register_print", args=[today_event.pk])).content.decode()
    assert "Signature" in page
    assert escape(booking.person.get_full_name()) in page
    # The print styles come from a file: the content security policy refuses inline ones.
    assert "css/print.css" in page
    assert "<style" not in page
