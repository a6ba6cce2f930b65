"""The outbox sweeper every minute (was 2): with overtaken emails detected (bookings.emails),
an email lost with a killed worker goes out again within about a minute and a half."""

from django.db import migrations

NAME = "Owed emails: queue again"


def every(minutes):
    def apply(apps, schema_editor):
        apps.get_model("django_q", "Schedule").objects.filter(name=NAME).update(minutes=minutes)

    return apply


class Migration(migrations.Migration):
    dependencies = [("bookings", "0006_outbox_sweeper_schedule")]

    operations = [migrations.RunPython(every(1), every(2))]
