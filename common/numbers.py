"""Reading and writing whole numbers the way Vietnamese (and English) users type them.

Pure functions, no Django: `1.250.000.000` in Vietnamese and `1,250,000,000` in English are the
same amount. The language is passed in by the caller (forms pass the active language).
`round_pct` is the one rounding of a percentage (half-up, 2 places, docs/design.md §4), for
display and the API; `programmes.rules.progress` computes the exact ratios it rounds.
"""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .i18n import is_english

CENT = Decimal("0.01")

# The largest amount of money the portal accepts, in đồng, whatever the door (form, admin, API,
# import: programmes.fields.MoneyField validates it, common.forms and the importer ask
# `exceeds_max_amount`). Far above any provincial budget line (the whole national programme is a
# few hundred billion a year), so a typo of extra zeros is refused.
MAX_AMOUNT_VND = 10**15


def exceeds_max_amount(value: int | Decimal) -> bool:
    """The one comparison with MAX_AMOUNT_VND: True above it (the maximum itself is accepted)."""
    return value > MAX_AMOUNT_VND


# Spaces people paste from Word and Excel: plain, no-break and narrow no-break.
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_UNIT_SUFFIX = re.compile(r"(đồng|đ|vnđ|vnd|₫)$", re.IGNORECASE)


class NumberFormatError(ValueError):
    """The text is not a number in the expected format; `code` tells which rule it broke."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def separators(lang: str | None) -> tuple[str, str]:
    """(thousands, decimal) separators for a language code: Vietnamese `.`/`,`, English `,`/`.`."""
    if is_english(lang or "vi"):
        return ",", "."
    return ".", ","


def parse_whole_number(text: str, lang: str | None = "vi") -> Decimal:
    """The whole number written in `text`, as a Decimal with no fractional part.

    Accepts thousands separators of the language (strictly in groups of three, so that `1.5` is
    not silently read as fifteen), spaces, a trailing unit (`đ`, `đồng`, `VND`) and a zero
    fraction (`1.250,00`). Raises NumberFormatError with code `empty`, `invalid`, `fraction`
    (a non-zero fractional part) or `negative`.
    """
    cleaned = _UNIT_SUFFIX.sub("", _SPACES.sub("", text or "")).strip()
    if not cleaned:
        raise NumberFormatError("empty")
    negative = cleaned.startswith("-")
    if cleaned[0] in "+-":
        cleaned = cleaned[1:]
    thousands, decimal_sep = separators(lang)
    integer_part, _, fraction = cleaned.partition(decimal_sep)
    if decimal_sep in fraction or not integer_part:
        raise NumberFormatError("invalid")
    groups = integer_part.split(thousands)
    if len(groups) > 1 and (not 1 <= len(groups[0]) <= 3 or any(len(group) != 3 for group in groups[1:])):
        raise NumberFormatError("invalid")
    digits = "".join(groups)
    if not digits.isdigit() or (fraction and not fraction.isdigit()):
        raise NumberFormatError("invalid")
    if fraction.strip("0"):
        raise NumberFormatError("fraction")
    if negative and int(digits) != 0:
        raise NumberFormatError("negative")
    try:
        return Decimal(digits)
    except InvalidOperation:  # pragma: no cover - digits is all ASCII digits here
        raise NumberFormatError("invalid") from None


def group_digits(value: int | Decimal, lang: str | None = "vi") -> str:
    """A whole number with the language's thousands separator: 1250000000 -> `1.250.000.000`.

    A fractional part, if any, is dropped towards zero; callers pass whole đồng or counts.
    """
    thousands, _decimal = separators(lang)
    number = int(value)
    sign = "-" if number < 0 else ""
    return sign + f"{abs(number):,}".replace(",", thousands)


def format_vnd(value: int | Decimal | None, lang: str | None = "vi") -> str:
    """`1.250.000.000 đ` (Vietnamese) or `1,250,000,000 VND` (English); empty string for None."""
    if value is None:
        return ""
    unit = "VND" if separators(lang)[0] == "," else "đ"
    return f"{group_digits(value, lang)} {unit}"


def format_decimal(value: Decimal, places: int, lang: str | None = "vi") -> str:
    """`value` rounded half-up to `places` decimals with the language's separators: `1.234,57`."""
    thousands, decimal_sep = separators(lang)
    quantum = Decimal(1).scaleb(-places)
    rounded = Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "-" if rounded < 0 else ""
    whole, _, fraction = f"{abs(rounded):f}".partition(".")
    text = f"{int(whole):,}".replace(",", thousands)
    return sign + (f"{text}{decimal_sep}{fraction}" if places else text)


def format_billion_vnd(value: Decimal | int | None, lang: str | None = "vi") -> str:
    """An amount in tỷ đồng with 2 decimals: `123,37 tỷ đồng` / `123.37 billion VND`; '' for None."""
    if value is None:
        return ""
    number = format_decimal(Decimal(value) / Decimal(10**9), 2, lang)
    return f"{number} billion VND" if separators(lang)[0] == "," else f"{number} tỷ đồng"


def format_million_vnd(value: Decimal | int | None, lang: str | None = "vi") -> str:
    """An amount in triệu đồng with 1 decimal: `850,5 triệu đồng` / `850.5 million VND`; '' for None."""
    if value is None:
        return ""
    number = format_decimal(Decimal(value) / Decimal(10**6), 1, lang)
    return f"{number} million VND" if separators(lang)[0] == "," else f"{number} triệu đồng"


def round_pct(value: Decimal | None) -> Decimal | None:
    """`value` rounded half-up to 2 decimal places (97.015 → 97.02); None stays None."""
    if value is None:
        return None
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def format_pct(value: Decimal | None, lang: str | None = "vi", empty: str = "–") -> str:
    """A percentage rounded half-up to 2 places: `97,02 %` (Vietnamese) or `97.02%` (English).

    `empty` (a dash) when there was nothing to divide by.
    """
    rounded = round_pct(value)
    if rounded is None:
        return empty
    number = format_decimal(rounded, 2, lang)
    return f"{number}%" if separators(lang)[0] == "," else f"{number} %"
