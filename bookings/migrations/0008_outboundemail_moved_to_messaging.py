"""OutboundEmail moved to the messaging app: drop it from bookings' state only (the table stays).

messaging/0001_outbound_email takes the same table (Meta.db_table = "bookings_outboundemail")
into its own state, so no row is lost and nothing is created or dropped.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0007_outbox_sweeper_every_minute"),
        ("messaging", "0001_outbound_email"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="OutboundEmail")],
            database_operations=[],
        )
    ]
