"""Register the report charts' drawing once (not per worker process): every 15 minutes, the
opening report pages' charts whose data changed (reports.warm.report_charts_draw)."""

from django.db import migrations

NAME = "Report charts: draw the changed ones"


def register(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.update_or_create(
        name=NAME,
        defaults={
            "func": "reports.tasks.report_charts_draw",
            "schedule_type": "I",
            "minutes": 15,
            "repeats": -1,
        },
    )


def unregister(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_importrun_moved_to_imports"),
        ("django_q", "0018_task_success_index"),
    ]

    operations = [migrations.RunPython(register, unregister)]
