"""Point the sweeper's schedule (registered by reports/0002) at its new home, imports.tasks.

On a fresh database reports/0002 registers it under the old path and this renames it, so it is
still registered once; on an existing one it renames the schedule already there.
"""

from django.db import migrations

OLD = "reports.tasks.import_runs_interrupt"
NEW = "imports.tasks.import_runs_interrupt"


def forwards(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(func=OLD).update(func=NEW)


def backwards(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(func=NEW).update(func=OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("imports", "0001_import_run"),
        ("reports", "0002_import_run_interrupt_schedule"),
        ("django_q", "0018_task_success_index"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
