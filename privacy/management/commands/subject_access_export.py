"""`manage.py subject_access_export EMAIL [--zip] [--output FILE]`: all held about a person."""

from django.core.management.base import BaseCommand, CommandError

from people.models import User
from privacy import export, exporters


class Command(BaseCommand):
    help = "Export everything held about one person (a subject access request), as JSON or ZIP."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--zip", action="store_true", help="A ZIP of JSON and CSV files")
        parser.add_argument("--output", "-o", help="File to write (default: standard output)")

    def handle(self, *args, **options):
        person = User.objects.filter(email__iexact=options["email"].strip()).first()
        if person is None:
            raise CommandError("No one has this email address.")
        fmt = "zip" if options["zip"] else "json"
        if fmt == "zip" and not options["output"]:
            raise CommandError("A ZIP needs --output FILE.")
        data = export.subject_access_record(person=person, actor=None, fmt=fmt)
        content = exporters.export_zip(data) if fmt == "zip" else exporters.export_json(data)
        if options["output"]:
            with open(options["output"], "wb") as handle:
                handle.write(content)
            self.stdout.write(f"Written to {options['output']}")
        else:
            self.stdout.write(content.decode())
