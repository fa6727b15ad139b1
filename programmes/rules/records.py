"""Rules of the programme's wider records, as pure functions: when two supports of an
establishment count as possible double funding, when a typical product is recognised and how
long its certificate is valid.
"""

import datetime
from collections.abc import Iterable
from decimal import Decimal

# Two supports of the same content for one establishment this many years apart or less are a
# possible double funding: the same year, or the year before (or after, for a record entered late).
DOUBLE_FUNDING_YEARS = 1


def double_funding_years(year: int) -> range:
    """The years whose supports of the same content `year`'s support is compared with."""
    return range(year - DOUBLE_FUNDING_YEARS, year + DOUBLE_FUNDING_YEARS + 1)


# TT 26/2014/TT-BCT (as amended): a product is recognised with an average score of 70 or more.
RECOGNITION_SCORE = Decimal(70)


def is_recognised(average_score: Decimal | None) -> bool | None:
    """Whether an entry with `average_score` is recognised; None when it was not scored yet."""
    if average_score is None:
        return None
    return average_score >= RECOGNITION_SCORE


# The certificate is valid to 31/12 of the third year counted from the year of issue, that
# year included (issued in 2024: valid to 31/12/2026).
CERTIFICATE_YEARS = 3


def certificate_valid_to(issued_on: datetime.date) -> datetime.date:
    """The last day a certificate issued on `issued_on` is valid."""
    return datetime.date(issued_on.year + CERTIFICATE_YEARS - 1, 12, 31)


def certificate_valid_on(issued_on: datetime.date, day: datetime.date) -> bool:
    """Whether a certificate issued on `issued_on` is valid on `day` (not before its issue)."""
    return issued_on <= day <= certificate_valid_to(issued_on)


def sum_by_key[K, N: (int, Decimal)](pairs: Iterable[tuple[K, N]]) -> dict[K, N]:
    """The sums of the `(key, amount)` pairs by key, in the order keys first appear; empty
    when there is no pair."""
    totals: dict[K, N] = {}
    for key, amount in pairs:
        totals[key] = totals[key] + amount if key in totals else amount
    return totals


def in_force_in_year(valid_from: datetime.date | None, valid_to: datetime.date | None, year: int) -> bool:
    """Whether a period from `valid_from` to `valid_to` (both days included; None: open on that
    side) covers at least one day of `year`."""
    if valid_from is not None and valid_from > datetime.date(year, 12, 31):
        return False
    return valid_to is None or valid_to >= datetime.date(year, 1, 1)
