"""import_history: the command's contract (issue 5), the all-or-nothing rule, re-import, uploads."""

import io
import shutil
import zipfile
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bookings.models import Booking, CancellationReason, Enrolment
from courses.models import Course, Event, PriorityArea
from evaluations.models import Answer, Invitation, Response
from imports import forms, readers, samples, writers
from imports.models import ImportRun
from imports.services import import_history
from imports.summary import ImportErrors
from people.models import Organisation, User
from tests.factories import BookingFactory, EventFactory
from tests.imports.preview import confirm_preview

FIXTURES = Path(__file__).parent / "fixtures"
GOOD = FIXTURES / "good"

pytestmark = pytest.mark.django_db


@pytest.fixture
def files(tmp_path):
    """A writable copy of the good files; tests replace lines to make them bad."""
    directory = tmp_path / "import"
    shutil.copytree(GOOD, directory)
    return directory


def replace(directory: Path, name: str, old: str, new: str) -> None:
    text = (directory / name).read_text()
    assert old in text, f"{old!r} not in {name}"
    (directory / name).write_text(text.replace(old, new, 1))


def run(directory) -> str:
    out = io.StringIO()
    call_command("import_history", str(directory), stdout=out)
    return out.getvalue()


def errors_of(directory) -> list[str]:
    with pytest.raises(CommandError) as caught:
        run(directory)
    return str(caught.value).splitlines()


def snapshot() -> dict:
    """Every imported table's rows and values, to prove a second import changes nothing."""
    return {
        "events": list(Event.objects.order_by("pk").values()),
        "bookings": list(Booking.objects.order_by("pk").values()),
        "invitations": list(Invitation.objects.order_by("pk").values()),
        "responses": list(Response.objects.order_by("pk").values()),
        "answers": list(Answer.objects.order_by("pk").values()),
        "enrolments": list(Enrolment.objects.order_by("pk").values()),
        "people": list(User.objects.order_by("pk").values("pk", "email", "full_name")),
        "organisations": list(Organisation.objects.order_by("pk").values("pk", "name")),
        "courses": list(Course.objects.order_by("pk").values("pk", "title", "priority_area")),
        "priorities": list(PriorityArea.objects.order_by("pk").values("pk", "name")),
        "reasons": list(CancellationReason.objects.order_by("pk").values("pk", "label")),
    }


def nothing_imported() -> bool:
    return (
        not Event.objects.exists()
        and not Booking.objects.exists()
        and not Invitation.objects.exists()
        and not Enrolment.objects.exists()
        and not Organisation.objects.filter(name_key__in=["barnardo's", "west midlands police"])
        and not User.objects.filter(email__endswith="westmidlands.police.uk").exists()
        and Course.objects.count() == 1
        and PriorityArea.objects.count() == 2
    )


# --- a good import ------------------------------------------------------------------------


def test_good_import_creates_what_is_missing_and_matches_the_rest(catalogue, practitioner):
    output = run(GOOD)

    assert "events.csv: 4 rows: 4 imported, 0 updated, 0 unchanged" in output
    assert "bookings.csv: 7 rows: 7 imported, 0 updated, 0 unchanged" in output
    assert "evaluations.csv: 5 rows: 5 imported, 0 updated, 0 unchanged" in output
    assert "elearning.csv: 2 rows: 2 imported, 0 updated, 0 unchanged" in output
    assert "Created 1 priority area: Local Learning" in output
    assert "Created 3 courses: Neglect Basics, Evening Briefing, Neglect Awareness" in output
    assert "Created 2 organisations: BARNARDO'S, West Midlands Police" in output
    assert "Created 4 people" in output
    assert "Created 1 cancellation reason: Work capacity" in output

    # Organisation names in other case and spacing land on one organisation.
    barnardos = Organisation.objects.get(name_key="barnardo's")
    assert set(
        Booking.objects.filter(organisation=barnardos).values_list("external_ref", flat=True)
    ) == {
        "BK2",
        "BK3",
        "BK4",
    }
    assert Booking.objects.get(external_ref="BK6").organisation.name == "West Midlands Police"
    assert Organisation.objects.filter(name_key="west midlands police").count() == 1
    # The existing person is matched whatever the case of their email.
    assert User.objects.filter(email__iexact="pat.practitioner@dudley.gov.uk").count() == 1
    assert Booking.objects.get(external_ref="BK1").person == practitioner
    assert Booking.objects.get(external_ref="BK7").organisation == practitioner.organisation
    # A former title goes to the renamed course; a current title in other case too.
    assert Event.objects.get(external_ref="EV1").course == catalogue
    assert Event.objects.get(external_ref="EV2").course == catalogue
    # New courses: priority matched across case and spacing, virtual is live online.
    neglect_basics = Course.objects.get(title="Neglect Basics")
    assert neglect_basics.priority_area.name == "Neglect"
    assert neglect_basics.delivery_mode == Course.DeliveryMode.LIVE_ONLINE
    assert neglect_basics.audience == Course.Audience.ADULTS
    assert not neglect_basics.is_published
    evening = Course.objects.get(title="Evening Briefing")
    assert evening.priority_area.name == "Local Learning"
    assert evening.delivery_mode == Course.DeliveryMode.FACE_TO_FACE
    module = Course.objects.get(title="Neglect Awareness (e-learning)")
    assert module.delivery_mode == Course.DeliveryMode.ELEARNING
    assert module.enrolments.count() == 2


def test_local_times_are_europe_london_in_summer_and_winter(catalogue):
    run(GOOD)

    summer = Event.objects.get(external_ref="EV1")  # BST: UTC+1
    assert summer.start == datetime(2022, 7, 12, 8, 30, tzinfo=UTC)
    assert summer.end == datetime(2022, 7, 12, 15, 0, tzinfo=UTC)
    winter = Event.objects.get(external_ref="EV2")  # GMT: UTC+0
    assert winter.start == datetime(2023, 1, 17, 9, 30, tzinfo=UTC)
    evening = Event.objects.get(external_ref="EV4")  # 31 March 2023 is after the clocks change
    assert evening.start == datetime(2023, 3, 31, 17, 0, tzinfo=UTC)


def test_statuses_are_mapped_and_late_cancellations_flagged(catalogue):
    run(GOOD)

    status = dict(Booking.objects.values_list("external_ref", "status"))
    assert status == {
        "BK1": Booking.Status.ATTENDED,
        "BK2": Booking.Status.NO_SHOW,
        "BK3": Booking.Status.CANCELLED,
        "BK4": Booking.Status.CANCELLED,
        "BK5": Booking.Status.CONFIRMED,
        "BK6": Booking.Status.WAITLISTED,
        "BK7": Booking.Status.ATTENDED,
    }
    late = Booking.objects.get(external_ref="BK3")  # the day before a Tuesday event
    assert late.cancelled_late
    assert late.cancelled_at == datetime(2022, 7, 11, 8, 0, tzinfo=UTC)
    assert late.cancellation_reason.label == "Work capacity"
    assert late.confirmed_at == late.created_at  # it held a place before it was cancelled
    early = Booking.objects.get(external_ref="BK4")  # four weeks before
    assert not early.cancelled_late
    assert early.cancellation_reason.label == "Sickness"  # matched, not created again
    no_show = Booking.objects.get(external_ref="BK2")
    assert no_show.non_attendance_reason.label == "Sickness"
    assert no_show.cancellation_reason is None
    waiting = Booking.objects.get(external_ref="BK6")
    assert waiting.confirmed_at is None
    assert Booking.objects.get(external_ref="BK1").confirmed_at is not None


def test_imported_data_is_counted_like_the_apps_own(catalogue):
    run(GOOD)

    used = Booking.objects.filter(status__in=Booking.USED).count()
    attended = Booking.objects.filter(status__in=Booking.ATTENDED_STATUSES).count()
    places_held = Booking.objects.filter(confirmed_at__isnull=False).count()
    assert (used, attended, places_held) == (3, 2, 6)
    assert Event.objects.delivered().count() == 3
    assert Event.objects.filter(status=Event.Status.CANCELLED).count() == 1
    scores = {
        (r.invitation.booking.external_ref, r.invitation.stage): r.imported_score
        for r in Response.objects.select_related("invitation__booking")
    }
    assert scores == {
        ("BK1", "pre"): Decimal("2.67"),
        ("BK1", "post"): Decimal("4.33"),
        ("BK1", "stage2"): Decimal("4.00"),
        ("BK2", "pre"): Decimal("3.00"),
        ("BK7", "post"): Decimal("5.00"),
    }
    assert not Response.objects.filter(submitted_at__isnull=True).exists()
    assert set(Invitation.objects.values_list("respondent", flat=True)) == {"delegate"}
    # Imported questionnaires are never current, so nobody is ever sent one.
    assert not Invitation.objects.filter(questionnaire__is_current=True).exists()
    comments = sorted(Answer.objects.values_list("text", flat=True))
    assert comments == [
        "Great evening,\nworth staying late for",
        "Really useful, I will use the tools.",
    ]
    assert Enrolment.objects.filter(completed_at__isnull=False).count() == 1


# --- errors -------------------------------------------------------------------------------

BAD_ROWS = [
    pytest.param(
        "bookings.csv",
        "2022-06-03T09:00,cancelled,2022-07-11T09:00",
        "2022-06-03T09:00,maybe,2022-07-11T09:00",
        "bookings.csv line 4: status 'maybe' is not one of attended, no_show, cancelled, booked, "
        "waitlisted",
        id="booking status",
    ),
    pytest.param(
        "events.csv",
        ",capacity,status\n",
        "\n",
        "events.csv line 1: missing columns capacity, status",
        id="missing columns",
    ),
    pytest.param(
        "events.csv",
        "2022-07-12T09:30,",
        "12th July 2022 09:30,",
        "events.csv line 2: start '12th July 2022 09:30' is not a date and time: write it as "
        "31/03/2023 09:30 (day/month/year) or 2023-03-31T09:30",
        id="bad date",
    ),
    pytest.param(
        "events.csv",
        "2022-11-08T12:00,15,",
        "2022-11-08T12:00,0,",
        "events.csv line 4: capacity '0' is not a positive whole number",
        id="capacity zero",
    ),
    pytest.param(
        "events.csv",
        "2022-11-08T12:00,15,",
        "2022-11-08T12:00,fifteen,",
        "events.csv line 4: capacity 'fifteen' is not a positive whole number",
        id="capacity not a number",
    ),
    pytest.param(
        "events.csv",
        "2023-03-31T18:00,2023-03-31T20:00",
        "2023-03-31T18:00,2023-03-31T18:00",
        "events.csv line 5: end '2023-03-31T18:00' is not after start '2023-03-31T18:00'",
        id="end not after start",
    ),
    pytest.param(
        "events.csv",
        "children,face_to_face",
        "children,by post",
        "events.csv line 2: mode 'by post' is not one of face_to_face, virtual",
        id="mode",
    ),
    pytest.param(
        "events.csv",
        "12:30,30,delivered",
        "12:30,30,postponed",
        "events.csv line 3: status 'postponed' is not one of delivered, cancelled",
        id="event status",
    ),
    pytest.param(
        "events.csv",
        "EV3,Neglect Basics,  neglect ,adults",
        "EV3,Neglect Basics,  neglect ,elders",
        "events.csv line 4: audience 'elders' is not one of children, adults, all",
        id="audience",
    ),
    pytest.param(
        "events.csv",
        "EV3,Neglect Basics,  neglect ",
        "EV3,,  neglect ",
        "events.csv line 4: course is required",
        id="blank course",
    ),
    pytest.param(
        "bookings.csv",
        "cat.new@westmidlands.police.uk",
        "cat.new@westmidlands police.uk",
        "bookings.csv line 6: email 'cat.new@westmidlands police.uk' is not a valid email address",
        id="email",
    ),
    pytest.param(
        "bookings.csv",
        "cancelled,2022-12-20T09:00, Sickness",
        "cancelled,, Sickness",
        "bookings.csv line 5: cancelled_at is required when status is cancelled",
        id="cancelled_at required",
    ),
    pytest.param(
        "bookings.csv",
        "BK5,EV2,",
        "BK5,EV9,",
        "bookings.csv line 6: event_ref 'EV9' is not in events.csv or among the events already "
        "imported",
        id="unknown event_ref",
    ),
    pytest.param(
        "bookings.csv",
        "BK6,EV2,dan.new",
        "BK5,EV2,dan.new",
        "bookings.csv line 7: booking_ref 'BK5' appears again (first on line 6)",
        id="duplicate booking_ref",
    ),
    pytest.param(
        "bookings.csv",
        "BK6,EV2,dan.new@westmidlands.police.uk",
        "BK6,EV2,CAT.new@westmidlands.police.uk",
        "bookings.csv line 7: email 'cat.new@westmidlands.police.uk' already has an active "
        "booking on event 'EV2' (line 6)",
        id="two active bookings",
    ),
    pytest.param(
        "evaluations.csv",
        "BK1,post,2022-07-13T09:00,4.33",
        "BK1,post,2022-07-13T09:00,6",
        "evaluations.csv line 3: score '6' is not a number from 1 to 5",
        id="score above 5",
    ),
    pytest.param(
        "evaluations.csv",
        "BK2,pre,2022-07-10T09:00,3",
        "BK2,pre,2022-07-10T09:00,0.5",
        "evaluations.csv line 5: score '0.5' is not a number from 1 to 5",
        id="score below 1",
    ),
    pytest.param(
        "evaluations.csv",
        "BK2,pre,2022-07-10T09:00,3",
        "BK2,pre,2022-07-10T09:00,good",
        "evaluations.csv line 5: score 'good' is not a number from 1 to 5",
        id="score not a number",
    ),
    pytest.param(
        "evaluations.csv",
        "BK1,stage2,",
        "BK1,during,",
        "evaluations.csv line 4: stage 'during' is not one of pre, post, stage2",
        id="stage",
    ),
    pytest.param(
        "evaluations.csv",
        "BK2,pre,",
        "BK9,pre,",
        "evaluations.csv line 5: booking_ref 'BK9' is not in bookings.csv or among the bookings "
        "already imported",
        id="unknown booking_ref",
    ),
    pytest.param(
        "evaluations.csv",
        # Dated before EV1 starts, so the only problem is the repeat (a pre-course answer after
        # the start is one of its own: test_import_pre_course_after_start).
        "BK1,stage2,2022-10-13T09:00,",
        "BK1,pre,2022-07-10T09:00,",
        "evaluations.csv line 4: booking_ref 'BK1' with stage 'pre' appears again "
        "(first on line 2)",
        id="evaluation twice",
    ),
    pytest.param(
        "elearning.csv",
        "2022-09-01T10:00,",
        "2022-09-01T10:00,2022-08-01T10:00",
        "elearning.csv line 3: completed_at '2022-08-01T10:00' is before enrolled_at",
        id="completed before enrolled",
    ),
    pytest.param(
        "elearning.csv",
        "neglect awareness (E-Learning)",
        "harm outside the home",
        "elearning.csv line 3: module 'harm outside the home' is a course with events, not an "
        "e-learning module",
        id="module not e-learning",
    ),
]


@pytest.mark.parametrize(("name", "old", "new", "message"), BAD_ROWS)
def test_each_bad_row_is_named_by_file_and_line_and_nothing_is_written(
    catalogue, files, name, old, new, message
):
    replace(files, name, old, new)

    errors = errors_of(files)

    assert message in errors
    assert errors[-1] == "Nothing was imported: 1 problem found."
    assert nothing_imported()


def test_the_good_files_import_so_each_bad_row_test_fails_only_for_its_row(catalogue, files):
    run(files)

    assert Event.objects.count() == 4


def test_every_bad_row_in_every_file_is_listed(catalogue, files):
    replace(files, "events.csv", "2022-11-08T12:00,15,", "2022-11-08T12:00,0,")
    replace(files, "bookings.csv", "booked,,", "maybe,,")
    replace(files, "bookings.csv", "Pat Practitioner,Dudley Council,2022-06-01T10:00", "Pat,x,soon")
    replace(files, "evaluations.csv", "4.33", "9")
    replace(files, "elearning.csv", "Ann New,Barnardo's,2022-09-01T10:00", "Ann New,B,")

    errors = errors_of(files)

    assert errors == [
        "events.csv line 4: capacity '0' is not a positive whole number",
        "bookings.csv line 2: booked_at 'soon' is not a date and time: write it as "
        "31/03/2023 09:30 (day/month/year) or 2023-03-31T09:30",
        "bookings.csv line 6: status 'maybe' is not one of attended, no_show, cancelled, booked, "
        "waitlisted",
        "evaluations.csv line 3: score '9' is not a number from 1 to 5",
        "elearning.csv line 3: enrolled_at is required",
        "Nothing was imported: 5 problems found.",
    ]
    assert nothing_imported()


def test_a_file_that_is_not_utf8_is_refused(catalogue, files):
    (files / "bookings.csv").write_bytes("booking_ref,name\nBK1,Zoë\n".encode("cp1252"))

    errors = errors_of(files)

    assert (
        "bookings.csv: is not UTF-8 text; in Excel, save it as “CSV UTF-8 (Comma delimited)”"
        in errors
    )
    assert nothing_imported()


def test_one_bad_row_after_thousands_of_good_ones_writes_nothing(catalogue, files):
    # The bad row is in the last file, so events and bookings were checked fine before it.
    replace(files, "elearning.csv", "ann.new@barnardos.org.uk", "ann.new@")

    with pytest.raises(ImportErrors) as caught:
        import_history(files)

    assert caught.value.messages == [
        "elearning.csv line 3: email 'ann.new@' is not a valid email address"
    ]
    assert nothing_imported()


def test_a_booking_clashing_with_one_made_in_the_app_is_refused(catalogue, practitioner, files):
    event = EventFactory(course=catalogue, external_ref="EV1")
    BookingFactory(event=event, person=practitioner)  # booked in the app: no external ref

    errors = errors_of(files)

    assert (
        "bookings.csv line 2: email 'pat.practitioner@dudley.gov.uk' already has an active "
        "booking on event 'EV1' (a booking in the app)"
    ) in errors
    assert Booking.objects.count() == 1


# --- re-import ----------------------------------------------------------------------------


def test_importing_the_same_files_again_changes_nothing(catalogue):
    run(GOOD)
    before = snapshot()

    output = run(GOOD)

    assert snapshot() == before
    assert "events.csv: 4 rows: 0 imported, 0 updated, 4 unchanged" in output
    assert "bookings.csv: 7 rows: 0 imported, 0 updated, 7 unchanged" in output
    assert "evaluations.csv: 5 rows: 0 imported, 0 updated, 5 unchanged" in output
    assert "elearning.csv: 2 rows: 0 imported, 0 updated, 2 unchanged" in output
    assert "Created" not in output


def test_a_corrected_file_updates_only_the_rows_that_changed(catalogue, files):
    run(files)
    replace(files, "bookings.csv", "2022-12-05T09:00,booked", "2022-12-05T09:00,attended")
    replace(files, "evaluations.csv", "2.67,", "2.5,Better than expected")
    replace(files, "elearning.csv", "2022-09-01T10:00,", "2022-09-01T10:00,2022-09-02T10:00")

    output = run(files)

    assert "bookings.csv: 7 rows: 0 imported, 1 updated, 6 unchanged" in output
    assert "evaluations.csv: 5 rows: 0 imported, 1 updated, 4 unchanged" in output
    assert "elearning.csv: 2 rows: 0 imported, 1 updated, 1 unchanged" in output
    assert Booking.objects.get(external_ref="BK5").status == Booking.Status.ATTENDED
    pre = Response.objects.get(invitation__booking__external_ref="BK1", invitation__stage="pre")
    assert pre.imported_score == Decimal("2.50")
    assert pre.answers.get().text == "Better than expected"
    assert Enrolment.objects.filter(completed_at__isnull=False).count() == 2
    assert Booking.objects.count() == 7 and Response.objects.count() == 5


# --- file formats and absent files -----------------------------------------------------------


def test_excel_files_with_a_bom_and_crlf_line_ends_import_like_the_plain_ones(catalogue):
    assert (FIXTURES / "excel" / "events.csv").read_bytes().startswith(b"\xef\xbb\xbfevent_ref,")
    assert b"\r\n" in (FIXTURES / "excel" / "bookings.csv").read_bytes()

    output = run(FIXTURES / "excel")

    assert "bookings.csv: 7 rows: 7 imported, 0 updated, 0 unchanged" in output
    assert Event.objects.get(external_ref="EV1").course == catalogue
    assert Booking.objects.get(external_ref="BK3").cancellation_reason.label == "Work capacity"
    assert Answer.objects.filter(text="Great evening,\nworth staying late for").exists()
    # The same records as the plain files: importing those now changes nothing.
    assert "7 rows: 0 imported, 0 updated, 7 unchanged" in run(GOOD)


def test_any_file_may_be_absent(catalogue, files):
    for name in ("bookings.csv", "evaluations.csv", "elearning.csv"):
        (files / name).unlink()
    output = run(files)
    assert "events.csv: 4 rows: 4 imported" in output
    assert "bookings.csv" not in output

    # Later, bookings alone: their events are found among those already imported.
    (files / "events.csv").unlink()
    shutil.copy(GOOD / "bookings.csv", files / "bookings.csv")
    output = run(files)

    assert "bookings.csv: 7 rows: 7 imported" in output
    assert Booking.objects.filter(event__external_ref="EV1").count() == 3


def test_a_directory_with_nothing_to_import_is_an_error(db, tmp_path):
    # Issue 19: a script or scheduled job must not believe that importing nothing worked.
    (tmp_path / "notes.txt").write_text("not an import file")
    with pytest.raises(CommandError) as caught:
        run(tmp_path)

    assert str(caught.value) == (
        "No events, bookings, evaluations or elearning file (.csv or .xlsx) to import in "
        f"{tmp_path}"
    )
    assert not Event.objects.exists()


def test_a_missing_directory_is_an_error(db, tmp_path):
    with pytest.raises(CommandError, match="is not a directory"):
        run(tmp_path / "nowhere")


def test_a_dry_run_reports_what_it_would_do_and_writes_nothing(catalogue):
    summary = import_history(GOOD, dry_run=True)

    assert summary.files["bookings.csv"].imported == 7
    assert summary.created_count("organisations") == 2
    assert "Checked only: nothing was saved." in summary.lines()
    assert nothing_imported()


def test_progress_is_reported_for_large_files(catalogue, monkeypatch):
    monkeypatch.setattr(readers, "PROGRESS_EVERY", 3)
    out = io.StringIO()

    call_command("import_history", str(GOOD), stdout=out)

    assert "Checking bookings.csv: 6 rows" in out.getvalue()
    silent = io.StringIO()
    call_command("import_history", str(GOOD), stdout=silent, verbosity=0)
    assert "Checking" not in silent.getvalue()


def test_the_sample_generator_writes_files_that_import(db, tmp_path):
    counts = samples.write_sample_csvs(tmp_path, 0.2)

    summary = import_history(tmp_path)

    assert {name: c.imported for name, c in summary.files.items()} == counts
    assert Organisation.objects.filter(name_key__startswith="sample organisation").count() <= 120


# --- the upload page --------------------------------------------------------------------------


@pytest.fixture
def upload_url():
    return reverse("imports:upload")


def upload(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="text/csv")


def good_uploads() -> list:
    return [upload(p.name, p.read_bytes()) for p in sorted(GOOD.iterdir())]


@pytest.fixture
def post_upload(client):
    """POST the upload, confirm its preview as shown, let its task run (inline in tests) once
    the request commits, and open the run's page the confirmation redirected to."""

    def post(url, data):
        response = client.post(url, data)
        assert response.status_code == 302, response.content
        return confirm_preview(client, response)

    return post


def test_the_lead_sees_the_upload_page(client, lead, upload_url):
    client.force_login(lead)

    response = client.get(upload_url)

    assert response.status_code == 200
    assert b"Import past records" in response.content


def test_a_practitioner_may_not_import(client, practitioner, upload_url):
    client.force_login(practitioner)

    assert client.get(upload_url).status_code == 403
    assert client.post(upload_url, {"files": good_uploads()}).status_code == 403
    assert not Event.objects.exists()
    assert not ImportRun.objects.exists()


def test_uploaded_files_are_imported_and_summarised(
    client, lead, catalogue, upload_url, post_upload
):
    client.force_login(lead)

    response = post_upload(upload_url, {"files": good_uploads()})

    assert response.status_code == 200
    assert "Records imported" in response.text
    assert "bookings.csv: 7 rows: 7 imported, 0 updated, 0 unchanged" in response.text
    assert Booking.objects.count() == 7


def test_a_zip_of_the_files_is_imported(client, lead, catalogue, upload_url, post_upload):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for p in GOOD.iterdir():
            archive.write(p, f"export 2022/{p.name}")
    client.force_login(lead)

    response = post_upload(upload_url, {"files": upload("history.zip", buffer.getvalue())})

    assert "Records imported" in response.text
    assert Enrolment.objects.count() == 2


def test_check_only_saves_nothing(client, lead, catalogue, upload_url, post_upload):
    client.force_login(lead)

    response = post_upload(upload_url, {"files": good_uploads(), "check_only": "on"})

    assert "Files checked: nothing saved" in response.text
    assert "bookings.csv: 7 rows: 7 imported" in response.text
    assert nothing_imported()


def test_upload_errors_are_shown_by_file_and_line(client, lead, catalogue, upload_url, post_upload):
    files = good_uploads()
    bad = (GOOD / "evaluations.csv").read_bytes().replace(b"BK1,stage2", b"BK1,during")
    files = [f for f in files if f.name != "evaluations.csv"] + [upload("evaluations.csv", bad)]
    client.force_login(lead)

    response = post_upload(upload_url, {"files": files})

    assert "Nothing was imported: 1 problem found" in response.text
    assert (
        "evaluations.csv line 4: stage &#x27;during&#x27; is not one of pre, post, stage2"
        in response.text
    )
    assert nothing_imported()


def test_an_oversized_upload_is_refused_before_it_is_read(
    client, lead, catalogue, upload_url, monkeypatch
):
    monkeypatch.setattr(forms, "MAX_UPLOAD_BYTES", 1024 * 1024)

    def never(*args, **kwargs):
        raise AssertionError("an oversized upload must not be parsed")

    monkeypatch.setattr("imports.services.import_history", never)
    client.force_login(lead)
    big = upload("bookings.csv", b"booking_ref\n" + b"x" * (2 * 1024 * 1024))

    response = client.post(upload_url, {"files": big})

    assert "The files are too large to upload (2 MB; the limit is 1 MB)" in response.text
    assert not Booking.objects.exists()
    assert not ImportRun.objects.exists()


def test_an_upload_with_an_unknown_file_name_is_refused(client, lead, upload_url):
    client.force_login(lead)

    response = client.post(upload_url, {"files": upload("people.xlsx", b"PK")})

    assert (
        "‘people.xlsx’ is not one of events, bookings, evaluations, elearning "
        "(each as .csv or .xlsx)" in response.text
    )


def test_a_failure_while_writing_rolls_back_everything_already_written(catalogue, monkeypatch):
    from django.db import IntegrityError

    def fail(self):
        raise IntegrityError("enrolment_unique")

    # The last step fails after events, bookings and evaluations were written.
    monkeypatch.setattr(writers.Writer, "write_elearning", fail)

    with pytest.raises(ImportErrors) as caught:
        import_history(GOOD)

    assert caught.value.messages == [
        "The import could not be saved, nothing was written: enrolment_unique"
    ]
    assert nothing_imported()


def test_a_real_import_refreshes_postgresql_planner_statistics(catalogue):
    with CaptureQueriesContext(connection) as ctx:
        import_history(GOOD)
    analyzed = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("ANALYZE")]
    if connection.vendor == "postgresql":
        assert len(analyzed) == 1 and '"bookings_booking"' in analyzed[0]
    else:
        assert analyzed == []  # SQLite plans these joins well without statistics
    with CaptureQueriesContext(connection) as ctx:
        import_history(GOOD, dry_run=True)
    assert not any(q["sql"].startswith("ANALYZE") for q in ctx.captured_queries)


def test_an_imported_year_asks_nobody_about_its_courses(files):
    """A delegate who returned no post-course evaluation in a past year is not emailed one now,
    and their certificate does not wait for it."""
    from evaluations import selectors as evaluation_selectors
    from evaluations.hooks import certificate_gate

    evaluations = files / "evaluations.csv"
    lines = evaluations.read_text().splitlines(True)
    evaluations.write_text("".join(line for line in lines if not line.startswith("BK1,post")))
    run(files)
    booking = Booking.objects.get(external_ref="BK1")
    assert booking.status == Booking.Status.ATTENDED
    assert evaluation_selectors.due_invitations() == []
    assert booking.pk not in certificate_gate([booking])
