"""Issue 19, "On the upload page": after the upload, a preview of each file's first rows and
which column becomes which field (or is ignored); the lead may change a column's field before
confirming; a mapping saved by name is used again by the next upload and by
`import_history --mapping NAME`; unconfirmed uploads are deleted; only leads see previews."""

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from bookings.models import Booking
from imports import services, tasks
from imports.forms import SAVE_AS_TOO_LONG
from imports.models import ImportMapping, ImportRun
from imports.readers import header_mapping
from imports.services import ImportMappingError, import_mapping_save
from tests.imports.preview import confirm_preview, preview_data
from tests.imports.test_import import GOOD, nothing_imported, upload
from tests.imports.test_import_other_shapes import write_xlsx

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue")]


def upload_url():
    return reverse("imports:upload")


BOOKINGS = (GOOD / "bookings.csv").read_text()
# The bookings as a delegate list exports them: the email under a header no alias knows, an
# aliased booking reference, and a column the import does not use.
ODD_BOOKINGS = (
    BOOKINGS.replace("booking_ref,", "Booking reference,", 1)
    .replace(",email,", ",Delegate email,", 1)
    .replace("cancellation_reason\n", "cancellation_reason,Notes\n", 1)
)
DELEGATE_EMAIL = 2  # the position of "Delegate email" in ODD_BOOKINGS' header


def files(bookings: str = ODD_BOOKINGS) -> list:
    """The good files, with bookings.csv as given."""
    out = [
        upload(p.name, p.read_bytes()) for p in sorted(GOOD.iterdir()) if p.name != "bookings.csv"
    ]
    return [*out, upload("bookings.csv", bookings.encode())]


@pytest.fixture
def lead_client(client, lead):
    client.force_login(lead)
    return client


def uploaded(client, data) -> tuple[ImportRun, object]:
    """POST the upload; the run it made and its preview page."""
    response = client.post(upload_url(), data)
    assert response.status_code == 302, response.content
    run = ImportRun.objects.get()
    assert response["Location"] == reverse("imports:preview", args=[run.pk])
    return run, client.get(response["Location"])


def chosen(preview, file: str) -> dict[str, str]:
    """column header -> the field the preview's select shows for it ("" = ignore)."""
    [(found, columns)] = [(p, c) for p, c in preview.context["files"] if p.key == file]
    return {column.header: (field.value() or "") for column, field in columns}


# --- what the preview shows ------------------------------------------------------------------


def test_the_preview_shows_each_column_its_field_the_ignored_ones_and_the_first_rows(lead_client):
    run, preview = uploaded(lead_client, {"files": files()})

    assert preview.status_code == 200
    bookings = chosen(preview, "bookings.csv")
    assert bookings["Booking reference"] == "booking_ref"  # an alias
    assert bookings["event_ref"] == "event_ref"
    assert bookings["Delegate email"] == "" and bookings["Notes"] == ""  # ignored
    text = preview.text
    assert "Ignored: ‘Delegate email’, ‘Notes’." in text
    # The header's problem, before anything is confirmed: email has no column.
    assert "missing column email" in text
    # The first rows as read: BK1's values, and no more than PREVIEW_ROWS of them.
    assert "Pat.Practitioner@Dudley.gov.uk" in text
    assert "BK5" in text and "BK6" not in text
    assert run.state == ImportRun.State.PREVIEW and nothing_imported()


def test_the_preview_of_an_xlsx_names_its_sheet_and_reads_cells_as_the_import(
    lead_client, tmp_path
):
    directory = write_xlsx(tmp_path / "xlsx", bookings={"title": "Bookings"})
    data = {"files": [upload(p.name, p.read_bytes()) for p in sorted(directory.iterdir())]}

    run, preview = uploaded(lead_client, data)

    bookings = chosen(preview, "bookings.csv")
    assert bookings["Order #"] == "booking_ref"
    assert bookings["First name"] == "firstname" and bookings["Last name"] == "lastname"
    assert bookings["Notes"] == ""
    assert "bookings.xlsx, sheet Bookings" in preview.text
    events = chosen(preview, "events.csv")
    assert events["Start date"] == "start" and events["Places"] == "capacity"
    # An Excel date cell as the checks read it (ISO 8601), not as a float.
    assert "2022-07-12T09:30:00" in preview.text


# --- changing the mapping ----------------------------------------------------------------------


def test_a_column_the_lead_maps_is_imported_as_that_field(lead_client):
    response = lead_client.post(upload_url(), {"files": files()})

    page = confirm_preview(lead_client, response, **{f"bookings-{DELEGATE_EMAIL}": "email"})

    assert "Records imported" in page.text
    assert "bookings.csv: 7 rows: 7 imported" in page.text
    run = ImportRun.objects.get()
    assert run.mapping["bookings.csv"]["Delegate email"] == "email"
    assert run.mapping["bookings.csv"]["Notes"] == ""
    assert Booking.objects.get(external_ref="BK1").person.email == "pat.practitioner@dudley.gov.uk"


def test_confirming_with_a_required_field_missing_is_refused_on_the_preview(lead_client):
    run, preview = uploaded(lead_client, {"files": files()})

    refused = lead_client.post(preview.request["PATH_INFO"], preview_data(preview))

    assert refused.status_code == 400
    assert "There is a problem" in refused.text
    assert "bookings.csv: missing column email" in refused.text
    run.refresh_from_db()
    assert run.state == ImportRun.State.PREVIEW and nothing_imported()


def test_two_columns_mapped_to_one_field_are_refused_with_the_file_and_column_names(lead_client):
    run, preview = uploaded(lead_client, {"files": files()})
    data = preview_data(preview, **{f"bookings-{DELEGATE_EMAIL}": "email", "bookings-9": "email"})

    refused = lead_client.post(preview.request["PATH_INFO"], data)

    assert refused.status_code == 400
    message = (
        "bookings.csv: columns &#x27;Delegate email&#x27; and &#x27;Notes&#x27; are both email"
    )
    assert message in refused.text
    # On the second column's select, linked from the error summary.
    assert refused.context["form"].errors["bookings-9"]
    assert 'href="#id_bookings-9"' in refused.text
    run.refresh_from_db()
    assert run.state == ImportRun.State.PREVIEW and nothing_imported()


def test_a_recognised_column_the_lead_ignores_is_not_imported(lead_client):
    good = (GOOD / "bookings.csv").read_text()
    response = lead_client.post(upload_url(), {"files": files(good)})

    # cancellation_reason is optional: ignored, BK3's "Work capacity" is not imported.
    page = confirm_preview(lead_client, response, **{"bookings-8": ""})

    assert "Records imported" in page.text
    cancelled = Booking.objects.get(external_ref="BK3")
    assert cancelled.status == Booking.Status.CANCELLED and cancelled.cancellation_reason is None


def test_a_file_that_cannot_be_read_is_named_on_the_preview_and_not_confirmed(lead_client):
    run, preview = uploaded(
        lead_client, {"files": [upload("bookings.csv", "booking_ref,é\n".encode("latin-1"))]}
    )

    assert preview.status_code == 200
    refused = lead_client.post(preview.request["PATH_INFO"], preview_data(preview))

    assert refused.status_code == 400
    assert "bookings.csv: is not UTF-8 text" in refused.text
    run.refresh_from_db()
    assert run.state == ImportRun.State.PREVIEW


# --- saved mappings ----------------------------------------------------------------------------


def test_a_mapping_saved_from_the_preview_is_used_by_the_next_upload(lead_client, lead):
    response = lead_client.post(upload_url(), {"files": files()})
    confirm_preview(
        lead_client,
        response,
        **{f"bookings-{DELEGATE_EMAIL}": "email", "save_as": "  Delegate list  "},
    )
    saved = ImportMapping.objects.get()
    assert (saved.name, saved.created_by) == ("Delegate list", lead)
    assert saved.columns["bookings.csv"]["Delegate email"] == "email"
    ImportRun.objects.all().delete()
    Booking.objects.all().delete()

    run, preview = uploaded(lead_client, {"files": files(), "mapping": "Delegate list"})

    assert chosen(preview, "bookings.csv")["Delegate email"] == "email"
    assert "missing column" not in preview.text
    with django_on_commit():
        confirmed = lead_client.post(preview.request["PATH_INFO"], preview_data(preview))
    assert "Records imported" in lead_client.get(confirmed["Location"]).text
    assert Booking.objects.count() == 7


def django_on_commit():
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)


def test_saving_under_a_name_in_use_replaces_that_mapping(lead, trainer):
    import_mapping_save(name="Export", columns={"bookings.csv": {"A": "email"}}, saved_by=trainer)

    import_mapping_save(name="Export", columns={"bookings.csv": {"B": "email"}}, saved_by=lead)

    saved = ImportMapping.objects.get()
    assert saved.columns == {"bookings.csv": {"B": "email"}} and saved.created_by == lead


@pytest.mark.parametrize(
    ("name", "columns", "message"),
    [
        ("", {}, services.MAPPING_NAME_REQUIRED),
        ("x" * 101, {}, services.MAPPING_NAME_TOO_LONG),
        ("A", {"people.csv": {}}, "'people.csv' is not one of"),
        ("A", {"bookings.csv": {"Delegate": "score"}}, "bookings.csv: 'score' is not a column"),
    ],
)
def test_a_mapping_that_does_not_fit_the_files_is_not_saved(lead, name, columns, message):
    with pytest.raises(ImportMappingError) as caught:
        import_mapping_save(name=name, columns=columns, saved_by=lead)

    assert message in str(caught.value)
    assert not ImportMapping.objects.exists()


def test_a_name_too_long_to_save_is_a_field_error_on_the_preview(lead_client):
    run, preview = uploaded(lead_client, {"files": files()})
    data = preview_data(preview, **{f"bookings-{DELEGATE_EMAIL}": "email", "save_as": "x" * 101})

    refused = lead_client.post(preview.request["PATH_INFO"], data)

    assert refused.status_code == 400
    assert refused.context["form"].errors["save_as"] == [SAVE_AS_TOO_LONG]
    assert not ImportMapping.objects.exists()
    run.refresh_from_db()
    assert run.state == ImportRun.State.PREVIEW


def test_an_unknown_saved_mapping_on_the_upload_is_a_field_error(lead_client):
    response = lead_client.post(upload_url(), {"files": files(), "mapping": "Nope"})

    assert response.status_code == 200
    assert response.context["form"].errors["mapping"]
    assert not ImportRun.objects.exists()


def test_import_history_uses_a_saved_mapping_by_name(lead, tmp_path):
    directory = tmp_path / "odd"
    directory.mkdir()
    for p in GOOD.iterdir():
        (directory / p.name).write_bytes(p.read_bytes())
    (directory / "bookings.csv").write_text(ODD_BOOKINGS)
    import_mapping_save(
        name="Delegate list", columns={"bookings.csv": {"Delegate email": "email"}}, saved_by=lead
    )
    with pytest.raises(CommandError) as without:
        call_command("import_history", str(directory), stdout=io.StringIO())
    assert "bookings.csv line 1: missing column email" in str(without.value)
    out = io.StringIO()

    call_command("import_history", str(directory), "--mapping", "Delegate list", stdout=out)

    assert "bookings.csv: 7 rows: 7 imported" in out.getvalue()
    assert Booking.objects.get(external_ref="BK1").person.email == "pat.practitioner@dudley.gov.uk"


def test_import_history_with_an_unknown_mapping_exits_non_zero_and_lists_the_saved_ones(lead):
    import_mapping_save(name="Eventbrite", columns={}, saved_by=lead)
    import_mapping_save(name="Survey tool", columns={}, saved_by=lead)

    with pytest.raises(CommandError) as caught:
        call_command("import_history", str(GOOD), "--mapping", "Eventbrit")

    assert str(caught.value) == (
        "No saved mapping is named 'Eventbrit'. Saved mappings: Eventbrite, Survey tool."
    )
    assert nothing_imported()
    ImportMapping.objects.all().delete()
    with pytest.raises(CommandError, match="Saved mappings: none"):
        call_command("import_history", str(GOOD), "--mapping", "Eventbrite")


def test_the_header_matching_takes_the_leads_choice_over_the_aliases():
    header = ["Email", "Attendee email", "Order #"]

    fields, problems = header_mapping("bookings.csv", header)
    assert fields[:2] == ["email", None] and problems[0][0] == 1  # two emails: the second refused

    fields, _ = header_mapping("bookings.csv", header, {"email": "", "ORDER #": "booking_ref"})
    assert fields == [None, "email", "booking_ref"]

    _, problems = header_mapping("bookings.csv", header, {"Email": "score"})
    assert (0, "'score' is not a column of bookings.csv") in problems


# --- unconfirmed uploads, and who sees a preview ------------------------------------------------


def test_an_upload_never_confirmed_is_deleted_with_its_files_after_a_day(lead_client):
    run, _ = uploaded(lead_client, {"files": files()})
    now = timezone.now()

    assert (
        services.import_runs_interrupt(now=now + services.PREVIEW_KEPT - timedelta(minutes=1)) == 0
    )
    assert ImportRun.objects.filter(pk=run.pk).exists()

    assert tasks.import_runs_interrupt() == 0  # the scheduled task, now: kept
    assert (
        services.import_runs_interrupt(now=now + services.PREVIEW_KEPT + timedelta(minutes=1)) == 1
    )
    assert not ImportRun.objects.exists()
    # Its page now says it is gone rather than failing.
    assert lead_client.get(reverse("imports:preview", args=[run.pk])).status_code == 404


def test_a_run_confirmed_long_after_its_upload_still_gets_its_hour_to_start(lead_client):
    run, preview = uploaded(lead_client, {"files": files((GOOD / "bookings.csv").read_text())})
    ImportRun.objects.filter(pk=run.pk).update(uploaded_at=timezone.now() - timedelta(hours=5))
    lead_client.post(preview.request["PATH_INFO"], preview_data(preview))  # queued, not run

    assert services.import_runs_interrupt() == 0
    run.refresh_from_db()
    assert run.state == ImportRun.State.QUEUED
    tasks.import_run_process(run.pk)
    run.refresh_from_db()
    assert run.state == ImportRun.State.DONE


def test_only_a_lead_sees_or_confirms_a_preview(client, lead, practitioner, trainer, org_manager):
    client.force_login(lead)
    run, preview = uploaded(client, {"files": files()})
    data = preview_data(preview, **{f"bookings-{DELEGATE_EMAIL}": "email"})
    url = reverse("imports:preview", args=[run.pk])
    client.logout()

    assert client.get(url)["Location"].startswith(reverse("account_login"))
    for user in (practitioner, trainer, org_manager):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(url, data).status_code == 403
    run.refresh_from_db()
    assert run.state == ImportRun.State.PREVIEW and run.mapping == {}
