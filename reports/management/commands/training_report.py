"""`python manage.py training_report --start YYYY-MM-DD --end YYYY-MM-DD --format json|csv|text`.

Prints the period's figures. The CSV is UTF-8 with a byte order mark and CRLF line ends, like
every CSV download, so Excel on Windows opens a saved copy correctly. The JSON keys are a
contract other tools rely on (issue 5); see reports.exporters.CONTRACT_KEYS.
"""

from django.core.management.base import BaseCommand, CommandError

from reports.exporters import report_csv_text, report_json_text, report_text
from reports.periods import PeriodError, parse_period
from reports.report import report_build
from reports.tables import report_tables


class Command(BaseCommand):
    help = "Print the training figures for a period (events by start date, Europe/London)."

    def add_arguments(self, parser):
        parser.add_argument("--start", required=True, help="First day, YYYY-MM-DD.")
        parser.add_argument("--end", required=True, help="Last day (inclusive), YYYY-MM-DD.")
        parser.add_argument("--format", choices=["json", "csv", "text"], default="text")

    def handle(self, *args, **options):
        try:
            start, end = parse_period(options["start"], options["end"])
        except PeriodError as error:
            raise CommandError(str(error)) from None
        report = report_build(start=start, end=end)
        if options["format"] == "json":
            self.stdout.write(report_json_text(report))
        elif options["format"] == "csv":
            self._write_csv(report_csv_text(report))
        else:
            self.stdout.write(report_text(report, report_tables(report)), ending="")

    def _write_csv(self, text: str) -> None:
        """The CSV as UTF-8 bytes (with its byte order mark and CRLF line ends), whatever the
        terminal's encoding and newline translation; a text stream (tests) gets the text."""
        out = getattr(self.stdout, "_out", self.stdout)
        if hasattr(out, "buffer"):
            out.flush()
            out.buffer.write(text.encode("utf-8"))
            out.buffer.flush()
        else:
            self.stdout.write(text, ending="")
