"""`python manage.py load_demo`: load (or reload) the demo data and print the demo logins."""

import os

from django.core.management.base import BaseCommand
from django.utils.formats import number_format
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from programmes import demo
from programmes.numbers import group_digits


class Command(BaseCommand):
    help = "Load realistic demo data for 2015–2026 (idempotent) and print the demo logins."

    def handle(self, *args, **options):
        password = os.environ.get("DEMO_PASSWORD") or demo.DEFAULT_PASSWORD
        result = demo.load(password=password)

        labels = {
            "plans": pgettext("demo", "budget plans"),
            "targets": pgettext("demo", "indicator targets"),
            "projects": pgettext("demo", "projects"),
            "steps": pgettext("demo", "lifecycle steps"),
            "disbursements": pgettext("demo", "disbursements"),
            "outputs": pgettext("demo", "outputs"),
            "centres": pgettext("demo", "extension centres"),
            "networks": pgettext("demo", "collaborator networks"),
            "periods": pgettext("demo", "reporting periods"),
            "users": pgettext("demo", "demo users"),
        }
        self.stdout.write(
            self.style.SUCCESS(
                _("Demo data loaded in %(seconds)s s (as of %(day)s):")
                % {"seconds": number_format(result.seconds, 1), "day": result.as_of.strftime("%d/%m/%Y")}
            )
        )
        for key, label in labels.items():
            self.stdout.write(f"  {group_digits(result.counts[key], get_language()):>8}  {label}")

        rows = [(pgettext("demo", "username"), pgettext("demo", "password"), pgettext("demo", "role"))]
        rows += [(user.username, password, str(user.role)) for user in demo.DEMO_USERS]
        widths = [max(len(row[i]) for row in rows) for i in range(2)]
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING(_("Demo logins:")))
        for number, (username, secret, role) in enumerate(rows):
            self.stdout.write(f"  {username:<{widths[0]}}  {secret:<{widths[1]}}  {role}")
            if number == 0:
                self.stdout.write(f"  {'-' * widths[0]}  {'-' * widths[1]}  {'-' * len(role)}")
