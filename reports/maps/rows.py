"""The map's rows from a dashboard summary (programmes.selectors.summary), without a query.

Only plan completion can be mapped from a summary today: its province rows carry each
province's plan and disbursement by fund, but neither the previous year's plan (for plan
growth) nor the support of contracted projects (for disbursement against it). Mapping those
needs them in `ProvinceRow` first.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from programmes import numbers, progress
from programmes.models import Province
from programmes.selectors import ProvinceRow, Summary

from . import geometry
from .choropleth import COMPLETION, MERGER_DATE, MapRow, Scale, era_for

ZERO = Decimal(0)


@dataclass(frozen=True)
class Measure:
    key: str
    name: Promise  # what is mapped, the legend's title
    divides: Promise  # what the percentage divides, under it
    scale: Scale


MEASURES = {
    "completion": Measure(
        key="completion",
        name=gettext_lazy("Plan completion"),
        divides=gettext_lazy("Disbursed as a share of the approved plan"),
        scale=COMPLETION,
    ),
}


def province_url(province: Province) -> str:
    return reverse("reports:province", kwargs={"province_id": province.pk})


def whole_pct(value: Decimal | None) -> str:
    """The label written on the map: the whole percent at or below the value shown (`99 %` for
    99,60 %), so that a label never reads as the class above its colour; '' for None."""
    shown = progress.round_pct(value)
    if shown is None:
        return ""
    lang = get_language() or "vi"
    number = numbers.format_decimal(Decimal(math.floor(shown)), 0, lang)
    return f"{number}%" if lang.lower().startswith("en") else f"{number} %"


def _territories(rows: list[ProvinceRow], era: str) -> list[tuple[Province, list[ProvinceRow]]]:
    """Each province of `era` among `rows` with the rows that count for its territory: its own,
    and in the new era also those of the provinces merged into it (their January–June 2025)."""
    own = [row for row in rows if (row.province.valid_from >= MERGER_DATE) == (era == geometry.NEW)]
    result = []
    for row in own:
        members = [row]
        if era == geometry.NEW:
            members += [other for other in rows if other.province.merged_into_id == row.province.pk]
        result.append((row.province, members))
    return result


def map_rows_from_summary(
    summary: Summary,
    measure: str = "completion",
    *,
    era: str | None = None,
    url: Callable[[Province], str | None] = province_url,
) -> list[MapRow]:
    """One `MapRow` per province of `era` in `summary.provinces` (default: the era of the
    summary's cut-off, `era_for(summary.as_of)`), coloured by `measure`.

    In the new era a province's figures are those of its territory: its own rows plus the
    rows of the provinces merged into it, so that a 2025 map counts January–June too. Old
    rows are left out of a new-era map (they are inside their successor) and new rows out of
    an old-era map. A province with no plan gets the value None (no data), never 0.
    ValueError for a measure a summary cannot give (see the module's docstring).
    """
    if measure not in MEASURES:
        raise ValueError(f"{measure!r} cannot be mapped from a summary; it can map {sorted(MEASURES)}")
    era = era or era_for(summary.as_of)
    lang = get_language() or "vi"
    rows = []
    for province, members in _territories(summary.provinces, era):
        plan = sum((row.plan_total_vnd for row in members), ZERO)
        actual = sum((row.actual_total_vnd for row in members), ZERO)
        value = progress.completion_pct(actual, plan)
        rows.append(
            MapRow(
                code=province.code,
                value=value,
                label=whole_pct(value),
                lines=(
                    f"{_('Completion')}: {numbers.format_pct(value, lang)}",
                    f"{_('Plan')}: {numbers.format_billion_vnd(plan, lang)}",
                    f"{_('Disbursed')}: {numbers.format_billion_vnd(actual, lang)}",
                ),
                url=url(province),
            )
        )
    return rows
