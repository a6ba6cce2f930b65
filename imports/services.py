"""Importing past years' records: the all-or-nothing `import_history`, and the lead's uploads as
background runs (create, process, interrupt).

`import_history` takes two passes. First every row of every file is checked (imports/checks.py)
and every problem is collected, named by file and line (the header is line 1; a line is a CSV
record, so it matches the row number in Excel). Only when there are none is anything written
(imports/writers.py), in one transaction: a bad row anywhere means nothing is written. Refs are
kept as external ids (Event and Booking.external_ref; an evaluation is keyed by its booking and
stage; an e-learning row by module, person and enrolled_at), so importing the same files again
finds every row and changes nothing.

An upload is checked in the request (imports/forms.py) and stored with the run, waiting on its
preview (imports/selectors.py): the first rows of each file, which column becomes which field.
The lead may change a column's field there (or bring a saved ImportMapping to the upload); on
confirming, the chosen mapping is stored on the run and a django-q2 task
(imports.tasks.import_run_process) imports it with `import_history` and records the outcome.
The files are deleted as soon as the run finishes; a preview never confirmed is deleted, files
and all, after PREVIEW_KEPT (by `import_runs_interrupt`).

django-q2 may deliver a task twice (a retry after `Q_CLUSTER["retry"]` seconds without an
acknowledgement, i.e. when its worker was killed). A worker takes a run with one conditional
UPDATE: a waiting run, or a running one whose worker must be dead (it started longer ago than
the task's timeout allows); anything else is left alone, so a second delivery does nothing. Only
the attempt that holds the run may finish it. A run whose worker is lost and never retried
(a broker without retries, or MAX_ATTEMPTS used up) is failed by `import_runs_interrupt` once it
has run INTERRUPTED_AFTER: the views and a schedule call it, so the page never spins for ever.
"""

from __future__ import annotations

import io
import logging
import zipfile
from dataclasses import asdict
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django_q.exceptions import TimeoutException

from core.signals import data_imported
from core.text import clean_line
from imports.checks import Checker, Progress
from imports.models import ImportMapping, ImportRun
from imports.readers import (
    FILE_NAMES,
    ColumnMapping,
    Sheet,
    Source,
    file_key,
    mapping_fields,
    read_texts,
    read_zip,
)
from imports.summary import FileCounts, ImportErrors, ImportSummary
from imports.writers import Writer, refresh_planner_statistics

logger = logging.getLogger(__name__)

TASK = "imports.tasks.import_run_process"
SAVE_FAILED = "The import could not be saved, nothing was written: {error}"
# The problems kept (and shown) when the files are refused; the page says how many more.
ERRORS_KEPT = 1000
# Per-task timeout. 200,000 lines take 15-60 s; django-q2 kills the worker 3 s after this. It
# must stay below Q_CLUSTER["retry"] (120 s), after which the broker hands the task to another
# worker: a run still alive then would be taken twice.
TASK_TIMEOUT = 100
# A run "running" for longer than this has lost its worker (killed at TASK_TIMEOUT + 3 s): a
# retried task may take it again, up to MAX_ATTEMPTS takes in all.
STALE_AFTER = timedelta(seconds=TASK_TIMEOUT + 10)
MAX_ATTEMPTS = 3
# Running this long without finishing: no worker holds it and no retry came (a retry comes
# 120 s after delivery). Failed as interrupted, its files deleted.
INTERRUPTED_AFTER = timedelta(minutes=5)
# Waiting this long: the queued task was lost (e.g. a broker restarted without its data). Failed
# too, so the files do not wait for ever; upload again.
NEVER_STARTED_AFTER = timedelta(hours=1)

INTERRUPTED = (
    "The import was interrupted before it finished (the background worker stopped). "
    "Nothing was saved: upload the files again."
)
TIMED_OUT = (
    "The import took longer than {seconds} seconds and was stopped. Nothing was saved: split "
    "the files and upload them again, or ask for them to be imported with the import_history "
    "command."
)
NEVER_STARTED = (
    "The import did not start within an hour (the background worker is not running). "
    "Nothing was saved: upload the files again."
)
NOT_QUEUED = (
    "The import could not be started (the task queue is not available). Nothing was saved: "
    "upload the files again in a few minutes."
)
UNEXPECTED = (
    "The import stopped on an unexpected error. Nothing was saved: upload the files again, or "
    "ask for them to be imported with the import_history command."
)
# An upload whose preview the lead never confirmed: deleted, files and all, after this.
PREVIEW_KEPT = timedelta(hours=24)
NOT_WAITING = "This upload is no longer waiting to be confirmed: it was imported, or deleted."
MAPPING_NAME_REQUIRED = "Enter a name for the mapping"
MAPPING_NAME_TOO_LONG = "The mapping's name must be 100 characters or fewer"
MAPPING_BAD_FILE = "'{file}' is not one of " + ", ".join(FILE_NAMES)
MAPPING_BAD_FIELD = "{file}: '{field}' is not a column of {file} (column '{column}')"


class ImportRunError(Exception):
    """A run cannot be changed as asked (e.g. confirmed twice)."""


class ImportMappingError(Exception):
    """A mapping cannot be saved as given."""


FILES_GONE = "The uploaded files are no longer held. Nothing was saved: upload them again."


def import_history(
    source: Source,
    *,
    dry_run: bool = False,
    progress: Progress = None,
    mapping: ColumnMapping | None = None,
) -> ImportSummary:
    """Check every row of the import files, then write them all in one transaction, or nothing.

    `source` is a directory (or a .zip) holding any of events, bookings, evaluations and
    elearning as .csv or .xlsx, or a mapping of those file names to their bytes or open binary
    files. `mapping` (file key -> {column header -> field, "" to ignore}) is the lead's choice for
    those columns; the others are matched by name and alias. Raises ImportErrors listing every
    problem by file and line (or sheet and row); then nothing is written.
    """
    errors: list[str] = []
    unreadable: set[str] = set()
    texts = read_texts(source, errors, unreadable)
    checker = Checker(texts, unreadable, errors, progress, mapping)
    checker.run()
    if errors:
        raise ImportErrors(errors)
    summary = ImportSummary(dry_run=dry_run)
    for name in texts:
        summary.files[name] = FileCounts(rows=checker.counts.get(name, 0))
    if not texts:
        return summary
    try:
        with transaction.atomic():
            Writer(checker, summary, progress).run()
            if dry_run:
                transaction.set_rollback(True)
    except IntegrityError as error:
        raise ImportErrors([SAVE_FAILED.format(error=error)]) from error
    if not dry_run:
        refresh_planner_statistics()
        data_imported.send(sender=import_history)
    # Counted under the names the checks use; shown under the names the files came as.
    given = {name: table.file for name, table in texts.items() if isinstance(table, Sheet)}
    summary.files = {given.get(name, name): counts for name, counts in summary.files.items()}
    return summary


def _pack(sources: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for name, content in sources.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def summary_as_json(summary: ImportSummary) -> dict:
    """What the page shows of an ImportSummary (counts and lines; not the names it created)."""
    return {
        "dry_run": summary.dry_run,
        "files": {name: asdict(counts) for name, counts in summary.files.items()},
        "lines": summary.lines(),
    }


@transaction.atomic
def import_run_create(
    *,
    uploaded_by,
    sources: dict[str, bytes],
    dry_run: bool,
    mapping: ColumnMapping | None = None,
) -> ImportRun:
    """Store checked upload files as a run waiting on its preview (with a saved mapping's
    choices, if one was chosen); nothing is queued until the lead confirms."""
    return ImportRun.objects.create(
        uploaded_by=uploaded_by,
        dry_run=dry_run,
        state=ImportRun.State.PREVIEW,
        file_names=sorted(sources, key=lambda name: (FILE_NAMES.index(file_key(name)), name)),
        files=_pack(sources),
        mapping=mapping or {},
    )


@transaction.atomic
def import_run_confirm(
    *, run_id: int, mapping: ColumnMapping, confirmed_by, save_as: str = ""
) -> ImportRun:
    """Confirm a previewed run with the lead's mapping (saved under `save_as` when given) and
    queue its task once this commits; ImportRunError if it is no longer waiting."""
    confirmed = ImportRun.objects.filter(pk=run_id, state=ImportRun.State.PREVIEW).update(
        state=ImportRun.State.QUEUED, mapping=mapping, confirmed_at=timezone.now()
    )
    if not confirmed:
        raise ImportRunError(NOT_WAITING)
    if save_as:
        import_mapping_save(name=save_as, columns=mapping, saved_by=confirmed_by)
    transaction.on_commit(lambda: import_run_enqueue(run_id=run_id))
    return ImportRun.objects.defer("files").get(pk=run_id)


def _mapping_checked(columns: dict) -> ColumnMapping:
    if not isinstance(columns, dict):
        raise ImportMappingError(MAPPING_BAD_FILE.format(file=columns))
    checked: ColumnMapping = {}
    for name, fields in columns.items():
        if name not in FILE_NAMES or not isinstance(fields, dict):
            raise ImportMappingError(MAPPING_BAD_FILE.format(file=name))
        allowed = mapping_fields(name)
        for column, field in fields.items():
            if field and field not in allowed:
                raise ImportMappingError(
                    MAPPING_BAD_FIELD.format(file=name, field=field, column=column)
                )
        checked[name] = {clean_line(str(c)): f or "" for c, f in fields.items()}
    return checked


@transaction.atomic
def import_mapping_save(*, name: str, columns: dict, saved_by) -> ImportMapping:
    """Save a mapping under a name, replacing the one of that name if there is one."""
    name = clean_line(name or "")
    if not name:
        raise ImportMappingError(MAPPING_NAME_REQUIRED)
    if len(name) > ImportMapping._meta.get_field("name").max_length:
        raise ImportMappingError(MAPPING_NAME_TOO_LONG)
    mapping, _ = ImportMapping.objects.update_or_create(
        name=name,
        defaults={
            "columns": _mapping_checked(columns),
            "created_by": saved_by,
            "updated_at": timezone.now(),
        },
    )
    return mapping


def import_run_enqueue(*, run_id: int) -> bool:
    """Queue the run's task (its id only); False, and the run failed, when the broker is down."""
    from django_q.tasks import async_task

    try:
        async_task(TASK, run_id, timeout=TASK_TIMEOUT, task_name=f"import-run-{run_id}")
    except Exception:  # noqa: BLE001 - the run is saved: fail it rather than answer 500
        logger.exception("Could not queue import run %s", run_id)
        _finish(
            ImportRun.objects.filter(pk=run_id, state=ImportRun.State.QUEUED),
            state=ImportRun.State.FAILED,
            failure=NOT_QUEUED,
        )
        return False
    return True


def _finish(queryset, *, state: str, **outcome) -> int:
    """Record the outcome on the rows of `queryset` and delete their files."""
    return queryset.update(state=state, finished_at=timezone.now(), files=None, **outcome)


def _take(run_id: int) -> ImportRun | None:
    """The run, now held by this attempt; None when it is finished or another worker holds it."""
    now = timezone.now()
    waiting = Q(state=ImportRun.State.QUEUED)
    recent = Q(confirmed_at__gte=now - NEVER_STARTED_AFTER) | Q(
        confirmed_at=None, uploaded_at__gte=now - NEVER_STARTED_AFTER
    )
    lost = Q(
        state=ImportRun.State.RUNNING,
        started_at__lt=now - STALE_AFTER,
        started_at__gte=now - INTERRUPTED_AFTER,
        attempts__lt=MAX_ATTEMPTS,
    )
    taken = (
        ImportRun.objects.filter(waiting | lost, pk=run_id)
        .filter(Q(state=ImportRun.State.RUNNING) | recent)
        .update(state=ImportRun.State.RUNNING, started_at=now, attempts=F("attempts") + 1)
    )
    if not taken:
        return None
    return ImportRun.objects.get(pk=run_id)


def import_run_process(*, run_id: int) -> ImportRun | None:
    """Import a run's files once and record the outcome; None when there was nothing to do."""
    run = _take(run_id)
    if run is None:
        return None
    # Only the attempt that holds the run records its outcome (a later one may have taken it).
    held = ImportRun.objects.filter(pk=run.pk, state=ImportRun.State.RUNNING, attempts=run.attempts)
    if run.files is None:
        _finish(held, state=ImportRun.State.FAILED, failure=FILES_GONE)
    else:
        try:
            summary = import_history(
                read_zip(bytes(run.files)), dry_run=run.dry_run, mapping=run.mapping
            )
        except ImportErrors as problems:
            _finish(
                held,
                state=ImportRun.State.FAILED,
                errors=problems.messages[:ERRORS_KEPT],
                error_count=len(problems.messages),
            )
        except TimeoutException:
            # django-q2 stops the task here and kills the worker 3 s later: record it first.
            try:
                _finish(
                    held,
                    state=ImportRun.State.FAILED,
                    failure=TIMED_OUT.format(seconds=TASK_TIMEOUT),
                )
            except Exception:  # noqa: BLE001 - import_runs_interrupt fails it later instead
                logger.exception("Could not record that import run %s timed out", run.pk)
            raise
        except Exception:  # noqa: BLE001 - the import rolled back: say so rather than retry
            logger.exception("Import run %s failed", run.pk)
            _finish(held, state=ImportRun.State.FAILED, failure=UNEXPECTED)
        else:
            _finish(held, state=ImportRun.State.DONE, summary=summary_as_json(summary))
    run.refresh_from_db()
    return run


def import_runs_interrupt(*, now: datetime | None = None) -> int:
    """Fail the runs no worker will finish (lost worker, lost task), their files deleted; and
    delete the uploads whose preview was not confirmed within PREVIEW_KEPT."""
    now = now or timezone.now()
    lost = ImportRun.objects.filter(
        state=ImportRun.State.RUNNING, started_at__lt=now - INTERRUPTED_AFTER
    )
    cut = now - NEVER_STARTED_AFTER
    never = ImportRun.objects.filter(
        Q(confirmed_at__lt=cut) | Q(confirmed_at=None, uploaded_at__lt=cut),
        state=ImportRun.State.QUEUED,
    )
    # Other people's personal data, uploaded and left: nothing was imported, so nothing to keep.
    unconfirmed = ImportRun.objects.filter(
        state=ImportRun.State.PREVIEW, uploaded_at__lt=now - PREVIEW_KEPT
    )
    # Look before writing: the pages call this on every view and nearly always find nothing.
    changed = 0
    if lost.exists():
        changed += _finish(lost, state=ImportRun.State.FAILED, failure=INTERRUPTED)
    if never.exists():
        changed += _finish(never, state=ImportRun.State.FAILED, failure=NEVER_STARTED)
    if unconfirmed.exists():
        changed += unconfirmed.delete()[0]
    return changed
