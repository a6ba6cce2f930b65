"""Each role group holds exactly its list in people.roles.ROLE_PERMISSIONS.

Migration 0003 gave the L&D lead every django_q permission, so a lead could add a schedule
(any function, run on the worker). This strips every permission outside the lists.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from people.roles import ROLE_PERMISSIONS


def set_role_permissions(apps, schema_editor):
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


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0004_organisation_log"),
        ("courses", "0002_initial"),
        ("bookings", "0007_outbox_sweeper_every_minute"),
        ("evaluations", "0002_schedules"),
        ("privacy", "0003_lead_can_view_audit"),
        ("django_q", "0018_task_success_index"),
    ]

    operations = [migrations.RunPython(set_role_permissions, migrations.RunPython.noop)]
