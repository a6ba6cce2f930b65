"""`manage.py anonymise_person EMAIL`: an erasure request, from the command line."""

from django.core.management.base import BaseCommand, CommandError

from people.models import User
from privacy import anonymise


class Command(BaseCommand):
    help = "Anonymise one person (erasure). Their bookings and ratings stay, without their name."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive")

    def handle(self, *args, **options):
        person = User.objects.filter(email__iexact=options["email"].strip()).first()
        if person is None:
            raise CommandError("No one has this email address.")
        if options["interactive"]:
            answer = input(f"Anonymise person {person.pk} ({person.email})? Type 'yes': ")
            if answer.strip().lower() != "yes":
                raise CommandError("Cancelled.")
        try:
            anonymise.person_anonymise(person=person, actor=None, reason="request")
        except anonymise.PrivacyError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Person {person.pk} anonymised.")
