from django.contrib.auth.management import create_permissions
from django.db import migrations

LEAD_APPS = ("people", "courses", "bookings", "evaluations", "django_q")


def grant_lead_permissions(apps, schema_editor):
    # Permissions are normally created after migrate; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    lead = Group.objects.get(name="L&D lead")
    lead.permissions.add(*Permission.objects.filter(content_type__app_label__in=LEAD_APPS))
    lead.permissions.add(*Permission.objects.filter(content_type__app_label="auth",
                                                    content_type__model="group",
                                                    codename="view_group"))


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0002_roles_and_cache_table"),
        ("courses", "0001_initial"),
        ("bookings", "0001_initial"),
        ("evaluations", "0001_initial"),
        ("django_q", "0018_task_success_index"),
    ]

    operations = [migrations.RunPython(grant_lead_permissions, migrations.RunPython.noop)]
