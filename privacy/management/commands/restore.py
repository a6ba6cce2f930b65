"""`manage.py restore FILE`: replace the database with a backup (make restore FILE=...)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from privacy.backup import BackupError, restore_database


class Command(BaseCommand):
    help = "Restore a backup made by `manage.py backup`, replacing everything in the database."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--database", default="default")
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive")

    def handle(self, *args, **options):
        connection = connections[options["database"]]
        name = connection.settings_dict["NAME"]
        if options["interactive"]:
            answer = input(
                f"This replaces everything in the database {name} with {options['file']}.\n"
                "Stop the web server and the worker first. Type 'yes' to continue: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled.")
        connection.close()
        try:
            restore_database(connection.settings_dict, options["file"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Restored {options['file']} into {name}")
