"""`manage.py forget_cached_figures`: every cached figure is computed again on its next read.

Needed when the database has gone back in time: a backup restored, or a standby promoted before
it had replayed the last commits. The figures' versions then repeat values that cached figures
of the lost state are keyed on.
"""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from programmes.services.rollup import forget_cached_figures


class Command(BaseCommand):
    help = "Make every cached summary unreachable, after a restore or a failover."

    def handle(self, *args, **options):
        forget_cached_figures()
        self.stdout.write(_("Cached figures forgotten: every summary is computed again on its next read."))
