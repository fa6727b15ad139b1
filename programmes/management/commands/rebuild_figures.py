"""`manage.py rebuild_figures`: fill the figures' rollup tables again from the raw rows.

Needed only after a load that bypassed the triggers (the benchmark generator), or to repair what
`check_figures` reported; every ordinary write keeps the tables exact by itself.
"""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from programmes.services.rollup import rebuild_figures


class Command(BaseCommand):
    help = "Rebuild the monthly disbursement and output totals the summaries read, from the raw rows."

    def handle(self, *args, **options):
        written = rebuild_figures()
        self.stdout.write(
            _("Figures rebuilt: %(disbursements)s monthly disbursement totals, %(outputs)s monthly output totals.")
            % written
        )
