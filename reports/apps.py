import logging

from django.apps import AppConfig

logger = logging.getLogger(__name__)
TASK = "reports.tasks.report_charts_draw"


def queue_report_charts(**kwargs) -> None:
    """After an import: draw the opening pages' charts for the new data, in the worker.

    Never fails the import: without the queue the charts are drawn by the schedule or the first
    visit instead."""
    from django.conf import settings
    from django_q.tasks import async_task

    if not settings.REPORT_CHARTS_AFTER_IMPORT:
        return
    try:
        async_task(TASK, task_name="report-charts-after-import")
    except Exception:  # noqa: BLE001 - the import is written: the charts can wait
        logger.exception("Could not queue the report charts")


class ReportsConfig(AppConfig):
    name = "reports"

    def ready(self):
        from core.signals import data_imported

        data_imported.connect(queue_report_charts, dispatch_uid="reports-charts-after-import")
