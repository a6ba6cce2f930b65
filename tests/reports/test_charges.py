from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings.models import Booking, CancellationReason
from reports.charges import charges_by_organisation
from tests.factories import BookingFactory, EventFactory, OrganisationFactory

pytestmark = pytest.mark.django_db
S = Booking.Status


@pytest.fixture
def charging(settings):
    settings.CHARGE_NO_SHOW = 50
    settings.CHARGE_LATE_CANCELLATION = 25


@pytest.fixture
def year(organisation):
    start = timezone.now() - timedelta(days=30)
    delivered = EventFactory(start=start, end=start + timedelta(hours=3), status="delivered")
    called_off = EventFactory(start=start, end=start + timedelta(hours=3), status="cancelled")
    other = OrganisationFactory(name="West Midlands Police")
    sick = CancellationReason.objects.create(label="Sickness")
    made = {
        "unexplained": BookingFactory(event=delivered, organisation=organisation, status=S.NO_SHOW),
        "explained": BookingFactory(
            event=delivered,
            organisation=organisation,
            status=S.NO_SHOW,
            non_attendance_reason=sick,
        ),
        "late": BookingFactory(
            event=delivered, organisation=other, status=S.CANCELLED, cancelled_late=True
        ),
        "on_time": BookingFactory(event=delivered, organisation=other, status=S.CANCELLED),
        "event_called_off": BookingFactory(event=called_off, organisation=other, status=S.NO_SHOW),
    }
    return delivered, made, other


def test_charges_count_unexplained_no_shows_and_late_cancellations_only(
    charging, year, organisation
):
    delivered, made, other = year
    day = timezone.localdate(delivered.start)
    rows = charges_by_organisation(start=day, end=day)
    assert rows == [
        {"organisation": organisation.name, "no_shows": 1, "late": 0, "charge": 50.0},
        {"organisation": other.name, "no_shows": 0, "late": 1, "charge": 25.0},
    ]


def test_organisation_manager_sees_only_their_own_charges(client, charging, year, org_manager):
    delivered, made, other = year
    day = timezone.localdate(delivered.start).isoformat()
    client.force_login(org_manager)
    page = client.get(reverse("reports:charges"), {"start": day, "end": day})
    assert page.status_code == 200
    assert b"50.00" in page.content and other.name.encode() not in page.content


def test_lead_downloads_the_charges_as_csv(client, charging, year, lead):
    delivered, made, other = year
    day = timezone.localdate(delivered.start).isoformat()
    client.force_login(lead)
    response = client.get(reverse("reports:charges"), {"start": day, "end": day, "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert "West Midlands Police,0,1,25.0" in response.content.decode()


def test_without_charges_configured_the_page_says_so(client, year, lead):
    client.force_login(lead)
    page = client.get(reverse("reports:charges"))
    assert b"does not charge" in page.content


def test_practitioners_cannot_see_charges(client, practitioner):
    client.force_login(practitioner)
    assert client.get(reverse("reports:charges")).status_code == 403
