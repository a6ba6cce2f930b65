"""Point the outbox sweeper's schedule (registered by bookings/0006) at messaging.tasks, and move
the model's content type to this app so the lead keeps the view permission it had.

On a fresh database bookings/0006 registers the schedule under the old path and this renames it,
so it is still registered once; on an existing one it renames the schedule already there.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from people.roles import ROLE_PERMISSIONS

OLD = "bookings.tasks.requeue_stuck_emails"
NEW = "messaging.tasks.requeue_stuck_emails"


def _schedule(apps, old, new):
    apps.get_model("django_q", "Schedule").objects.filter(func=old).update(func=new)


def _content_type(apps, old_app, new_app):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label=new_app, model="outboundemail").exists():
        ContentType.objects.filter(app_label=old_app, model="outboundemail").update(
            app_label=new_app
        )


def _role_permissions(apps):
    # As people/0005: each role group holds exactly its list (now naming messaging's model).
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, allowed in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = [
            p.pk
            for p in Permission.objects.select_related("content_type")
            if f"{p.content_type.app_label}.{p.codename}" in allowed
        ]
        group.permissions.set(wanted)


def forwards(apps, schema_editor):
    _schedule(apps, OLD, NEW)
    _content_type(apps, "bookings", "messaging")
    _role_permissions(apps)


def backwards(apps, schema_editor):
    _schedule(apps, NEW, OLD)
    _content_type(apps, "messaging", "bookings")


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0001_outbound_email"),
        ("bookings", "0008_outboundemail_moved_to_messaging"),
        ("people", "0005_role_permissions_exactly"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("django_q", "0018_task_success_index"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
