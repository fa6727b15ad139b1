"""The map's rows from a dashboard summary (programmes.selectors.summary), without a query.

`Summary.provinces` lists the provinces in force at the cut-off, each with its territory's
records of the whole year (a new province with its predecessors', so that a 2025 map counts
January–June too): exactly the provinces of the era the map draws (`era_for(cutoff_day)`).
Three measures can be mapped, each a percentage of one division:

- `completion`: disbursed over the plan as revised;
- `growth`: the first-approved plan over the previous year's first-approved plan, on the same
  territory (the ministry's convention for growth);
- `rate`: disbursed over the support of the year's contracted projects.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from common import numbers
from programmes.models import Province
from programmes.selectors import ProvinceRow, Summary

from .choropleth import COMPLETION, GROWTH, MapRow, Scale, era_for


@dataclass(frozen=True)
class Measure:
    key: str
    name: Promise  # what is mapped, the legend's title and the switch's label
    divides: Promise  # what the percentage divides, under the legend's title
    scale: Scale


COMPLETION_MEASURE = "completion"
GROWTH_MEASURE = "growth"
RATE_MEASURE = "rate"

MEASURES = {
    COMPLETION_MEASURE: Measure(
        key=COMPLETION_MEASURE,
        name=gettext_lazy("Plan completion"),
        divides=gettext_lazy("Disbursed as a share of the plan as revised"),
        scale=COMPLETION,
    ),
    GROWTH_MEASURE: Measure(
        key=GROWTH_MEASURE,
        name=gettext_lazy("Plan growth"),
        divides=gettext_lazy(
            "The first-approved plan against the previous year's first-approved plan, on the same territory"
        ),
        scale=GROWTH,
    ),
    RATE_MEASURE: Measure(
        key=RATE_MEASURE,
        name=gettext_lazy("Disbursed vs contracted support"),
        divides=gettext_lazy("Disbursed as a share of the support of the year's contracted projects"),
        scale=COMPLETION,
    ),
}


def province_url(province: Province) -> str:
    return reverse("reports:province", kwargs={"province_id": province.pk})


def whole_pct(value: Decimal | None) -> str:
    """The label written on the map: the whole percent at or below the value shown (`99 %` for
    99,60 %), so that a label never reads as the class above its colour; '' for None."""
    shown = numbers.round_pct(value)
    if shown is None:
        return ""
    lang = get_language() or "vi"
    number = numbers.format_decimal(Decimal(math.floor(shown)), 0, lang)
    return f"{number}%" if lang.lower().startswith("en") else f"{number} %"


def _value_and_lines(row: ProvinceRow, measure: str, year: int, lang: str) -> tuple[Decimal | None, tuple[str, ...]]:
    """The mapped percentage of `row` and the figures it divides, as shown in its tip."""
    no_data = _("No data")

    def pct(value, lang):
        return numbers.format_pct(value, lang, empty=no_data)

    def billions(value, lang):
        return no_data if value is None else numbers.format_billion_vnd(value, lang)

    # Labels first: makemessages does not read gettext calls inside f-strings.
    if measure == GROWTH_MEASURE:
        value = row.plan_growth_pct
        growth = _("Growth of the first-approved plan")
        this_year = _("First-approved plan %(year)s") % {"year": year}
        last_year = _("First-approved plan %(year)s") % {"year": year - 1}
        return value, (
            f"{growth}: {pct(value, lang)}",
            f"{this_year}: {billions(row.original_plan_total_vnd, lang)}",
            f"{last_year}: {billions(row.original_plan_prev_total_vnd, lang)}",
        )
    disbursed = _("Disbursed")
    if measure == RATE_MEASURE:
        value = row.disbursement_rate_pct
        rate = _("Disbursed vs contracted support")
        contracted = _("Support of contracted projects")
        return value, (
            f"{rate}: {pct(value, lang)}",
            f"{contracted}: {billions(row.committed_total_vnd, lang)}",
            f"{disbursed}: {billions(row.actual_total_vnd, lang)}",
        )
    value = row.completion_pct
    completion, plan = _("Completion"), _("Plan as revised")
    return value, (
        f"{completion}: {pct(value, lang)}",
        f"{plan}: {billions(row.plan_total_vnd, lang)}",
        f"{disbursed}: {billions(row.actual_total_vnd, lang)}",
    )


def map_rows_from_summary(
    summary: Summary,
    measure: str = COMPLETION_MEASURE,
    *,
    url: Callable[[Province], str | None] = province_url,
) -> list[MapRow]:
    """One `MapRow` per province of `summary.provinces` (the provinces in force at the cut-off,
    i.e. of the era `era_for(summary.cutoff_day)`), coloured by `measure` (a key of MEASURES).

    A province without the figures its measure divides (no approved plan, no plan the year
    before, nothing contracted) gets the value None (no data), never 0; its tip still shows
    the figures it has. `url(province)` is its link (None: no link).
    ValueError for an unknown measure.
    """
    if measure not in MEASURES:
        raise ValueError(f"{measure!r} cannot be mapped from a summary; it can map {sorted(MEASURES)}")
    lang = get_language() or "vi"
    rows = []
    for row in summary.provinces:
        value, lines = _value_and_lines(row, measure, summary.year, lang)
        rows.append(
            MapRow(code=row.province.code, value=value, label=whole_pct(value), lines=lines, url=url(row.province))
        )
    return rows


def summary_era(summary: Summary) -> str:
    """The era the map of `summary` draws: that of the provinces listed at its cut-off."""
    return era_for(summary.cutoff_day)
