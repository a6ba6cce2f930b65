"""The import as a background run: the upload stores the files and queues a task after commit;
the task imports once (a second delivery does nothing), records the outcome and deletes the files;
a run whose worker was lost is retried or failed, never left spinning; only L&D leads see runs."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_q.exceptions import TimeoutException
from django_q.models import Schedule

from bookings.models import Booking
from imports import services, tasks
from imports.models import ImportRun
from imports.readers import FILE_NAMES, read_zip
from imports.summary import ImportErrors
from people import roles
from tests.factories import UserFactory
from tests.imports.preview import preview_data
from tests.imports.test_import import GOOD, good_uploads, nothing_imported

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue")]

GOOD_SOURCES = {p.name: p.read_bytes() for p in sorted(GOOD.iterdir())}


@pytest.fixture
def lead_client(client, lead):
    client.force_login(lead)
    return client


def queued_run(lead, *, dry_run=False, **fields) -> ImportRun:
    """A run as the upload leaves it (its task not run yet)."""
    run = ImportRun.objects.create(
        uploaded_by=lead,
        dry_run=dry_run,
        file_names=list(GOOD_SOURCES),
        files=services._pack(GOOD_SOURCES),
    )
    ImportRun.objects.filter(pk=run.pk).update(**fields)
    run.refresh_from_db()
    return run


def page(client, run):
    return client.get(reverse("imports:run", args=[run.pk]))


def never(*args, **kwargs):
    raise AssertionError("the import must not run")


# --- the upload ---------------------------------------------------------------------------


def test_an_accepted_upload_waits_on_its_preview_then_is_queued_after_commit_on_confirming(
    lead_client, lead, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr(
        "django_q.tasks.async_task", lambda *args, **kwargs: queued.append((args, kwargs))
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = lead_client.post(
            reverse("imports:upload"), {"files": good_uploads(), "check_only": "on"}
        )

    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:preview", args=[run.pk])
    assert (run.uploaded_by, run.dry_run, run.state) == (lead, True, ImportRun.State.PREVIEW)
    assert run.file_names == list(FILE_NAMES)  # in import order
    assert read_zip(bytes(run.files)) == GOOD_SOURCES
    assert queued == []  # nothing is queued until the lead confirms
    # Its page while it waits is the preview.
    assert page(lead_client, run)["Location"] == reverse("imports:preview", args=[run.pk])
    preview = lead_client.get(response["Location"])

    with django_capture_on_commit_callbacks() as callbacks:
        confirmed = lead_client.post(response["Location"], preview_data(preview))

    assert confirmed["Location"] == reverse("imports:run", args=[run.pk])
    run.refresh_from_db()
    assert run.state == ImportRun.State.QUEUED and run.confirmed_at is not None
    assert queued == []  # nothing is queued before the transaction commits
    assert len(callbacks) == 1
    callbacks[0]()
    # The task gets the run's id and nothing else (failed tasks keep their arguments).
    assert queued == [
        (
            (services.TASK, run.pk),
            {"timeout": services.TASK_TIMEOUT, "task_name": f"import-run-{run.pk}"},
        )
    ]
    # Confirming again queues nothing more: the run no longer waits on its preview.
    again = lead_client.post(response["Location"], preview_data(preview))
    assert again["Location"] == reverse("imports:run", args=[run.pk])
    assert len(queued) == 1
    assert nothing_imported()


def test_the_task_timeout_fits_django_q_retry_and_the_limits_come_after_it():
    retry = timedelta(seconds=settings.Q_CLUSTER["retry"])
    # django-q2 kills a worker 3 s after the task's timeout; the broker re-delivers at `retry`.
    assert timedelta(seconds=services.TASK_TIMEOUT + 3) < services.STALE_AFTER
    assert services.STALE_AFTER < retry
    assert services.INTERRUPTED_AFTER > retry + services.STALE_AFTER
    assert services.TASK_TIMEOUT > settings.Q_CLUSTER["timeout"]  # 200,000 lines fit


def test_the_upload_page_lists_recent_runs_without_loading_their_files(lead_client, lead):
    done = queued_run(lead, state=ImportRun.State.DONE, files=None, summary={"lines": []})
    waiting = queued_run(lead, dry_run=True)
    for _ in range(8):
        queued_run(UserFactory(roles=[roles.LEAD]))

    with CaptureQueriesContext(connection) as ctx:
        response = lead_client.get(reverse("imports:upload"))

    assert response.status_code == 200
    for run in (done, waiting):
        assert reverse("imports:run", args=[run.pk]) in response.text
    assert "Waiting to start" in response.text and "(check only)" in response.text
    assert not any('."files"' in q["sql"] for q in ctx.captured_queries)
    # Sign-in and session (5), the sweep of lost runs and old previews (3), the runs with their
    # uploaders (1), the saved mappings (1).
    assert len(ctx.captured_queries) <= 11


# --- the run's page in each state -----------------------------------------------------------


def test_a_waiting_run_says_so_and_reloads_itself(lead_client, lead):
    run = queued_run(lead)

    response = page(lead_client, run)

    assert response.status_code == 200
    assert "Waiting to start" in response.text
    assert '<meta http-equiv="refresh" content="3">' in response.text
    assert "Import more files" not in response.text


def test_a_running_run_says_so_and_reloads_itself(lead_client, lead):
    run = queued_run(lead, state=ImportRun.State.RUNNING, started_at=timezone.now(), attempts=1)

    response = page(lead_client, run)

    assert "Checking and importing the files" in response.text
    assert '<meta http-equiv="refresh" content="3">' in response.text


def test_a_finished_run_shows_what_was_imported_and_stops_reloading(lead_client, lead):
    run = queued_run(lead)

    tasks.import_run_process(run.pk)
    response = page(lead_client, run)

    assert "Records imported" in response.text
    assert "bookings.csv: 7 rows: 7 imported, 0 updated, 0 unchanged" in response.text
    assert 'http-equiv="refresh"' not in response.text
    assert reverse("imports:upload") in response.text and "Import more files" in response.text
    assert Booking.objects.count() == 7


def test_a_run_refused_on_its_files_shows_the_first_1000_problems_by_file(
    lead_client, lead, monkeypatch
):
    messages = [f"bookings.csv line {n}: status is required" for n in range(2, 1502)]
    messages.insert(0, "events.csv line 2: capacity 'x' is not a positive whole number")

    def refuse(*args, **kwargs):
        raise ImportErrors(messages)

    monkeypatch.setattr("imports.services.import_history", refuse)
    run = queued_run(lead)

    tasks.import_run_process(run.pk)
    run.refresh_from_db()
    response = page(lead_client, run)

    assert (run.state, run.error_count, len(run.errors)) == (ImportRun.State.FAILED, 1501, 1000)
    assert "Nothing was imported: 1501 problems found" in response.text
    assert "And 501 more." in response.text
    assert response.text.index('<h3 class="govuk-heading-s">events.csv') < response.text.index(
        '<h3 class="govuk-heading-s">bookings.csv'
    )
    assert 'http-equiv="refresh"' not in response.text
    assert "<title>Error: " in response.text


# --- the task: once, idempotent, the files deleted ------------------------------------------


def test_the_files_are_deleted_whatever_the_outcome(lead, monkeypatch):
    done, checked, refused, crashed = (queued_run(lead) for _ in range(4))
    ImportRun.objects.filter(pk=checked.pk).update(dry_run=True)
    tasks.import_run_process(done.pk)
    tasks.import_run_process(checked.pk)

    def refuse(*args, **kwargs):
        raise ImportErrors(["bookings.csv line 2: status is required"])

    def crash(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("imports.services.import_history", refuse)
    tasks.import_run_process(refused.pk)
    monkeypatch.setattr("imports.services.import_history", crash)
    tasks.import_run_process(crashed.pk)

    runs = {r.pk: r for r in ImportRun.objects.all()}
    assert [runs[r.pk].state for r in (done, checked, refused, crashed)] == [
        ImportRun.State.DONE,
        ImportRun.State.DONE,
        ImportRun.State.FAILED,
        ImportRun.State.FAILED,
    ]
    assert all(r.files is None and r.finished_at for r in runs.values())
    assert runs[crashed.pk].failure == services.UNEXPECTED
    assert runs[checked.pk].summary["dry_run"] is True


def test_running_the_task_again_after_it_finished_changes_nothing(lead, monkeypatch):
    run = queued_run(lead)
    assert tasks.import_run_process(run.pk) == ImportRun.State.DONE
    before = ImportRun.objects.filter(pk=run.pk).values().get()
    monkeypatch.setattr("imports.services.import_history", never)

    assert tasks.import_run_process(run.pk) == "nothing to do"

    assert ImportRun.objects.filter(pk=run.pk).values().get() == before


def test_a_second_delivery_while_a_worker_holds_the_run_does_nothing(lead, monkeypatch):
    started = timezone.now() - timedelta(seconds=30)
    run = queued_run(lead, state=ImportRun.State.RUNNING, started_at=started, attempts=1)
    monkeypatch.setattr("imports.services.import_history", never)

    assert tasks.import_run_process(run.pk) == "nothing to do"

    run.refresh_from_db()
    assert (run.state, run.started_at, run.attempts) == (ImportRun.State.RUNNING, started, 1)
    assert run.files is not None  # still the holder's to import


def test_a_retry_takes_again_a_run_whose_worker_was_killed(lead):
    started = timezone.now() - services.STALE_AFTER - timedelta(seconds=1)
    run = queued_run(lead, state=ImportRun.State.RUNNING, started_at=started, attempts=1)

    assert tasks.import_run_process(run.pk) == ImportRun.State.DONE

    run.refresh_from_db()
    assert (run.attempts, run.files) == (2, None)
    assert Booking.objects.count() == 7


def test_no_retry_takes_a_run_after_its_last_attempt(lead, monkeypatch):
    started = timezone.now() - services.STALE_AFTER - timedelta(seconds=1)
    run = queued_run(
        lead,
        state=ImportRun.State.RUNNING,
        started_at=started,
        attempts=services.MAX_ATTEMPTS,
    )
    monkeypatch.setattr("imports.services.import_history", never)

    assert tasks.import_run_process(run.pk) == "nothing to do"


def test_an_attempt_whose_run_was_taken_by_a_retry_does_not_record_its_outcome(lead, monkeypatch):
    run = queued_run(lead)

    def overtaken(*args, **kwargs):
        # Meanwhile a retry took the run (this attempt looked dead): its outcome counts.
        ImportRun.objects.filter(pk=run.pk).update(attempts=2)
        raise ImportErrors(["bookings.csv line 2: status is required"])

    monkeypatch.setattr("imports.services.import_history", overtaken)

    tasks.import_run_process(run.pk)

    run.refresh_from_db()
    assert (run.state, run.attempts, run.errors) == (ImportRun.State.RUNNING, 2, [])


def test_a_run_that_times_out_is_failed_before_django_q_stops_the_worker(lead, monkeypatch):
    def slow(*args, **kwargs):
        raise TimeoutException("Task exceeded maximum timeout value (100 seconds)")

    monkeypatch.setattr("imports.services.import_history", slow)
    run = queued_run(lead)

    with pytest.raises(TimeoutException):
        tasks.import_run_process(run.pk)

    run.refresh_from_db()
    assert run.state == ImportRun.State.FAILED and run.files is None
    assert run.failure == services.TIMED_OUT.format(seconds=services.TASK_TIMEOUT)


# --- runs no worker will finish -------------------------------------------------------------


def test_runs_no_worker_will_finish_are_failed_and_their_files_deleted(lead):
    now = timezone.now()
    lost = queued_run(
        lead,
        state=ImportRun.State.RUNNING,
        started_at=now - services.INTERRUPTED_AFTER - timedelta(seconds=1),
        attempts=1,
    )
    busy = queued_run(lead, state=ImportRun.State.RUNNING, started_at=now, attempts=1)
    never_started = queued_run(
        lead, uploaded_at=now - services.NEVER_STARTED_AFTER - timedelta(seconds=1)
    )
    waiting = queued_run(lead)

    assert tasks.import_runs_interrupt() == 2

    runs = {r.pk: r for r in ImportRun.objects.all()}
    assert (runs[lost.pk].state, runs[lost.pk].failure) == (
        ImportRun.State.FAILED,
        services.INTERRUPTED,
    )
    assert runs[never_started.pk].failure == services.NEVER_STARTED
    assert runs[lost.pk].files is None and runs[never_started.pk].files is None
    assert runs[busy.pk].state == ImportRun.State.RUNNING and runs[busy.pk].files is not None
    assert runs[waiting.pk].state == ImportRun.State.QUEUED and runs[waiting.pk].files is not None
    # A task delivered late for a run failed meanwhile does nothing.
    assert tasks.import_run_process(never_started.pk) == "nothing to do"
    assert tasks.import_runs_interrupt() == 0


def test_the_page_of_a_run_whose_worker_was_lost_says_it_was_interrupted(lead_client, lead):
    started = timezone.now() - services.INTERRUPTED_AFTER - timedelta(seconds=1)
    run = queued_run(lead, state=ImportRun.State.RUNNING, started_at=started, attempts=1)

    response = page(lead_client, run)

    assert "Nothing was imported" in response.text
    assert "The import was interrupted before it finished" in response.text
    assert 'http-equiv="refresh"' not in response.text
    run.refresh_from_db()
    assert run.state == ImportRun.State.FAILED and run.files is None


def test_the_interrupted_runs_sweeper_is_scheduled():
    schedule = Schedule.objects.get(func="imports.tasks.import_runs_interrupt")
    assert (schedule.schedule_type, schedule.minutes, schedule.repeats) == (Schedule.MINUTES, 5, -1)


def test_when_the_task_cannot_be_queued_the_run_fails_at_once(
    lead_client, django_capture_on_commit_callbacks, monkeypatch
):
    def broker_down(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr("django_q.tasks.async_task", broker_down)

    uploaded = lead_client.post(reverse("imports:upload"), {"files": good_uploads()})
    preview = lead_client.get(uploaded["Location"])

    with django_capture_on_commit_callbacks(execute=True):
        response = lead_client.post(uploaded["Location"], preview_data(preview))

    assert response.status_code == 302
    run = ImportRun.objects.get()
    assert (run.state, run.failure, run.files) == (
        ImportRun.State.FAILED,
        services.NOT_QUEUED,
        None,
    )
    assert services.NOT_QUEUED in lead_client.get(response["Location"]).text


# --- who sees a run -------------------------------------------------------------------------


def test_only_l_and_d_leads_see_a_run_and_any_lead_sees_any_run(
    client, lead, practitioner, trainer, org_manager
):
    run = queued_run(lead, state=ImportRun.State.DONE, files=None, summary={"lines": ["x"]})
    url = reverse("imports:run", args=[run.pk])

    anonymous = client.get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(
        reverse("account_login")
    )
    for person in (practitioner, trainer, org_manager):
        client.force_login(person)
        assert client.get(url).status_code == 403, person
    client.force_login(UserFactory(roles=[roles.LEAD]))
    assert client.get(url).status_code == 200
    assert client.get(reverse("imports:run", args=[run.pk + 1000])).status_code == 404
