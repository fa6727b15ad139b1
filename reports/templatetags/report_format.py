"""Display formatting for the report pages: amounts, percentages and counts in the page's language.

Thin wrappers over `common.numbers` with the active language (`123,37 tỷ đồng`, `97,02 %`
in Vietnamese; `123.37 billion VND`, `97.02%` in English). No figure is computed here: the
filters only format what the selectors return (docs/architecture.md, C20).
"""

from decimal import Decimal

from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from common import numbers
from common.i18n import is_english
from programmes.models import era_note

register = template.Library()

BILLION = Decimal(10**9)


def no_data() -> str:
    """What a page shows for a figure with no record behind it (None): never 0, never a bare dash."""
    return _("no data")


def _lang() -> str:
    return get_language() or "vi"


@register.filter
def billion_vnd(value: Decimal | int | None) -> str:
    """`65,47 tỷ đồng` / `65.47 billion VND`; "chưa có số liệu" for None."""
    return numbers.format_billion_vnd(value, _lang()) or no_data()


@register.filter
def billions(value: Decimal | int | None) -> str:
    """The number of `billion_vnd` without its unit (`65,47`), for table cells under a unit heading."""
    if value is None:
        return no_data()
    return numbers.format_billion_vnd(value, _lang()).split(" ", 1)[0]


@register.filter
def million_vnd(value: Decimal | int | None) -> str:
    """`850,5 triệu đồng` / `850.5 million VND`; "chưa có số liệu" for None."""
    return numbers.format_million_vnd(value, _lang()) or no_data()


@register.filter
def vnd(value: Decimal | int | None) -> str:
    """`1.250.000.000 đ` / `1,250,000,000 VND`; "chưa có số liệu" for None."""
    return numbers.format_vnd(value, _lang()) or no_data()


@register.filter
def pct(value: Decimal | None) -> str:
    """`97,02 %` / `97.02%`, rounded half-up to 2 places; "chưa có số liệu" when a figure is
    missing or there was nothing to divide by."""
    if value is None:
        return no_data()
    return numbers.format_pct(value, _lang())


@register.filter
def digits(value: int | Decimal | None) -> str:
    """A whole number with the language's thousands separator: `1.724` / `1,724`; "chưa có số liệu" for None."""
    if value is None:
        return no_data()
    return numbers.group_digits(value, _lang())


@register.filter
def axis_pct(value: float | Decimal) -> str:
    """A chart axis label in percent without decimals: `50 %` / `50%`."""
    number = numbers.format_decimal(Decimal(str(value)), 0, _lang())
    return f"{number}%" if is_english() else f"{number} %"


@register.filter
def axis_billions(value: float | Decimal) -> str:
    """A chart axis label in tỷ đồng without a unit: `50`, or `2,5` when the step is fractional."""
    amount = Decimal(str(value)) / BILLION
    places = (
        0 if amount == amount.to_integral_value() else 1 if (amount * 10) == (amount * 10).to_integral_value() else 2
    )
    return numbers.format_decimal(amount, places, _lang())


@register.filter
def axis_count(value: float | Decimal) -> str:
    """A chart axis label for counts: whole numbers with thousands separators."""
    return numbers.group_digits(Decimal(str(value)), _lang())


@register.filter
def in_language(obj, field: str = "name") -> str:
    """`obj.<field>_en` when the page is in English and it is filled in, else `obj.<field>`."""
    vietnamese = getattr(obj, field, "")
    if is_english():
        return getattr(obj, f"{field}_en", "") or vietnamese
    return vietnamese


@register.filter
def direction(value: Decimal | None) -> str:
    """`up`, `down` or `flat` for a change, `none` when there is none to show (a CSS class)."""
    if value is None:
        return "none"
    if value > 0:
        return "up"
    if value < 0:
        return "down"
    return "flat"


def _signed(text: str, value: Decimal | int) -> str:
    return f"+{text}" if value > 0 else text


@register.filter
def difference(value: Decimal | int | None, kind: str) -> str:
    """A difference (reported minus the portal's) in its unit, signed: `+0,62 tỷ đồng`,
    `-0,02 điểm %` for percentages, `+3` for counts, `0` when equal; "chưa có số liệu" for None."""
    if value is None:
        return no_data()
    if kind == "money":
        return _signed(numbers.format_billion_vnd(value, _lang()), value)
    if kind == "pct":
        number = numbers.format_decimal(Decimal(value), 2, _lang())
        return _signed(_("%(number)s points") % {"number": number}, value)
    return _signed(numbers.group_digits(value, _lang()), value)


@register.filter
def figure_value(value: Decimal | int | None, kind: str) -> str:
    """A figure in its unit: `123,37 tỷ đồng`, `97,02 %` or a count."""
    if kind == "money":
        return billion_vnd(value)
    if kind == "pct":
        return pct(value)
    return digits(value)


@register.filter
def era_in(province, year) -> str:
    """`until 30/06/2025` / `from 01/07/2025` when `province` covered only part of `year`, else ''."""
    return era_note(province, int(year))
