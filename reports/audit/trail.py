"""The audit trail (issue item 4): who changed which record, when, old → new, and why.

Every change to the programme's records is kept by django-simple-history in one historical
table per model. These functions read those tables for the audit page, its Excel export and the
history page of one record, scoped like every other read (programmes.access: the user's
provinces, through each model's `province_lookup`).

A page costs a fixed number of queries whatever the size of the tables:

1. per audited model, its newest `offset + limit` history rows matching the filters, each with
   the id of the record's previous version (a correlated subquery), merged in Python;
2. per model with earlier versions on the page, those versions (to compute old → new);
3. per many-to-many field of a model on the page (a conference's attending provinces), the
   related ids of its rows and their previous versions;
4. per related model (provinces, users, projects, indicators…), the objects whose names the
   page shows, in bulk.

`audit_count` adds one query (a UNION ALL of the models' matching rows) for the pager.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.text import capfirst

from common.i18n import user_display_name
from programmes import access

from .entries import AuditEntry, _entries, _history_model, _province_lookup, _rank, audited_models


@dataclass(frozen=True)
class AuditFilters:
    """What the audit page was asked for; None means "any". `record_id` needs `model`."""

    user_id: int | None = None
    province_id: int | None = None
    model: str | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    record_id: int | None = None


def model_choices() -> list[tuple[str, str]]:
    """(key, label) of every audited model, for the model filter."""
    return [(key, capfirst(model._meta.verbose_name)) for key, model in audited_models().items()]


def _scoped(model: type[models.Model], user, filters: AuditFilters) -> models.QuerySet | None:
    """The history rows of `model` that `user` may see and `filters` asks for; None when none
    can match (another model chosen, or a model the user's provinces do not reach)."""
    if filters.model and filters.model != model._meta.model_name:
        return None
    lookup = _province_lookup(model)
    ids = access.visible_province_ids(user)
    queryset = _history_model(model).objects.all()
    if ids is not None:
        if not ids or lookup is None:
            return None
        queryset = queryset.filter(**{f"{lookup}__in": ids})
    if filters.province_id is not None:
        if lookup is None:
            return None
        queryset = queryset.filter(**{lookup: filters.province_id})
    if filters.user_id is not None:
        queryset = queryset.filter(history_user_id=filters.user_id)
    if filters.record_id is not None:
        queryset = queryset.filter(id=filters.record_id)
    if filters.date_from is not None:
        queryset = queryset.filter(history_date__gte=_local_midnight(filters.date_from))
    if filters.date_to is not None:
        queryset = queryset.filter(history_date__lt=_local_midnight(filters.date_to + datetime.timedelta(days=1)))
    return queryset


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _querysets(user, filters: AuditFilters) -> list[tuple[type[models.Model], models.QuerySet]]:
    pairs = [(model, _scoped(model, user, filters)) for model in audited_models().values()]
    return [(model, queryset) for model, queryset in pairs if queryset is not None]


def audit_count(*, user, filters: AuditFilters) -> int:
    """How many history rows `user` may see that match `filters` (one query; 0 without one)."""
    querysets = [queryset.order_by().values("history_id") for _model, queryset in _querysets(user, filters)]
    if not querysets:
        return 0
    if len(querysets) == 1:
        return querysets[0].count()
    return querysets[0].union(*querysets[1:], all=True).count()


def audit_users(*, user) -> list:
    """The users who changed records that `user` may see, by name (one query)."""
    condition = Q(pk__in=[])
    for _model, queryset in _querysets(user, AuditFilters()):
        condition |= Q(pk__in=queryset.order_by().values("history_user_id"))
    return sorted(
        get_user_model().objects.filter(condition).only("pk", "username", "first_name", "last_name"),
        key=lambda person: user_display_name(person).lower(),
    )


def _page_query(queryset: models.QuerySet, model: type[models.Model], limit: int, before: tuple | None):
    """The newest `limit` rows of `queryset` (older than the cursor `before`), each with the
    id of the record's previous version and the id of its province."""
    history = _history_model(model)
    previous = (
        history.objects.filter(id=OuterRef("id"))
        .filter(
            Q(history_date__lt=OuterRef("history_date"))
            | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id"))
        )
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )
    if before is not None:
        queryset = queryset.filter(_older_than(before, model))
    lookup = _province_lookup(model)
    annotations = {"audit_previous_id": Subquery(previous)}
    if lookup is not None:
        annotations["audit_province_id"] = F(lookup)
    return queryset.annotate(**annotations).order_by("-history_date", "-history_id")[:limit]


def _older_than(cursor: tuple, model: type[models.Model]) -> Q:
    """Rows after `cursor` (when, rank, history_id) in the page order: newest first, then by
    model rank, then history id, so that paging through equal times loses no row."""
    when, rank, history_id = cursor
    own = -_rank(model)
    if own < rank:
        return Q(history_date__lte=when)
    if own > rank:
        return Q(history_date__lt=when)
    return Q(history_date__lt=when) | Q(history_date=when, history_id__lt=history_id)


def _rows(user, filters: AuditFilters, limit: int, offset: int, before: tuple | None) -> list:
    """The page's history rows, newest first, each tagged with its model."""
    rows = []
    for model, queryset in _querysets(user, filters):
        for row in _page_query(queryset, model, offset + limit, before):
            row.audit_model = model
            row.audit_key = (row.history_date, -_rank(model), row.history_id)
            rows.append(row)
    rows.sort(key=lambda row: row.audit_key, reverse=True)
    return rows[offset : offset + limit]


def audit_entries(*, user, filters: AuditFilters, limit: int, offset: int = 0) -> list[AuditEntry]:
    """The history rows `user` may see that match `filters`, newest first, `limit` of them
    from `offset`; empty for a user without a role.

    Money reads `1.250.000.000 đ` (in the active language), choices their labels, foreign keys
    the related object's name, dates dd/mm/yyyy.
    """
    return _entries(_rows(user, filters, limit, offset, None))


def iter_audit_entries(*, user, filters: AuditFilters, chunk: int = 1000) -> Iterator[AuditEntry]:
    """Every entry of `audit_entries`, newest first, read `chunk` at a time (for the export):
    the queries of one page per chunk, never more rows in memory than a chunk."""
    before = None
    while True:
        rows = _rows(user, filters, chunk, 0, before)
        yield from _entries(rows)
        if len(rows) < chunk:
            return
        before = rows[-1].audit_key
