"""`python manage.py annual_report --start YYYY-MM-DD --end YYYY-MM-DD --output file.docx`.

Writes the "Multi-agency training and its impact" section as a Word document.
"""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from reports.annual import annual_section
from reports.document import annual_docx
from reports.periods import PeriodError, parse_period


class Command(BaseCommand):
    help = "Draft the annual report's training section for a period as a .docx file."

    def add_arguments(self, parser):
        parser.add_argument("--start", required=True, help="First day, YYYY-MM-DD.")
        parser.add_argument("--end", required=True, help="Last day (inclusive), YYYY-MM-DD.")
        parser.add_argument("--output", required=True, help="The .docx file to write.")

    def handle(self, *args, **options):
        try:
            start, end = parse_period(options["start"], options["end"])
        except PeriodError as error:
            raise CommandError(str(error)) from None
        output = Path(options["output"])
        if output.suffix.lower() != ".docx":
            raise CommandError(f"The output file must end in .docx (got {output.name!r}).")
        if not output.parent.is_dir():
            raise CommandError(f"The folder {str(output.parent)!r} does not exist.")
        try:
            content = annual_docx(annual_section(start=start, end=end))
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from None
        output.write_bytes(content)
        self.stdout.write(self.style.SUCCESS(f"Wrote {output} ({len(content):,} bytes)."))
