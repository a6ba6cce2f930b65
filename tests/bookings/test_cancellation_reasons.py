"""The L&D lead's cancellation reasons at /manage/cancellation-reasons/: list, add, edit, retire
and reinstate; labels unique whatever their case; never deleted, a retired one no longer offered
but kept on the bookings that gave it."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from bookings.forms import CancelForm
from bookings.models import Booking, CancellationReason
from bookings.reasons import (
    REASON_LABEL_REQUIRED,
    REASON_LABEL_TAKEN,
    cancellation_reason_list,
    cancellation_reason_save,
)
from tests.factories import BookingFactory

pytestmark = pytest.mark.django_db

LIST = reverse("cancellation_reasons:list")
ADD = reverse("cancellation_reasons:create")


def _data(**changes) -> dict:
    return {"label": "Illness", "use": "both", "order": "1", "is_active": "on"} | changes


def test_the_lead_adds_a_reason_that_asks_for_more(client, lead):
    client.force_login(lead)
    response = client.post(
        ADD, _data(label="  Other   reason ", use="cancellation", needs_detail="on", order="9")
    )
    assert response.status_code == 302 and response["Location"] == LIST
    reason = CancellationReason.objects.get(label="Other reason")
    assert (reason.use, reason.needs_detail, reason.order, reason.is_active) == (
        "cancellation",
        True,
        9,
        True,
    )
    assert "Other reason" in client.get(LIST).content.decode()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (_data(label=""), "label", REASON_LABEL_REQUIRED),
        (_data(label="SICKNESS"), "label", REASON_LABEL_TAKEN),
        (_data(order="-1"), "order", "Enter a whole number, 0 or more"),
        (_data(use="whenever"), "use", None),
    ],
)
def test_a_refused_reason_names_the_field(client, lead, data, field, message):
    CancellationReason.objects.create(label="Sickness")
    client.force_login(lead)
    response = client.post(ADD, data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    if message:
        assert errors[field] == [message]
    assert CancellationReason.objects.count() == 1


def test_the_service_refuses_a_label_taken_in_another_case(lead):
    CancellationReason.objects.create(label="Sickness")
    with pytest.raises(ValidationError) as refused:
        cancellation_reason_save(reason=CancellationReason(label=" sickness"), actor=lead)
    assert refused.value.message_dict == {"label": [REASON_LABEL_TAKEN]}


def test_retiring_stops_offering_it_and_keeps_it_on_bookings(client, lead):
    reason = CancellationReason.objects.create(label="Workload", use="cancellation")
    booking = BookingFactory(status=Booking.Status.CANCELLED, cancellation_reason=reason)
    assert reason in CancelForm().fields["reason"].queryset
    client.force_login(lead)
    url = reverse("cancellation_reasons:edit", args=[reason.pk])
    response = client.post(url, _data(label="Workload", use="cancellation", is_active=""))
    assert response.status_code == 302
    reason.refresh_from_db()
    assert not reason.is_active
    assert reason not in CancelForm().fields["reason"].queryset
    booking.refresh_from_db()
    assert booking.cancellation_reason_id == reason.pk
    page = client.get(LIST).content.decode()
    assert "Retired" in page
    # Reinstated: offered again.
    client.post(url, _data(label="Workload", use="cancellation"))
    reason.refresh_from_db()
    assert reason.is_active and reason in CancelForm().fields["reason"].queryset


def test_the_list_counts_the_bookings_that_give_each_reason(django_assert_max_num_queries):
    used = CancellationReason.objects.create(label="Workload", order=1)
    CancellationReason.objects.create(label="Unused", order=2)
    BookingFactory(status=Booking.Status.CANCELLED, cancellation_reason=used)
    BookingFactory(status=Booking.Status.NO_SHOW, non_attendance_reason=used)
    with django_assert_max_num_queries(3):
        counts = {r.label: r.booking_count for r in cancellation_reason_list()}
    assert counts == {"Workload": 2, "Unused": 0}


def test_the_pages_offer_no_way_to_delete_a_reason(client, lead):
    reason = CancellationReason.objects.create(label="Workload")
    client.force_login(lead)
    url = reverse("cancellation_reasons:edit", args=[reason.pk])
    assert "delete" not in client.get(url).content.decode().lower()
    assert client.delete(url).status_code == 405
    assert CancellationReason.objects.filter(pk=reason.pk).exists()


def test_only_the_lead_may_use_the_pages(client, practitioner, trainer, org_manager):
    for person in (practitioner, trainer, org_manager):
        client.force_login(person)
        assert client.get(LIST).status_code == 403
        assert client.post(ADD, _data(label="Sneaky")).status_code == 403
    assert not CancellationReason.objects.filter(label="Sneaky").exists()
