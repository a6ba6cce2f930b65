"""ImportRun moved to the imports app: drop it from reports' state only (the table stays).

imports/0001_import_run takes the same table (Meta.db_table = "reports_importrun") into its own
state, so no row is lost and nothing is created or dropped.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_import_run_interrupt_schedule"),
        ("imports", "0001_import_run"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ImportRun")],
            database_operations=[],
        )
    ]
