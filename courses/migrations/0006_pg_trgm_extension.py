# The catalogue's typo-forgiving search uses trigram similarity (pg_trgm) on PostgreSQL.
# TrigramExtension does nothing on other databases (SQLite uses a Python fallback).
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("courses", "0005_course_launch_url_retired_on")]

    operations = [TrigramExtension()]
