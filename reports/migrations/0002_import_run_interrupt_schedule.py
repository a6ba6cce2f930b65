"""Register the sweeper of import runs no worker will finish once (not per worker process)."""

from django.db import migrations

NAME = "Import runs: fail the interrupted ones and delete their files"


def register(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.update_or_create(
        name=NAME,
        defaults={
            "func": "reports.tasks.import_runs_interrupt",
            "schedule_type": "I",
            "minutes": 5,
            "repeats": -1,
        },
    )


def unregister(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_import_run"),
        ("django_q", "0018_task_success_index"),
    ]

    operations = [migrations.RunPython(register, unregister)]
