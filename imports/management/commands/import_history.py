"""`python manage.py import_history DIR`: past records from CSV or .xlsx files (issues 5, 19)."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from imports.models import ImportMapping
from imports.readers import ACCEPTED_LIST
from imports.services import import_history
from imports.summary import NOTHING_TO_IMPORT, ImportErrors

NOT_FOUND = "{path} is not a directory (or a .zip) of import files"
FAILED = "Nothing was imported: {count} problem{s} found."
UNKNOWN_MAPPING = "No saved mapping is named '{name}'. Saved mappings: {known}."
NO_MAPPINGS = "none (save one from the preview of an upload)"


class Command(BaseCommand):
    help = (
        "Import past training records from files in DIR (any of "
        + ACCEPTED_LIST
        + "). Every row is checked first; if any is wrong nothing is written and every bad row "
        "is listed by file and line. Importing the same files again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="Directory (or .zip) holding the files")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the files and show what would be imported, without saving anything",
        )
        parser.add_argument(
            "--mapping",
            metavar="NAME",
            help="Give columns the fields of this mapping saved from an upload's preview "
            "(other columns are matched by name)",
        )

    def handle(self, *args, directory, dry_run=False, mapping=None, verbosity=1, **options):
        path = Path(directory)
        if not (path.is_dir() or (path.is_file() and path.suffix.lower() == ".zip")):
            raise CommandError(NOT_FOUND.format(path=path))
        columns = None
        if mapping is not None:
            saved = ImportMapping.objects.filter(name=mapping).first()
            if saved is None:
                known = ", ".join(ImportMapping.objects.values_list("name", flat=True))
                raise CommandError(UNKNOWN_MAPPING.format(name=mapping, known=known or NO_MAPPINGS))
            columns = saved.columns
        # Progress every 10,000 rows at the default verbosity; -v 0 keeps only the summary.
        progress = self.stdout.write if verbosity >= 1 else None
        started = time.monotonic()
        try:
            summary = import_history(path, dry_run=dry_run, progress=progress, mapping=columns)
        except ImportErrors as errors:
            count = len(errors.messages)
            raise CommandError(
                "\n".join([*errors.messages, FAILED.format(count=count, s="s" * (count != 1))])
            ) from None
        if not summary.files:
            # Exit non-zero: a script or scheduled job must not take "nothing there" for success.
            raise CommandError(NOTHING_TO_IMPORT.format(path=path))
        for line in summary.lines():
            self.stdout.write(line)
        if verbosity >= 1:
            self.stdout.write(f"Done in {time.monotonic() - started:.1f} s.")
