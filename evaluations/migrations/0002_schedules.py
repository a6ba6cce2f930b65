"""Register the scheduled jobs once, here, rather than in each worker process."""

from django.db import migrations

SCHEDULES = [
    # name, function, minutes between runs
    ("Booking reminders", "bookings.tasks.send_due_reminders", 15),
    ("Waiting-list offers expiry", "bookings.tasks.expire_offers", 5),
    ("Evaluation invitations", "evaluations.tasks.invite_due", 10),
    ("Evaluation reminders", "evaluations.tasks.remind_due", 60),
]


def register(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    for name, func, minutes in SCHEDULES:
        Schedule.objects.update_or_create(
            name=name,
            defaults={"func": func, "schedule_type": "I", "minutes": minutes, "repeats": -1},
        )


def unregister(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.filter(name__in=[s[0] for s in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("evaluations", "0001_initial"),
        ("django_q", "0018_task_success_index"),
    ]

    operations = [migrations.RunPython(register, unregister)]
