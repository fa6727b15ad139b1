"""`manage.py check_figures`: compare the figures' rollup tables with the raw rows they sum.

Exits 0 when they agree, 1 after listing every difference (CI runs it after the demo load).
"""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from programmes.models import FundingSource, Indicator, Province
from programmes.selectors.rollup import figure_differences


def _side(value) -> str:
    if value is None:
        return _("no row")
    total, count = value
    return _("sum %(total)s from %(count)s rows") % {"total": f"{total:,}".replace(",", "."), "count": count}


class Command(BaseCommand):
    help = "Compare the monthly totals the summaries read with the raw disbursements and outputs; exit 1 if any differ."

    def handle(self, *args, **options):
        differences = figure_differences()
        if not differences:
            self.stdout.write(_("Figures checked: the monthly totals equal the raw disbursements and outputs."))
            return
        provinces = {p.pk: p.name for p in Province.objects.all()}
        indicators = {i.pk: i.name for i in Indicator.objects.all()}
        for difference in differences:
            year, province_id, what, month = difference.key
            if difference.table == "disbursements":
                table, item = _("Disbursements"), FundingSource(what).label
            else:
                table, item = _("Outputs"), indicators.get(what, what)
            self.stderr.write(
                _(
                    "%(table)s of the %(year)s projects of %(province)s, %(item)s, %(month)s: "
                    "the totals hold %(rollup)s, the raw rows %(raw)s."
                )
                % {
                    "table": table,
                    "year": year,
                    "province": provinces.get(province_id, province_id),
                    "item": item,
                    "month": f"{month:%m/%Y}",
                    "rollup": _side(difference.rollup),
                    "raw": _side(difference.raw),
                }
            )
        self.stderr.write(
            _("%(count)s differences: run “manage.py rebuild_figures” to rebuild the totals.")
            % {"count": len(differences)}
        )
        raise SystemExit(1)
