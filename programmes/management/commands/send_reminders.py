"""`manage.py send_reminders`: the reporting calendar's reminders of the day, from a daily timer.

Safe to run as often as wanted, and from two timers at once: each item is reminded at most once
per person and day (an overdue report every day, a due-soon item when its window opens and on
its due date; services.reminders).
"""

import datetime

from django.core.management.base import BaseCommand, CommandError

from programmes.services.reminders import send_reminders


class Command(BaseCommand):
    help = (
        "Send the deadline reminders due today (reports due soon or overdue, settlements due); "
        "each at most once per item, person and day."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Act as if today were this day (YYYY-MM-DD), e.g. to test a timer.")

    def handle(self, *args, **options):
        today = None
        if options["date"]:
            try:
                today = datetime.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(f"--date must be a day written YYYY-MM-DD; got {options['date']!r}") from None
        run = send_reminders(today=today)
        details = ", ".join(f"{kind}: {count}" for kind, count in sorted(run.created.items())) or "none new"
        self.stdout.write(f"{run.items} items due, {run.total} reminders sent ({details}).")
