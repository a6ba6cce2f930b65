"""The certificate as a PDF, and the public page that checks a certificate's reference (issue 17).

The PDF is read back with pdftotext (poppler), as a person's PDF reader would show it."""

import shutil
import subprocess
from datetime import datetime

import pytest
from django.urls import reverse

from bookings.certificates import (
    booking_id_from_reference,
    certificate_hours,
    certificate_reference,
)
from bookings.models import Booking
from core.clock import LONDON
from tests.factories import BookingFactory, EventFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db
S = Booking.Status


@pytest.fixture(autouse=True)
def _given(settings):
    settings.EVAL_CERTIFICATE_NEEDS_POST = False  # the gate is tested in tests/evaluations
    settings.PARTNERSHIP_NAME = "Dudley Safeguarding People Partnership"
    settings.SITE_URL = "https://training.example.org"


@pytest.fixture
def attended():
    event = EventFactory(
        start=datetime(2025, 6, 11, 9, 30, tzinfo=LONDON),
        end=datetime(2025, 6, 11, 16, 0, tzinfo=LONDON),
        status="delivered",
        course__title="Exploitation: recognising and responding to criminal exploitation",
        course__competency_level=3,
    )
    person = UserFactory(
        full_name="Zoë Ó Súilleabháin",
        email="zoe@dudley.gov.uk",
        organisation=OrganisationFactory(name="Dudley Council"),
    )
    return BookingFactory(event=event, person=person, status=S.ATTENDED)


def pdf_text(content: bytes, tmp_path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "certificate.pdf"
    path.write_bytes(content)
    out = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return " ".join(out.stdout.split())


def test_the_pdf_states_everything_a_certificate_must(client, attended, tmp_path):
    client.force_login(attended.person)
    response = client.get(reverse("bookings:certificate_pdf", args=[attended.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    reference = certificate_reference(attended)
    assert reference in response["Content-Disposition"]
    text = pdf_text(response.content, tmp_path)
    verify = f"https://training.example.org/certificates/verify/{reference}/"
    for expected in [
        "Dudley Safeguarding People Partnership",
        "Certificate of attendance",
        "Zoë Ó Súilleabháin",
        "Dudley Council",
        "Exploitation: recognising and responding to criminal exploitation",
        "Wednesday 11 June 2025",
        "09:30 to 16:00",
        "CPD hours 6 hours 30 minutes",
        "Level " + attended.event.course.get_competency_level_display(),
        "Reference " + reference,
        verify,
    ]:
        assert expected in text, expected


def test_the_pdf_links_to_its_verify_page(client, attended):
    client.force_login(attended.person)
    content = client.get(reverse("bookings:certificate_pdf", args=[attended.pk])).content
    assert f"/certificates/verify/{certificate_reference(attended)}/".encode() in content  # /URI


def test_hours_come_from_one_function(attended):
    assert certificate_hours(attended) == attended.event.duration


def test_no_pdf_for_someone_else_or_a_partial_attendance(client, attended):
    other = UserFactory()
    client.force_login(other)
    assert client.get(reverse("bookings:certificate_pdf", args=[attended.pk])).status_code == 404
    attended.status = S.PARTIAL
    attended.save()
    client.force_login(attended.person)
    assert client.get(reverse("bookings:certificate_pdf", args=[attended.pk])).status_code == 404


def test_the_verify_page_confirms_name_course_and_date_and_nothing_more(client, attended):
    response = client.get(f"/certificates/verify/{certificate_reference(attended)}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "This certificate is genuine" in page
    assert "Zoë Ó Súilleabháin" in page
    assert "Exploitation: recognising and responding to criminal exploitation" in page
    assert "Wednesday 11 June 2025" in page
    assert "zoe@dudley.gov.uk" not in page
    assert "Dudley Council" not in page  # the employer is not the checker's business
    assert "6 hours" not in page  # nor anything else on the certificate


@pytest.mark.parametrize(
    "mangle",
    [
        lambda ref: ref[:-1] + ("0" if ref[-1] != "0" else "1"),  # the code altered
        lambda ref: ref.replace(f"-{ref.split('-')[1]}-", "-999999-"),  # another booking's id
        lambda ref: "LL-1",  # the old unsigned reference
        lambda ref: "not-a-reference",
    ],
)
def test_a_forged_reference_is_not_found(client, attended, mangle):
    forged = mangle(certificate_reference(attended))
    response = client.get(f"/certificates/verify/{forged}/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Certificate not found" in page
    assert "Zoë" not in page


def test_another_bookings_code_does_not_verify_this_booking(attended):
    other = BookingFactory(status=S.ATTENDED)
    code = certificate_reference(other).split("-")[2]
    assert booking_id_from_reference(f"LL-{attended.pk}-{code}") is None
    assert booking_id_from_reference(certificate_reference(attended)) == attended.pk


def test_a_certificate_no_longer_earned_no_longer_verifies(client, attended):
    reference = certificate_reference(attended)
    attended.status = S.NO_SHOW
    attended.save()
    assert client.get(f"/certificates/verify/{reference}/").status_code == 404


def test_the_html_certificate_shows_the_reference_and_uses_no_inline_style(client, attended):
    client.force_login(attended.person)
    page = client.get(reverse("bookings:certificate", args=[attended.pk])).content.decode()
    assert certificate_reference(attended) in page
    assert "/certificates/verify/" in page
    assert "<style" not in page  # blocked by the Content-Security-Policy (style-src 'self')
    assert "css/certificate.css" in page
    assert reverse("bookings:certificate_pdf", args=[attended.pk]) in page
