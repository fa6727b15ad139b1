"""`python manage.py load_demo_conferences`: load (or reload) the demo conferences, after `load_demo`."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from conferences import demo


class Command(BaseCommand):
    help = "Load the demo regional conferences 2015–2026 (idempotent); run after load_demo."

    def handle(self, *args, **options):
        try:
            result = demo.load()
        except demo.DemoDataError as error:
            raise CommandError(str(error)) from error
        labels = {
            "conferences": pgettext("demo", "conferences"),
            "papers": pgettext("demo", "papers"),
            "recommendations": pgettext("demo", "recommendations"),
            "awards": pgettext("demo", "awards"),
        }
        self.stdout.write(self.style.SUCCESS(_("Demo conferences loaded:")))
        for key, label in labels.items():
            self.stdout.write(f"  {result.counts[key]:>5}  {label}")
