"""Hypothesis fuzzes the booking, cancellation, register and evaluation forms through the client.

Each fuzz test sends at least 200 generated requests: text with unicode and control characters,
very long text, numbers far out of range, wrong types (lists, raw bytes), missing fields, unknown
fields and bogus ids. Whatever arrives, the answer is a page with a status in ALLOWED (never a
500: the test client re-raises any uncaught exception), and the database invariants hold: no
event holds more places than it has, no one holds two active bookings on one event. Each form also
has a round-trip test: valid generated input is stored exactly (after cleaning and the strip).

The data is built once per test; examples either accumulate (so invariants are tested against a
filling event) or run in a savepoint rolled back after each example (so each hits a live form).
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bookings import services as booking_services
from bookings.forms import MARK_CHOICES
from bookings.models import Booking, CancellationReason
from core.text import clean_text
from courses.models import Event
from evaluations import services as evaluation_services
from evaluations.defaults import ensure_default_questionnaires
from evaluations.models import Answer, Item, Response, Stage
from people import roles
from tests.factories import (
    BookingFactory,
    EventFactory,
    OrganisationDomainFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
S = Booking.Status

ALLOWED = {200, 302, 400, 403, 404, 405, 409, 413, 422, 429, 503}
FUZZ = settings(
    max_examples=200,
    derandomize=True,  # the same 200 examples every run: CI must not flake
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
ROUND_TRIP = FUZZ

# --- strategies ----------------------------------------------------------------------------

ANY_CHAR = st.characters(blacklist_categories=("Cs",))  # anything UTF-8 can carry
CONTROL = st.characters(min_codepoint=0, max_codepoint=0x1F) | st.characters(
    min_codepoint=0x7F, max_codepoint=0x9F
)
NASTY = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "%00",
        "null",
        "None",
        "true",
        "-1",
        "0",
        "1e309",
        "NaN",
        "9" * 40,
        "' OR 1=1 --",
        "<script>alert(1)</script>",
        '=HYPERLINK("http://evil.example")',
        "../../etc/passwd",
        "\u202eevil",
        "a@b",
        "@@@",
    ]
)
texts = st.one_of(
    st.text(ANY_CHAR, max_size=40),
    st.text(ANY_CHAR | CONTROL, max_size=40),
    # very long: repeated so generating it stays cheap
    st.builds(
        lambda s, n: s * n, st.text(ANY_CHAR, min_size=1, max_size=3), st.integers(800, 7000)
    ),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.floats().map(str),
    NASTY,
)
values = texts | st.lists(texts, max_size=3)
junk_keys = st.text(
    st.characters(whitelist_categories=("L", "N"), whitelist_characters="-_[]."),
    min_size=1,
    max_size=20,
)


def form_data(fields: list[str]) -> st.SearchStrategy[dict]:
    """Any subset of the form's fields with fuzzed values, plus unknown fields."""
    known = st.fixed_dictionaries({}, optional={name: values for name in fields})
    extra = st.dictionaries(junk_keys, values, max_size=3)
    return st.builds(lambda a, b: {**b, **a}, known, extra)


bogus_ids = st.one_of(
    st.integers(min_value=0, max_value=2**31),
    st.integers(min_value=2**31, max_value=2**80),
)
raw_bodies = st.binary(max_size=300)

# Valid input for the round trips: what a person can type, control characters included (they
# are removed where text comes in, core.text.clean_text, then the forms strip).
typed = st.characters(blacklist_categories=("Cs",))


def stored_as(text: str) -> str:
    """What a form or the evaluation link keeps of typed text."""
    return clean_text(text).strip()


def typed_text(max_size: int, min_size: int = 0) -> st.SearchStrategy[str]:
    return st.text(typed, min_size=min_size, max_size=max_size)


def nonblank_text(max_size: int) -> st.SearchStrategy[str]:
    """Text that is still within max_size and not empty once stripped."""
    return typed_text(max_size, min_size=1).filter(lambda t: stored_as(t))


# A line manager's address must be on a partner's domain (booking_world's, issue 12.4).
PARTNER_DOMAINS = ("dudley.gov.uk", "wmp.police.uk", "nhs.net")
manager_emails = st.from_regex(
    r"[a-z]{1,12}(\.[a-z]{1,12})?@(dudley\.gov\.uk|wmp\.police\.uk|nhs\.net)", fullmatch=True
)


# --- helpers -------------------------------------------------------------------------------


@contextmanager
def rolled_back():
    """One example's changes, undone afterwards (a savepoint inside the test's transaction)."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def post(client, url, data, raw: bytes | None = None):
    if raw is not None:
        response = client.post(url, raw, content_type="application/x-www-form-urlencoded")
    else:
        response = client.post(url, data)
    assert response.status_code in ALLOWED, (response.status_code, data)
    return response


def assert_invariants():
    """No event over capacity; no one with two active bookings on one event."""
    for event in Event.objects.all():
        held = event.bookings.filter(status__in=Booking.HOLDS_PLACE).count()
        assert held <= event.capacity, f"{event} holds {held} of {event.capacity} places"
    doubles = (
        Booking.objects.filter(status__in=Booking.ACTIVE)
        .values("event_id", "person_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert not doubles.exists(), list(doubles)


@pytest.fixture(autouse=True)
def _no_emails(monkeypatch):
    """After-commit work never runs inside the test's transaction; keep it that way."""
    monkeypatch.setattr("django.db.transaction.on_commit", lambda func, *a, **k: None)


# --- booking -------------------------------------------------------------------------------

BOOKING_FIELDS = ["line_manager_name", "line_manager_email", "access_needs", "dietary_needs"]


@pytest.fixture
def booking_world(db):
    organisation = OrganisationFactory(name="Dudley Council")
    for domain in PARTNER_DOMAINS:
        OrganisationDomainFactory(organisation=organisation, domain=domain)
    people = [UserFactory(organisation=organisation) for _ in range(5)]
    event = EventFactory(capacity=2, start=timezone.now() + timedelta(days=20))
    return {"people": people, "event": event}


def test_fuzzed_booking_form_never_500s_nor_overbooks(client, booking_world):
    people, event = booking_world["people"], booking_world["event"]

    @FUZZ
    @given(
        who=st.integers(0, len(people) - 1),
        event_id=st.one_of(st.just(event.pk), bogus_ids),
        data=form_data(BOOKING_FIELDS),
        raw=st.none() | raw_bodies,
    )
    def run(who, event_id, data, raw):
        client.force_login(people[who])
        post(client, reverse("bookings:book", args=[event_id]), data, raw)
        assert_invariants()  # examples accumulate: five people, two places

    run()
    assert event.bookings.filter(status__in=Booking.ACTIVE).exists()


@ROUND_TRIP
@given(
    name=typed_text(200),
    email=manager_emails,
    access=typed_text(3000),
    dietary=typed_text(300),
)
def test_valid_booking_details_are_stored_as_typed(
    client, booking_world, name, email, access, dietary
):
    person, event = booking_world["people"][0], booking_world["event"]
    client.force_login(person)
    data = {
        "line_manager_name": name,
        "line_manager_email": email,
        "access_needs": access,
        "dietary_needs": dietary,
    }
    with rolled_back():
        response = post(client, reverse("bookings:book", args=[event.pk]), data)
        assert response.status_code == 302, response.context["form"].errors
        booking = Booking.objects.get(event=event, person=person, status__in=Booking.ACTIVE)
        stored = (
            booking.line_manager_name,
            booking.line_manager_email,
            booking.access_needs,
            booking.dietary_needs,
        )
        assert stored == (stored_as(name), email, stored_as(access), stored_as(dietary))


# --- cancellation --------------------------------------------------------------------------


@pytest.fixture
def cancel_world(db):
    """A full event (one place) with someone waiting, so a cancellation offers the place."""
    event = EventFactory(capacity=1, start=timezone.now() + timedelta(days=20))
    holder, waiter = UserFactory(), UserFactory()
    held = booking_services.booking_create(event=event, person=holder)
    booking_services.booking_create(event=event, person=waiter)
    reasons = [
        CancellationReason.objects.create(label="Work capacity"),
        CancellationReason.objects.create(label="Other", needs_detail=True),
        CancellationReason.objects.create(label="Retired", is_active=False),
    ]
    return {"event": event, "holder": holder, "booking": held, "reasons": reasons}


def test_fuzzed_cancellation_form_never_500s_nor_overbooks(client, cancel_world):
    booking, reasons = cancel_world["booking"], cancel_world["reasons"]
    client.force_login(cancel_world["holder"])
    reason_values = st.sampled_from([str(r.pk) for r in reasons]) | values

    @FUZZ
    @given(
        booking_id=st.one_of(st.just(booking.pk), bogus_ids),
        data=form_data(["detail"]),
        reason=st.none() | reason_values,
        raw=st.none() | raw_bodies,
    )
    def run(booking_id, data, reason, raw):
        if reason is not None:
            data["reason"] = reason
        with rolled_back():
            post(client, reverse("bookings:cancel", args=[booking_id]), data, raw)
            assert_invariants()
            current = Booking.objects.get(pk=booking.pk)
            if current.status == S.CANCELLED:
                assert current.cancellation_reason in reasons[:2]
                assert len(current.cancellation_detail) <= 300

    run()


@ROUND_TRIP
@given(which=st.integers(0, 1), detail=typed_text(300))
def test_valid_cancellation_is_stored_as_typed(client, cancel_world, which, detail):
    booking, reason = cancel_world["booking"], cancel_world["reasons"][which]
    client.force_login(cancel_world["holder"])
    with rolled_back():
        response = post(
            client,
            reverse("bookings:cancel", args=[booking.pk]),
            {"reason": reason.pk, "detail": detail},
        )
        booking.refresh_from_db()
        if reason.needs_detail and not stored_as(detail):
            assert response.status_code == 200 and booking.status == S.CONFIRMED
            return
        assert response.status_code == 302
        assert booking.status == S.CANCELLED
        assert (booking.cancellation_reason, booking.cancellation_detail) == (
            reason,
            stored_as(detail),
        )
        waiting = Booking.objects.get(event=booking.event, status=S.OFFERED)
        assert waiting.offer_key  # the freed place went to the next in line


# --- register ------------------------------------------------------------------------------


@pytest.fixture
def register_world(db):
    """Today's event run by the trainer: four delegates, one of whom cancelled."""
    trainer = UserFactory(roles=[roles.TRAINER])
    start = timezone.now() - timedelta(minutes=30)
    event = EventFactory(capacity=10, start=start, end=start + timedelta(hours=3))
    event.trainers.add(trainer)
    bookings = [BookingFactory(event=event) for _ in range(3)]
    bookings.append(BookingFactory(event=event, status=S.CANCELLED))
    reasons = [
        CancellationReason.objects.create(label="Sickness"),
        CancellationReason.objects.create(label="Work", use=CancellationReason.Use.NON_ATTENDANCE),
    ]
    return {"trainer": trainer, "event": event, "bookings": bookings, "reasons": reasons}


def test_fuzzed_register_never_500s(client, register_world):
    event, bookings = register_world["event"], register_world["bookings"]
    client.force_login(register_world["trainer"])
    ids = [b.pk for b in bookings]
    row_ids = st.sampled_from(ids) | bogus_ids
    keys = st.builds(
        lambda kind, pk: f"{kind}-{pk}", st.sampled_from(["status", "reason", "reinstate"]), row_ids
    )
    mark_values = (
        st.sampled_from([m for m, _ in MARK_CHOICES] + ["confirmed", "cancelled", "on"])
        | st.sampled_from([str(r.pk) for r in register_world["reasons"]])
        | values
    )

    @FUZZ
    @given(
        event_id=st.one_of(st.just(event.pk), bogus_ids),
        marks=st.dictionaries(keys, mark_values, max_size=8),
        extra=form_data([]),
        raw=st.none() | raw_bodies,
    )
    def run(event_id, marks, extra, raw):
        post(client, reverse("bookings:register", args=[event_id]), {**extra, **marks}, raw)
        assert_invariants()  # marks accumulate across examples
        for booking in Booking.objects.filter(event=event):
            if booking.status in (S.ATTENDED, S.PARTIAL):
                assert booking.non_attendance_reason_id is None

    run()


@ROUND_TRIP
@given(data=st.data())
def test_valid_register_marks_are_stored_exactly(client, register_world, data):
    on_register = register_world["bookings"][:3]
    reasons = register_world["reasons"]
    client.force_login(register_world["trainer"])
    wanted, form = {}, {}
    for booking in on_register:
        status = data.draw(st.sampled_from(["", *(m for m, _ in MARK_CHOICES)]))
        reason = data.draw(st.sampled_from(["", *(str(r.pk) for r in reasons)]))
        form[f"status-{booking.pk}"] = status
        form[f"reason-{booking.pk}"] = reason
        if status:
            wanted[booking.pk] = (status, int(reason) if reason and status == S.NO_SHOW else None)
        else:
            wanted[booking.pk] = (S.CONFIRMED, None)
    url = reverse("bookings:register", args=[register_world["event"].pk])
    with rolled_back():
        assert post(client, url, form).status_code == 302
        stored = {
            b.pk: (b.status, b.non_attendance_reason_id)
            for b in Booking.objects.filter(pk__in=wanted)
        }
        assert stored == wanted


# --- evaluation ----------------------------------------------------------------------------


@pytest.fixture
def evaluation_world(db):
    """An attended booking's post-course invitation: rating, choice and text questions."""
    ensure_default_questionnaires()
    start = timezone.now() - timedelta(days=2)
    event = EventFactory(start=start, end=start + timedelta(hours=3), status="delivered")
    booking = BookingFactory(event=event, status=S.ATTENDED)
    invitation = evaluation_services.invitation_create(booking=booking, stage=Stage.POST)
    items = list(invitation.questionnaire.items.all())
    assert {i.kind for i in items} >= {Item.Kind.RATING, Item.Kind.TEXT}
    token = evaluation_services.invitation_link_token(invitation)
    return {
        "invitation": invitation,
        "items": items,
        "url": reverse("evaluations:answer", args=[token]),
    }


def _options(item) -> list[str]:
    return [c.strip() for c in item.choices.splitlines() if c.strip()]


def test_fuzzed_evaluation_answers_never_500_and_store_only_valid_answers(client, evaluation_world):
    items, url = evaluation_world["items"], evaluation_world["url"]
    names = [f"item-{i.id}" for i in items]
    answer_values = (
        st.sampled_from(["1", "2", "3", "4", "5", " 5 ", "6", "0", "4.5"])
        | st.sampled_from([o for i in items for o in _options(i)] or ["(no options)"])
        | values
    )

    @FUZZ
    @given(
        answers=st.fixed_dictionaries({}, optional={n: answer_values for n in names}),
        extra=form_data(["submit", "save"]),
        submit=st.booleans(),
        tampered=st.booleans(),
        raw=st.none() | raw_bodies,
    )
    def run(answers, extra, submit, tampered, raw):
        data = {**extra, **answers, **({"submit": "1"} if submit else {})}
        target = url[:-3] + "xx/" if tampered else url
        with rolled_back():
            post(client, target, data, raw)
            for answer in Answer.objects.select_related("item"):
                if answer.item.kind == Item.Kind.RATING:
                    assert answer.rating in (1, 2, 3, 4, 5)
                elif answer.item.kind == Item.Kind.CHOICE:
                    assert answer.choice in _options(answer.item)
                else:
                    assert 0 < len(answer.text) <= 5000 and answer.text == answer.text.strip()

    run()


@ROUND_TRIP
@given(data=st.data())
def test_valid_evaluation_answers_are_stored_as_given(client, evaluation_world, data):
    items, url = evaluation_world["items"], evaluation_world["url"]
    form, wanted = {"submit": "1"}, {}
    for item in items:
        if item.kind == Item.Kind.RATING:
            value = data.draw(st.sampled_from(["1", "2", "3", "4", "5"]))
            wanted[item.id] = (int(value), "", "")
        elif item.kind == Item.Kind.CHOICE:
            value = data.draw(st.sampled_from(_options(item)))
            wanted[item.id] = (None, value, "")
        else:
            value = data.draw(nonblank_text(5000) if item.required else typed_text(5000))
            if stored_as(value):
                wanted[item.id] = (None, "", stored_as(value))
        form[f"item-{item.id}"] = value
    with rolled_back():
        response = post(client, url, form)
        assert response.status_code == 200 and b"Thank you" in response.content
        answer_rows = Answer.objects.filter(response__invitation=evaluation_world["invitation"])
        stored = {a.item_id: (a.rating, a.choice, a.text) for a in answer_rows}
        assert stored == wanted
        assert Response.objects.get(invitation=evaluation_world["invitation"]).submitted_at
