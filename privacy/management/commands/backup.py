"""`manage.py backup [--output FILE]`: a consistent copy of the database (make backup)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils import timezone

from privacy.backup import BackupError, backup_database, default_suffix


class Command(BaseCommand):
    help = "Back up the database: pg_dump -Fc (PostgreSQL) or SQLite's online backup API."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="File to write (default: backups/<time>)")
        parser.add_argument("--database", default="default")

    def handle(self, *args, **options):
        settings_dict = connections[options["database"]].settings_dict
        output = options["output"]
        if not output:
            folder = Path(getattr(settings, "BACKUP_DIR", settings.BASE_DIR / "backups"))
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
            output = folder / f"learning-loop-{stamp}{default_suffix(settings_dict)}"
        try:
            path = backup_database(settings_dict, output)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Backup written to {path}")
