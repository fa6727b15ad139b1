"""The map of a page: a summary's provinces drawn by the measure the page's `?map=` asks for,
with the switch between the measures (plain links, so it works without script)."""

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from programmes.models import Province
from programmes.selectors import Summary

from .choropleth import ChoroplethMap, choropleth
from .rows import COMPLETION_MEASURE, MEASURES, map_rows_from_summary, summary_era

MAP_PARAM = "map"


@dataclass(frozen=True)
class MeasureLink:
    key: str
    label: str
    url: str
    current: bool


@dataclass(frozen=True)
class PageMap:
    map: ChoroplethMap
    switch: tuple[MeasureLink, ...]
    measure: str


def chosen_measure(value: str | None) -> str:
    """The measure a `?map=` value asks for; plan completion for none or an unknown one."""
    return value if value in MEASURES else COMPLETION_MEASURE


def page_map(
    summary: Summary,
    *,
    measure: str | None,
    url: Callable[[Province], str | None],
    path: str,
    params: dict[str, str],
    regional: bool,
    dom_id: str = "province-map",
) -> PageMap | None:
    """The map of `summary` by `measure` (see `chosen_measure`), each province linking to
    `url(province)`, and the switch: for each measure, `path` with `params` and `map=<key>`,
    anchored at the map. `regional` draws only the summary's provinces, the others as ground.
    None when the summary lists no province (nothing to map).
    """
    if not summary.provinces:
        return None
    measure = chosen_measure(measure)
    chosen = MEASURES[measure]
    rows = map_rows_from_summary(summary, measure, url=url)
    drawn = choropleth(
        rows,
        era=summary_era(summary),
        measure=str(chosen.name),
        divides=str(chosen.divides),
        scale=chosen.scale,
        only=[row.code for row in rows] if regional else None,
        dom_id=dom_id,
    )
    others = {key: value for key, value in params.items() if key != MAP_PARAM}
    switch = tuple(
        MeasureLink(
            key=key,
            label=str(option.name),
            url=f"{path}?{urlencode({**others, MAP_PARAM: key})}#{dom_id}",
            current=key == measure,
        )
        for key, option in MEASURES.items()
    )
    return PageMap(map=drawn, switch=switch, measure=measure)
