"""`python manage.py load_demo`: the demo data set (see demo/data.py), then the demo sign-ins."""

import time

from django.core.management.base import BaseCommand

from demo.data import format_sign_ins, load_demo


class Command(BaseCommand):
    help = (
        "Load the demo data set: the partnership's 2022/23 year as raw records, upcoming events "
        "for the next three months, and one sign-in per role. Safe to run again."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        result = load_demo()
        if result.created:
            seconds = time.monotonic() - started
            self.stdout.write(self.style.SUCCESS(f"Demo data loaded in {seconds:.1f} s."))
            # As after an import: the report pages open with their charts drawn (reports.warm).
            from reports.warm import report_charts_draw

            started = time.monotonic()
            drawn = report_charts_draw()
            seconds = time.monotonic() - started
            self.stdout.write(f"Report charts drawn: {drawn['charts']} in {seconds:.1f} s.")
        else:
            self.stdout.write("Demo data already loaded: nothing added.")
        self.stdout.write(format_sign_ins(result))
