"""Shared pieces of the programme's models: the year range, the whole-đồng constraint, the
province-scoped queryset (`in_provinces`) and the created/updated time stamps.
"""

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Round
from django.utils.translation import gettext_lazy as _

MIN_YEAR = 2000
MAX_YEAR = 2100


def year_range_check(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(year__gte=MIN_YEAR, year__lte=MAX_YEAR),
        name=f"{name}_year_in_range",
        violation_error_message=_("The year must be between 2000 and 2100."),
    )


def whole_non_negative_vnd_check(name: str, field: str) -> models.CheckConstraint:
    """Non-negative whole đồng. The rounding test matters on SQLite, whose numeric columns
    keep fractions that PostgreSQL's numeric(18, 0) would round away silently."""
    return models.CheckConstraint(
        condition=Q(**{f"{field}__gte": 0}) & Q(**{field: Round(F(field))}),
        name=f"{name}_{field}_whole_non_negative",
        violation_error_message=_("Amounts are whole, non-negative numbers of đồng."),
    )


class ScopedQuerySet(models.QuerySet):
    """Records that belong to a province, reachable through `model.province_lookup`.

    `in_provinces(ids)` keeps the records of those provinces; `programmes.access` decides which
    ids a user may see or change (one scoping rule per model: its province lookup).
    """

    def in_provinces(self, ids: "frozenset[int] | None") -> "ScopedQuerySet":
        """Records of the provinces `ids`; every record when `ids` is None (nation-wide users)."""
        if ids is None:
            return self
        return self.filter(**{f"{self.model.province_lookup}__in": ids})


class TimeStamped(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True
