"""The lead's page for one event (/manage/events/<id>/): what it shows, its buttons and forms,
and that only the lead may use it."""

from datetime import timedelta

import pytest
from django.urls import reverse

from bookings import services
from bookings.models import Booking, EventMessage
from evaluations.models import Invitation
from messaging.models import OutboundEmail
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
def full(event, make_person):
    """The event (2 places) full, and three waiting in order."""
    booked = [services.booking_create(event=event, person=make_person()) for _ in range(2)]
    waiting = [services.booking_create(event=event, person=make_person()) for _ in range(3)]
    return booked, waiting


def _url(name, event, *args):
    return reverse(f"event_manage:{name}", args=[event.pk, *args])


def test_only_the_lead_may_open_the_page_or_use_its_actions(
    client, event, full, practitioner, trainer, lead
):
    _booked, waiting = full
    event.trainers.add(trainer)
    gets = [
        _url("page", event),
        _url("message", event),
        _url("waitlist_remove", event, waiting[0].pk),
    ]
    posts = [
        (_url("waitlist_move", event, waiting[1].pk), {"direction": "up", "position": 2}),
        (_url("waitlist_offer", event, waiting[0].pk), {}),
        (_url("waitlist_remove", event, waiting[0].pk), {}),
        (_url("delegates_move", event), {}),
        (_url("message", event), {"audience": "booked", "subject": "Hi", "body": "Text"}),
    ]
    for user in (practitioner, trainer):
        client.force_login(user)
        assert [client.get(url).status_code for url in gets] == [403] * len(gets)
        assert [client.post(url, data).status_code for url, data in posts] == [403] * len(posts)
    assert not EventMessage.objects.exists()
    assert (
        list(
            Booking.objects.filter(pk__in=[w.pk for w in waiting]).values_list("status", flat=True)
        )
        == [S.WAITLISTED] * 3
    )
    client.logout()
    assert client.get(gets[0]).status_code == 302  # to sign in
    client.force_login(lead)
    assert client.get(gets[0]).status_code == 200


def test_the_page_lists_delegates_with_their_needs_and_filters_by_status(client, event, lead):
    org = OrganisationFactory(name="Sandwell Council")
    needs = BookingFactory(
        event=event,
        person=UserFactory(full_name="Ada Able", organisation=org),
        access_needs="Hearing loop, please",
        dietary_needs="Vegan",
    )
    gone = BookingFactory(event=event, person=UserFactory(full_name="Ben Gone"), status=S.CANCELLED)
    client.force_login(lead)
    page = client.get(_url("page", event)).content.decode()
    for text in ("Ada Able", "Sandwell Council", "Hearing loop, please", "Vegan", "Ben Gone"):
        assert text in page
    assert needs.created_at.strftime("%Y") in page
    only_cancelled = client.get(_url("page", event), {"status": S.CANCELLED}).content.decode()
    assert "Ben Gone" in only_cancelled and "Ada Able" not in only_cancelled
    assert gone.pk
    nonsense = client.get(_url("page", event), {"status": "nonsense"}).content.decode()
    assert "Ada Able" in nonsense and "Ben Gone" in nonsense


def test_the_page_shows_the_waiting_list_in_order_with_its_buttons(client, event, full, lead):
    _booked, waiting = full
    services.waitlist_move(booking=waiting[2], up=True, position=3, actor=lead)
    client.force_login(lead)
    page = client.get(_url("page", event)).content.decode()
    names = [w.person.get_full_name() for w in (waiting[0], waiting[2], waiting[1])]
    at = [page.index(f'Move down<span class="govuk-visually-hidden"> {n}') for n in names[:2]]
    assert at == sorted(at)
    assert page.index(names[0]) < page.index(names[1]) < page.index(names[2])
    assert f'Move up<span class="govuk-visually-hidden"> {names[0]}' not in page  # first
    assert "Offer now" in page
    assert reverse("bookings:book_for", args=[event.pk]) in page
    assert reverse("bookings:event_cancel", args=[event.pk]) in page
    assert reverse("evaluations:event_returns", args=[event.pk]) in page


def test_move_up_button_reorders_and_a_stale_one_says_why(client, event, full, lead):
    _booked, waiting = full
    client.force_login(lead)
    url = _url("waitlist_move", event, waiting[2].pk)
    response = client.post(url, {"direction": "up", "position": 3}, follow=True)
    assert response.redirect_chain[-1][0].endswith("#waiting-list")
    assert "is now number 2 on the waiting list" in response.content.decode()
    stale = client.post(url, {"direction": "up", "position": 3}, follow=True)
    assert services.WAITLIST_STALE in stale.content.decode()
    junk = client.post(url, {"direction": "sideways", "position": "x"}, follow=True)
    assert junk.status_code == 200 and services.WAITLIST_STALE in junk.content.decode()
    waiting_now = Booking.objects.filter(event=event, status=S.WAITLISTED)
    order = [b.pk for b in waiting_now.order_by("waitlist_rank")]
    assert order == [waiting[0].pk, waiting[2].pk, waiting[1].pk]


def test_offer_now_on_a_full_event_says_why_not(client, event, full, lead):
    _booked, waiting = full
    client.force_login(lead)
    response = client.post(_url("waitlist_offer", event, waiting[1].pk), follow=True)
    assert "No place is free: all 2 places are booked or offered." in response.content.decode()
    assert Booking.objects.get(pk=waiting[1].pk).status == S.WAITLISTED


def test_offer_now_offers_a_free_place(client, lead):
    dudley = OrganisationFactory()
    event = EventFactory(capacity=2, places_per_organisation=1)
    BookingFactory(event=event, person=UserFactory(organisation=dudley))
    waiting = BookingFactory(
        event=event, person=UserFactory(organisation=dudley), status=S.WAITLISTED
    )
    client.force_login(lead)
    page = client.get(_url("page", event)).content.decode()
    assert "1 place free, held back" in page
    response = client.post(_url("waitlist_offer", event, waiting.pk), follow=True)
    assert "is offered a place, open until" in response.content.decode()
    assert Booking.objects.get(pk=waiting.pk).status == S.OFFERED
    assert OutboundEmail.objects.filter(booking=waiting, purpose="waitlist_offer").exists()


def test_remove_asks_first_then_takes_them_off_and_emails_them(client, event, full, lead):
    _booked, waiting = full
    client.force_login(lead)
    url = _url("waitlist_remove", event, waiting[0].pk)
    confirm = client.get(url)
    assert "off the waiting list?" in confirm.content.decode()
    assert Booking.objects.get(pk=waiting[0].pk).status == S.WAITLISTED
    done = client.post(url, follow=True)
    assert "is taken off the waiting list" in done.content.decode()
    assert Booking.objects.get(pk=waiting[0].pk).status == S.CANCELLED
    assert OutboundEmail.objects.filter(booking=waiting[0], purpose="waitlist_removed").exists()
    again = client.get(url, follow=True)
    assert "no longer on the waiting list" in again.content.decode()


def test_a_booking_of_another_event_is_not_found(client, event, lead):
    elsewhere = BookingFactory(status=S.WAITLISTED)
    client.force_login(lead)
    assert client.post(_url("waitlist_offer", event, elsewhere.pk)).status_code == 404
    assert client.get(_url("waitlist_remove", event, elsewhere.pk)).status_code == 404
    assert client.get(reverse("event_manage:page", args=[999999])).status_code == 404


def test_moving_several_delegates_at_once(client, event, lead):
    event.capacity = 3
    event.save()
    booked = [BookingFactory(event=event) for _ in range(3)]
    later = EventFactory(course=event.course, start=event.start + timedelta(days=7), capacity=4)
    EventFactory(course=event.course, start=event.start + timedelta(days=9), capacity=1)
    full_date = EventFactory(course=event.course, start=event.start + timedelta(days=8), capacity=1)
    BookingFactory(event=full_date)
    other_course = EventFactory(start=event.start + timedelta(days=7))
    client.force_login(lead)
    page = client.get(_url("page", event)).content.decode()
    assert f'value="{later.pk}"' in page and "(4 places free)" in page
    assert f'value="{full_date.pk}"' not in page and f'value="{other_course.pk}"' not in page

    url = _url("delegates_move", event)
    nobody = client.post(url, {"to_event": later.pk})
    assert nobody.context["form"].errors["bookings"] == ["Choose the delegates to move"]
    assert 'href="#id_bookings_0"' in nobody.content.decode()
    gone = BookingFactory(event=event, status=S.CANCELLED)
    stale = client.post(url, {"bookings": [booked[0].pk, gone.pk], "to_event": later.pk})
    assert stale.context["form"].errors["bookings"] == [
        "Someone chosen no longer has a place here: check the list and choose again"
    ]
    wrong = client.post(url, {"bookings": [booked[0].pk], "to_event": other_course.pk})
    assert list(wrong.context["form"].errors) == ["to_event"]
    assert Booking.objects.filter(event=event, status=S.CONFIRMED).count() == 3

    response = client.post(url, {"bookings": [b.pk for b in booked[:2]], "to_event": later.pk})
    assert response.status_code == 302 and response["Location"].endswith("#delegates")
    assert Booking.objects.filter(event=later, status=S.CONFIRMED).count() == 2
    assert Booking.objects.filter(event=event, status=S.MOVED).count() == 2


def test_a_move_refused_for_one_person_moves_nobody_and_says_who(client, event, lead):
    event.capacity = 3
    event.save()
    booked = [BookingFactory(event=event) for _ in range(2)]
    later = EventFactory(course=event.course, start=event.start + timedelta(days=7), capacity=4)
    BookingFactory(event=later, person=booked[1].person)
    client.force_login(lead)
    response = client.post(
        _url("delegates_move", event),
        {"bookings": [b.pk for b in booked], "to_event": later.pk},
    )
    errors = response.context["form"].errors["bookings"]
    assert str(booked[1].person) in errors[0] and "No one was moved" in errors[0]
    assert Booking.objects.filter(event=event, status=S.CONFIRMED).count() == 2


def test_the_lead_messages_everyone_booked_and_sees_the_record(
    client, event, full, lead, mailoutbox, django_capture_on_commit_callbacks
):
    booked, _waiting = full
    client.force_login(lead)
    form = client.get(_url("message", event), {"audience": "booked"}).content.decode()
    assert (
        "Everyone booked (2 people)" in form and "Everyone on the waiting list (3 people)" in form
    )
    empty = client.post(_url("message", event), {"audience": "booked", "subject": "", "body": ""})
    assert set(empty.context["form"].errors) == {"subject", "body"}
    assert not EventMessage.objects.exists()
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _url("message", event),
            {"audience": "booked", "subject": "Parking", "body": "Use the back entrance."},
        )
    assert response.status_code == 302 and response["Location"].endswith("#messages")
    assert sorted(m.to[0] for m in mailoutbox) == sorted(b.person.email for b in booked)
    page = client.get(_url("page", event)).content.decode()
    assert "Parking" in page and "Use the back entrance." in page
    assert "Everyone booked (2)" in page and "2 sent, 0 waiting, 0 failed" in page


def test_the_page_shows_the_evaluation_returns(client, lead):
    from evaluations.defaults import ensure_default_questionnaires

    questionnaires = ensure_default_questionnaires()
    event = EventFactory()
    bookings = [BookingFactory(event=event, status=S.ATTENDED) for _ in range(3)]
    for number, booking in enumerate(bookings[:2]):
        Invitation.objects.create(
            booking=booking,
            stage="post",
            questionnaire=questionnaires["post"],
            key=f"key-{number}",
            created_at=event.start,
            expires_at=event.start + timedelta(days=30),
        )
    client.force_login(lead)
    page = client.get(_url("page", event)).content.decode()
    assert "Evaluation returns" in page
    assert "0 of 2 returned" in page and "None due yet" in page
    assert reverse("evaluations:event_returns", args=[event.pk]) in page


def test_the_page_reads_in_a_fixed_number_of_queries(
    client, event, full, lead, django_assert_max_num_queries
):
    client.force_login(lead)
    client.get(_url("page", event))
    with django_assert_max_num_queries(25):
        client.get(_url("page", event))


def test_book_for_and_cancel_the_event_come_back_to_this_page(client, event, lead, practitioner):
    client.force_login(lead)
    booked = client.post(
        reverse("bookings:book_for", args=[event.pk]), {"email": practitioner.email}
    )
    assert booked["Location"] == _url("page", event)
    cancelled = client.post(
        reverse("bookings:event_cancel", args=[event.pk]), {"reason": "Trainer unwell"}
    )
    assert cancelled["Location"] == _url("page", event)
    page = client.get(_url("page", event)).content.decode()
    assert "This event was cancelled. Trainer unwell" in page
    assert "Cancel this event" not in page and "Book someone on this event" not in page
