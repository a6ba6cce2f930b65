"""Register the dates-announced sweep once (not per worker process): people still waiting to hear
about a course that has a date, because the queue was down when it was published
(courses.tasks.sweep_interested)."""

from django.db import migrations

NAME = "Courses: tell people waiting for dates the queue missed"


def register(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.update_or_create(
        name=NAME,
        defaults={
            "func": "courses.tasks.sweep_interested",
            "schedule_type": "I",
            "minutes": 15,
            "repeats": -1,
        },
    )


def unregister(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0008_event_draft_course_interest"),
        ("django_q", "0018_task_success_index"),
    ]

    operations = [migrations.RunPython(register, unregister)]
