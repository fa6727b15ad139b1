"""Roman numerals, in which the agency numbers its conferences ("lần thứ VII")."""

_NUMERALS = (
    (1000, "M"),
    (900, "CM"),
    (500, "D"),
    (400, "CD"),
    (100, "C"),
    (90, "XC"),
    (50, "L"),
    (40, "XL"),
    (10, "X"),
    (9, "IX"),
    (5, "V"),
    (4, "IV"),
    (1, "I"),
)


def to_roman(number: int) -> str:
    """`number` in Roman numerals (7 → "VII", 14 → "XIV"); ValueError outside 1–3999."""
    if not 1 <= number <= 3999:
        raise ValueError(f"No Roman numeral for {number}.")
    parts = []
    for value, letters in _NUMERALS:
        count, number = divmod(number, value)
        parts.append(letters * count)
    return "".join(parts)
