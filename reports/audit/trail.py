"""The audit trail (issue item 4): who changed which record, when, old → new, and why.

Every change to the programme's records is kept by django-simple-history in one historical
table per model. These functions read those tables for the audit page, its Excel export and the
history page of one record, scoped like every other read (programmes.access: the user's
provinces, through each model's `province_lookup`).

A page costs a fixed number of queries whatever the size of the tables, and the audit page
the same time at any depth: it pages by keyset (`audit_page`), from a cursor (the time, model
and history id of the row a page ends or starts at), never by offset, and it counts nothing:

1. per audited model, its `limit + 1` history rows matching the filters next to the cursor, each
   with the id of the record's previous version (a correlated subquery), merged in Python;
2. per model with earlier versions on the page, those versions (to compute old → new);
3. per many-to-many field of a model on the page (a conference's attending provinces), the
   related ids of its rows and their previous versions;
4. per related model (provinces, users, projects, indicators…), the objects whose names the
   page shows, in bulk.

`audit_count` (one UNION ALL of the models' matching rows) serves the history of one record,
whose rows the record's id bounds; `audit_entries(offset=…)` its pages.
"""

import datetime
import functools
import operator
from collections.abc import Iterator
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Exists, F, OuterRef, Q, Subquery
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
    """The users who changed records that `user` may see, by name (one query).

    One EXISTS per history table, correlated on the user: each probes that table's
    `history_user_id` index and stops at the first row, so the cost grows with the number of
    users, not with the history (a scan of every history table took 271 ms at national scale).
    For province staff a probe also checks the row's province, reading that user's rows until
    one is in the territory.
    """
    probes = [
        Exists(queryset.order_by().filter(history_user_id=OuterRef("pk")))
        for _model, queryset in _querysets(user, AuditFilters())
    ]
    if not probes:
        return []
    return sorted(
        get_user_model()
        .objects.filter(functools.reduce(operator.or_, probes))
        .only("pk", "username", "first_name", "last_name"),
        key=lambda person: user_display_name(person).lower(),
    )


@dataclass(frozen=True)
class Cursor:
    """A place in the audit trail's order (newest first; at equal times by model, then history
    id): `key` is (time, -model rank, history id), the order's sort key of a row.

    `token()` writes it for a URL (`<µs since the epoch>.<model>.<history id>`, the model empty
    for a `day_end`) and `from_token` reads it back, None for anything else (a mistyped or
    forged link).
    `day_end(day)` is the cursor just after every change of `day` (local time): the rows
    "older" than it are those of `day` and before.
    """

    when: datetime.datetime
    order: int
    history_id: int

    @property
    def key(self) -> tuple:
        return (self.when, self.order, self.history_id)

    def token(self) -> str:
        delta = self.when - _EPOCH
        micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
        model = list(audited_models())[-self.order] if self.order > -len(audited_models()) else ""
        return f"{micros}.{model}.{self.history_id}"

    @classmethod
    def from_token(cls, token: str) -> "Cursor | None":
        parts = token.split(".")
        if len(parts) != 3 or not all(part.isascii() and part.isdigit() for part in (parts[0], parts[2])):
            return None
        names = list(audited_models())
        if (parts[1] and parts[1] not in names) or len(parts[0]) > 18 or len(parts[2]) > 18:
            return None
        try:
            when = _EPOCH + datetime.timedelta(microseconds=int(parts[0]))
        except OverflowError:
            return None
        order = -names.index(parts[1]) if parts[1] else -len(names)
        return cls(when=when, order=order, history_id=int(parts[2]))

    @classmethod
    def day_end(cls, day: datetime.date) -> "Cursor":
        # An order below every model's (-rank ≥ 1 - n): no row at that instant is "older".
        return cls(when=_local_midnight(day + datetime.timedelta(days=1)), order=-len(audited_models()), history_id=0)

    @classmethod
    def of(cls, row) -> "Cursor":
        return cls(*row.audit_key)


_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


@dataclass(frozen=True)
class AuditPage:
    """One page of the audit trail, newest first. `newer` and `older` are the cursors of the
    neighbouring pages (`audit_page(after=newer)`, `audit_page(before=older)`), None where
    there is none: no older rows; or this is the newest page."""

    entries: list[AuditEntry]
    newer: Cursor | None
    older: Cursor | None


def audit_page(
    *, user, filters: AuditFilters, limit: int, before: Cursor | None = None, after: Cursor | None = None
) -> AuditPage:
    """`limit` entries that `user` may see matching `filters`, newest first: the newest ones;
    those just older than `before`; or those just newer than `after` (the newest page when
    fewer than `limit` are newer). The same queries at any depth (one per audited model for
    the rows, then those of the entries); nothing is counted.

    Paging partitions the rows exactly: following `older` from the newest page, or `newer`
    from the oldest, lists every row once, ties on the time included.

    A page reached from a cursor is assumed to have newer rows (the cursor came from one);
    `newer` of a date jump (`before=Cursor.day_end(day)`) leads to the newest page if there
    are fewer than `limit` newer rows.
    """
    if after is not None:
        rows = _rows(user, filters, limit + 1, 0, None, after=after.key)
        if len(rows) > limit:
            page = rows[1:]  # the `limit` nearest the cursor; the newest one says more are newer
            return AuditPage(_entries(page), newer=Cursor.of(page[0]), older=Cursor.of(page[-1]))
        before = None  # fewer than a page is newer: the newest page
    rows = _rows(user, filters, limit + 1, 0, before.key if before is not None else None)
    page = rows[:limit]
    older = Cursor.of(page[-1]) if len(rows) > limit else None
    newer = None
    if before is not None:
        newer = Cursor.of(page[0]) if page else before
    return AuditPage(_entries(page), newer=newer, older=older)


def _page_query(
    queryset: models.QuerySet, model: type[models.Model], limit: int, before: tuple | None, after: tuple | None = None
):
    """The newest `limit` rows of `queryset` older than the cursor `before` (or the oldest
    `limit` newer than `after`), each with the id of the record's previous version and the id
    of its province."""
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
    order = ("-history_date", "-history_id")
    if before is not None:
        queryset = queryset.filter(_older_than(before, model))
    if after is not None:
        queryset = queryset.filter(_newer_than(after, model))
        order = ("history_date", "history_id")
    lookup = _province_lookup(model)
    annotations = {"audit_previous_id": Subquery(previous)}
    if lookup is not None:
        annotations["audit_province_id"] = F(lookup)
    return queryset.annotate(**annotations).order_by(*order)[:limit]


def _older_than(cursor: tuple, model: type[models.Model]) -> Q:
    """Rows after `cursor` (when, -rank, history_id) in the page order: newest first, then by
    model rank, then history id, so that paging through equal times loses no row."""
    when, rank, history_id = cursor
    own = -_rank(model)
    if own < rank:
        return Q(history_date__lte=when)
    if own > rank:
        return Q(history_date__lt=when)
    # The bound on the time alone first, which the time's index can range over: without it,
    # PostgreSQL filters the OR row by row from the newest (246,613 rows at page 600).
    return Q(history_date__lte=when) & (Q(history_date__lt=when) | Q(history_id__lt=history_id))


def _newer_than(cursor: tuple, model: type[models.Model]) -> Q:
    """Rows before `cursor` in the page order (the mirror of `_older_than`)."""
    when, rank, history_id = cursor
    own = -_rank(model)
    if own > rank:
        return Q(history_date__gte=when)
    if own < rank:
        return Q(history_date__gt=when)
    return Q(history_date__gte=when) & (Q(history_date__gt=when) | Q(history_id__gt=history_id))


def _rows(
    user, filters: AuditFilters, limit: int, offset: int, before: tuple | None, *, after: tuple | None = None
) -> list:
    """The page's history rows, newest first, each tagged with its model: from `offset`, or
    just older than `before`, or (the `limit` nearest) just newer than `after`."""
    rows = []
    for model, queryset in _querysets(user, filters):
        for row in _page_query(queryset, model, offset + limit, before, after):
            row.audit_model = model
            row.audit_key = (row.history_date, -_rank(model), row.history_id)
            rows.append(row)
    if after is not None:
        rows.sort(key=lambda row: row.audit_key)
        return rows[:limit][::-1]
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
