"""Each booking keeps its calendar UID.

Bookings made before this migration keep the UID their invites already carried
("booking-<id>@learning-loop"): a cancellation or update with any other UID would not reach the
entry in the delegate's calendar and would leave it there. New bookings get a random UID on the
site's own domain (bookings.models.new_calendar_uid).
"""

from django.db import migrations, models
from django.db.models.functions import Cast, Concat

import bookings.models


def keep_the_uids_already_sent(apps, schema_editor):
    Booking = apps.get_model("bookings", "Booking")
    Booking.objects.update(
        calendar_uid=Concat(
            models.Value("booking-"),
            Cast("pk", models.CharField(max_length=20)),
            models.Value("@learning-loop"),
            output_field=models.CharField(max_length=255),
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0008_outboundemail_moved_to_messaging"),
    ]

    operations = [
        migrations.AddField(
            model_name="booking",
            name="calendar_uid",
            field=models.CharField(
                default=bookings.models.new_calendar_uid, editable=False, max_length=255
            ),
        ),
        migrations.RunPython(keep_the_uids_already_sent, migrations.RunPython.noop),
    ]
