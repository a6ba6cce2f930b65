# The catalogue's typo-forgiving search uses trigram similarity (pg_trgm) on PostgreSQL; other
# databases (SQLite) use a Python fallback, so this does nothing there, forwards or backwards.
from django.db import migrations


def create_pg_trgm(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")


class Migration(migrations.Migration):
    dependencies = [("courses", "0005_course_launch_url_retired_on")]

    # Unapplied, the extension stays: other databases' objects may use it.
    operations = [migrations.RunPython(create_pg_trgm, migrations.RunPython.noop)]
