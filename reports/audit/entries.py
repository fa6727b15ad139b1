"""The audit trail's entries: which models are audited, and how history rows become entries
(who, when, which record, each field old → new, why) with the names the page shows.
"""

import datetime
import functools
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from simple_history.models import HistoricalRecords
from simple_history.utils import get_m2m_reverse_field_name

from common.i18n import user_display_name, vietnamese_sort_key
from common.numbers import format_vnd, group_digits
from programmes.fields import CountField, MoneyField
from programmes.models import Province

# The apps whose history-tracked models the audit trail shows: every model with
# `history = HistoricalRecords()` appears, in the order the app defines them. Without a
# `province_lookup` (conferences) only the nation-wide roles see a model's history.
AUDITED_APPS = ("programmes", "conferences")


@functools.cache
def audited_models() -> dict[str, type[models.Model]]:
    """Model name → model, for every history-tracked model of AUDITED_APPS."""
    found = {}
    for label in AUDITED_APPS:
        if not apps.is_installed(label):
            continue
        for model in apps.get_app_config(label).get_models():
            if getattr(model._meta, "simple_history_manager_attribute", None):
                assert model._meta.model_name not in found, model  # names are the URLs' keys
                found[model._meta.model_name] = model
    return found


def _rank(model: type[models.Model]) -> int:
    return list(audited_models()).index(model._meta.model_name)


# Not shown as changes: the key, and the creation time (the entry's own time says it).
HIDDEN_FIELDS = frozenset({"id", "created_at"})


CREATED, CHANGED, DELETED = "created", "changed", "deleted"


_ACTIONS = {"+": CREATED, "~": CHANGED, "-": DELETED}


@dataclass(frozen=True)
class FieldChange:
    """One field of one entry: its label and its display values before and after."""

    field: str
    old: str
    new: str


@dataclass(frozen=True)
class AuditEntry:
    """One history row: a record created, changed or deleted, by whom, when and why.

    `changes` lists the fields that differ from the record's previous version (all filled
    fields for a creation or deletion). `baseline` is True for a change whose previous version
    was never recorded (records loaded in bulk): its changes give the values after it, with
    the old values unknown.
    """

    history_id: int
    when: datetime.datetime
    user_id: int | None
    who: str
    username: str
    model: str
    model_label: str
    record_id: int
    record_label: str
    province_id: int | None
    province: str
    action: str
    action_label: str
    changes: tuple[FieldChange, ...]
    reason: str
    baseline: bool = False


@dataclass
class _Related:
    """The objects named on a page, loaded in one query per model."""

    ids: dict[type[models.Model], set[int]] = field(default_factory=lambda: defaultdict(set))
    objects: dict[type[models.Model], dict[int, models.Model]] = field(default_factory=dict)

    def load(self) -> None:
        for model, ids in self.ids.items():
            ids.discard(None)
            if not ids:
                continue
            queryset = model._default_manager.filter(pk__in=ids).order_by()
            if model is get_user_model():
                queryset = queryset.only("pk", "username", "first_name", "last_name")
            self.objects[model] = {obj.pk: obj for obj in queryset}

    def get(self, model: type[models.Model], pk: int | None) -> models.Model | None:
        return self.objects.get(model, {}).get(pk)


def action_label(action: str) -> str:
    return {CREATED: _("Created"), CHANGED: _("Changed"), DELETED: _("Deleted")}[action]


def _history_model(model: type[models.Model]) -> type[models.Model]:
    return model.history.model


def _province_lookup(model: type[models.Model]) -> str | None:
    return getattr(model, "province_lookup", None)


def _tracked(model: type[models.Model]) -> list[models.Field]:
    """The fields whose changes an entry lists: the history's own, then its many-to-many ones."""
    history = _history_model(model)
    fields = [f for f in history.tracked_fields if f.name not in HIDDEN_FIELDS]
    return fields + list(getattr(history, "_history_m2m_fields", []))


def _entries(rows: list) -> list[AuditEntry]:
    if not rows:
        return []
    previous = _previous_versions(rows)
    versions = rows + list(previous.values())
    links = _many_to_many(versions)
    related = _Related()
    user_model = get_user_model()
    for row in versions:
        related.ids[user_model].add(row.history_user_id)
        related.ids[Province].add(getattr(row, "audit_province_id", None))
        for f in _tracked(row.audit_model):
            if f.many_to_many:
                related.ids[f.related_model].update(links.get((f, row.history_id), ()))
            elif f.is_relation:
                related.ids[f.related_model].add(getattr(row, f.attname))
    related.load()
    return [_entry(row, previous.get((row.audit_model, row.audit_previous_id)), links, related) for row in rows]


def _previous_versions(rows: list) -> dict[tuple[type[models.Model], int], object]:
    """The previous version of each row that has one, by (model, history id); one query per model."""
    wanted: dict[type[models.Model], set[int]] = defaultdict(set)
    for row in rows:
        if row.audit_previous_id is not None:
            wanted[row.audit_model].add(row.audit_previous_id)
    found = {}
    for model, ids in wanted.items():
        for version in _history_model(model).objects.filter(history_id__in=ids):
            version.audit_model = model
            found[model, version.history_id] = version
    return found


def _many_to_many(versions: list) -> dict[tuple[models.Field, int], frozenset[int]]:
    """(many-to-many field, history id) → the related ids that version had; one query per field."""
    history_ids: dict[type[models.Model], set[int]] = defaultdict(set)
    for version in versions:
        history_ids[version.audit_model].add(version.history_id)
    links: dict[tuple[models.Field, int], set[int]] = defaultdict(set)
    for model, ids in history_ids.items():
        for f in getattr(_history_model(model), "_history_m2m_fields", []):
            through = HistoricalRecords.m2m_models[f]
            target = through._meta.get_field(get_m2m_reverse_field_name(f)).attname
            for history_id, pk in through.objects.filter(history_id__in=ids).values_list("history_id", target):
                links[f, history_id].add(pk)
    return {key: frozenset(pks) for key, pks in links.items()}


def _values(row, fields: list[models.Field], links) -> dict[models.Field, object]:
    """A version's value of each field (a frozenset of ids for a many-to-many field)."""
    return {
        f: links.get((f, row.history_id), frozenset()) if f.many_to_many else getattr(row, f.attname) for f in fields
    }


def _empty(value) -> bool:
    return value is None or value == "" or value == frozenset()


def _entry(row, previous, links, related: _Related) -> AuditEntry:
    model = row.audit_model
    action = _ACTIONS[row.history_type]
    fields = _tracked(model)
    values = _values(row, fields, links)
    baseline = action == CHANGED and previous is None
    if action == CHANGED and previous is not None:
        before = _values(previous, fields, links)
        changes = [
            FieldChange(_label(f), display_value(f, before[f], related), display_value(f, values[f], related))
            for f in fields
            if values[f] != before[f]
        ]
    elif action == DELETED:
        changes = [
            FieldChange(_label(f), display_value(f, values[f], related), "") for f in fields if not _empty(values[f])
        ]
    else:  # created, or changed from a version nobody recorded: the values it was left with
        changes = [
            FieldChange(_label(f), "", display_value(f, values[f], related)) for f in fields if not _empty(values[f])
        ]
    person = related.get(get_user_model(), row.history_user_id)
    province_id = getattr(row, "audit_province_id", None)
    province = related.get(Province, province_id)
    return AuditEntry(
        history_id=row.history_id,
        when=row.history_date,
        user_id=row.history_user_id,
        who=user_display_name(person) if person is not None else _("no user recorded"),
        username=person.get_username() if person is not None else "",
        model=model._meta.model_name,
        model_label=str(capfirst(model._meta.verbose_name)),
        record_id=row.id,
        record_label=record_label(model, row, related),
        province_id=province_id,
        province=str(province) if province is not None else "",
        action=action,
        action_label=action_label(action),
        changes=tuple(changes),
        reason=row.history_change_reason or "",
        baseline=baseline,
    )


def _label(f: models.Field) -> str:
    return str(capfirst(f.verbose_name))


def record_label(model: type[models.Model], row, related: _Related) -> str:
    """The record's name as its model writes it (`__str__`), from the history row and the
    bulk-loaded related objects; `<model> #<id>` when one it names no longer exists.

    No `__str__` names a user, so a deleted user (a report's submitter) does not matter.
    """
    instance = model(**{f.attname: getattr(row, f.attname) for f in _history_model(model).tracked_fields})
    for f in model._meta.concrete_fields:
        pk = getattr(instance, f.attname) if f.is_relation else None
        if pk is None:
            continue
        target = related.get(f.related_model, pk)
        if target is not None:
            f.set_cached_value(instance, target)
        elif f.related_model is not get_user_model():
            return f"{capfirst(model._meta.verbose_name)} #{row.id}"
    return str(instance)


def display_value(f: models.Field, value, related: _Related) -> str:
    """`value` of field `f` as people read it; empty for no value. A many-to-many value (a set of
    ids) lists the related objects' names in alphabetical order."""
    if _empty(value):
        return ""
    lang = get_language()
    if f.many_to_many:
        names = [str(target) for pk in value if (target := related.get(f.related_model, pk)) is not None]
        names += [f"#{pk}" for pk in sorted(value) if related.get(f.related_model, pk) is None]
        return "; ".join(sorted(names, key=vietnamese_sort_key))
    if f.is_relation:
        target = related.get(f.related_model, value)
        if target is None:
            return f"#{value}"
        if target._meta.model is get_user_model():
            return user_display_name(target)
        return str(target)
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(f, MoneyField):
        return format_vnd(value, lang)
    if isinstance(f, CountField):
        return group_digits(value, lang)
    if isinstance(f, models.BooleanField):
        return _("Yes") if value else _("No")
    if isinstance(f, models.DateTimeField):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(f, models.DateField):
        return value.strftime("%d/%m/%Y")
    return str(value)


def entry_rows(entries: Sequence[AuditEntry]) -> Iterator[tuple[AuditEntry, FieldChange | None]]:
    """(entry, change) pairs, one per changed field; (entry, None) for an entry without one."""
    for entry in entries:
        if not entry.changes:
            yield entry, None
        for change in entry.changes:
            yield entry, change
