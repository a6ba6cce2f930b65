"""The L&D lead may read the audit trail (never change or delete it: the admin is read-only)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    app_config = apps.get_app_config("privacy")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    lead = Group.objects.filter(name="L&D lead").first()
    if lead is not None:
        lead.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="privacy", codename="view_auditentry"
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0002_retention_schedule"),
        ("people", "0003_lead_permissions"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
