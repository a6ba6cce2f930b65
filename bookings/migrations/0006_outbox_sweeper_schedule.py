"""Register the outbox sweeper once (not per worker process)."""

from django.db import migrations

NAME = "Owed emails: queue again"


def register(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.update_or_create(
        name=NAME,
        defaults={
            "func": "bookings.tasks.requeue_stuck_emails",
            "schedule_type": "I",
            "minutes": 2,
            "repeats": -1,
        },
    )


def unregister(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0005_outbox_resend_fields"),
        ("django_q", "0018_task_success_index"),
    ]

    operations = [migrations.RunPython(register, unregister)]
