# Imports of past records: the L&D lead's uploads, run in the background (imports/tasks.py).

from django.conf import settings
from django.db import models
from django.utils import timezone


class ImportRun(models.Model):
    """One upload of past records: its files until a worker has imported them, then the outcome."""

    class State(models.TextChoices):
        # Uploaded, its preview shown: waits for the lead to check the columns and confirm.
        PREVIEW = "preview", "Waiting for you to confirm"
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    dry_run = models.BooleanField(default=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # How many times a worker took the run: a retry after a killed worker takes it again.
    attempts = models.PositiveSmallIntegerField(default=0)
    # Names and sizes of the files inside `files` (no contents): for the page and the admin.
    file_names = models.JSONField(default=list, blank=True)
    # The uploaded files as a .zip, in the database so a worker on any machine can read them.
    # Other people's personal data: set to None as soon as the run finishes, whatever the outcome.
    files = models.BinaryField(null=True, blank=True, editable=False)
    # Done: {"dry_run": bool, "files": {name: {"rows", "imported", "updated", "unchanged"}},
    # "lines": [...]}, i.e. what the page shows of ImportSummary (not the names it created).
    summary = models.JSONField(null=True, blank=True)
    # Failed on the files: the first problems (imports.services.ERRORS_KEPT), each naming
    # its file and line as ImportErrors does; `error_count` is how many there were in all.
    errors = models.JSONField(default=list, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    # The lead's choice of field per column, set on the preview (imports.readers.ColumnMapping:
    # file key -> {column header -> field, "" to ignore}); columns not in it match by name.
    mapping = models.JSONField(default=dict, blank=True)
    # When the lead confirmed the preview and the run was queued (null before; and for runs
    # uploaded before previews, queued on upload).
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # Failed for another reason (the worker was lost, took too long...): why, for the page.
    failure = models.CharField(max_length=300, blank=True)

    class Meta:
        # Moved from reports (imports/migrations/0001): the table keeps its name and its rows.
        db_table = "reports_importrun"
        ordering = ["-uploaded_at", "-id"]
        indexes = [models.Index(fields=["state", "started_at"], name="reports_importrun_state")]

    def __str__(self):
        kind = "Check" if self.dry_run else "Import"
        return f"{kind} {self.pk} ({self.get_state_display().lower()})"

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)


class ImportMapping(models.Model):
    """A lead's saved choice of field per column, used again by name on an upload or by
    `import_history --mapping NAME`."""

    name = models.CharField(max_length=100, unique=True)
    # imports.readers.ColumnMapping: file key -> {column header -> field, "" to ignore}.
    columns = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name
