"""django-q2 entry points for imports: ids only, idempotent, safe to run twice."""

from imports import services


def import_run_process(run_id: int) -> str:
    """Import an uploaded run's files (queued by the upload page); a repeat does nothing."""
    run = services.import_run_process(run_id=run_id)
    return "nothing to do" if run is None else run.state


def import_runs_interrupt() -> int:
    """Scheduled: fail the import runs no worker will finish, and delete their files."""
    return services.import_runs_interrupt()
