"""Register the daily expiry reminders once (not per worker process): one email before each
achievement runs out (competency.tasks.remind_expiring)."""

from django.db import migrations

NAME = "Competency: remind people whose training runs out soon"


def register(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.update_or_create(
        name=NAME,
        defaults={"func": "competency.tasks.remind_expiring", "schedule_type": "D", "repeats": -1},
    )


def unregister(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("competency", "0002_organisation_staff_count"),
        ("django_q", "0018_task_success_index"),
    ]

    operations = [migrations.RunPython(register, unregister)]
