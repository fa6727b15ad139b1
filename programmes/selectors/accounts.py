"""Which records name a user: the reason an account is deactivated rather than deleted.

Deleting a user would blank every record that names them and outlives them: the approver of a
report, the person who recorded a lifecycle step, the author of every change in the audit trail
(those foreign keys are SET_NULL, or copies in the history tables). Rows that belong to the
account and go with it (its profile, its API tokens: CASCADE) do not count, nor does the
history of the account's own profile, which is about the user rather than by them.

The relations are found from the user model itself, so a model added later that names a user
is counted without a change here.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from common.i18n import is_english
from common.numbers import group_digits


@dataclass(frozen=True)
class RecordedUse:
    """`count` records of one kind name the user, as `text` says (in the active language)."""

    text: str
    count: int


def _history_of(model: type[models.Model]) -> type[models.Model] | None:
    """The model whose history `model` is (django-simple-history), or None."""
    return getattr(model, "instance_type", None)


def _owned(model: type[models.Model], field: models.Field) -> bool:
    """Whether the rows of `model` that point at a user through `field` belong to the account
    (deleted with it) rather than record it."""
    original = _history_of(model)
    if original is not None and field.name != "history_user":
        # A history table's copy of a foreign key: as owned as the original's.
        try:
            field = original._meta.get_field(field.name)
        except FieldDoesNotExist:  # a field of the history only
            return False
    return field.remote_field.on_delete is models.CASCADE


def recording_relations() -> list[tuple[type[models.Model], models.ForeignKey]]:
    """(model, foreign key to the user) of every relation whose rows record a user."""
    user_model = get_user_model()
    found = []
    for relation in user_model._meta.get_fields(include_hidden=True):
        if not (relation.is_relation and relation.auto_created and not relation.concrete):
            continue
        if relation.many_to_many or not isinstance(relation.field, models.ForeignKey):
            continue
        model, field = relation.related_model, relation.field
        if model._meta.proxy or _owned(model, field):
            continue
        found.append((model, field))
    found.sort(key=lambda pair: (pair[0]._meta.label, pair[1].name))
    return found


def _text(model: type[models.Model], field: models.Field, count: int) -> str:
    original = _history_of(model)
    if original is None:
        return _("recorded as “%(field)s” on %(count)s %(records)s") % {
            "field": field.verbose_name,
            "count": group_digits(count, get_language()),
            "records": records_name(model, count),
        }
    if field.name == "history_user":
        return _("author of %(count)s changes to %(records)s in the audit trail") % {
            "count": group_digits(count, get_language()),
            "records": records_name(original, 1),
        }
    return _("recorded as “%(field)s” in %(count)s earlier versions of %(records)s") % {
        "field": field.verbose_name,
        "count": group_digits(count, get_language()),
        "records": records_name(original, 1),
    }


def records_name(model: type[models.Model], count: int) -> str:
    """`model`'s name after a number: the plural in English ("28 reporting periods"), the
    singular in Vietnamese, whose nouns do not change after a number ("28 kỳ báo cáo")."""
    opts = model._meta
    return str(opts.verbose_name_plural if is_english() and count != 1 else opts.verbose_name)


def recorded_uses(user_ids) -> dict[int, list[RecordedUse]]:
    """For each user of `user_ids`, the kinds of records that name them, with how many (an
    empty list: nothing names the user, who may be deleted). One query, whatever the tables'
    sizes: one counting subquery per relation."""
    relations = recording_relations()
    annotations = {}
    for index, (model, field) in enumerate(relations):
        counted = (
            model._base_manager.filter(**{field.attname: OuterRef("pk")})
            .order_by()
            .values(field.attname)
            .annotate(n=Count("*"))
            .values("n")
        )
        annotations[f"use_{index}"] = Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))
    rows = (
        get_user_model()._base_manager.filter(pk__in=list(user_ids)).annotate(**annotations).values("pk", *annotations)
    )
    uses: dict[int, list[RecordedUse]] = {}
    for row in rows:
        uses[row["pk"]] = [
            RecordedUse(capfirst(_text(model, field, row[f"use_{index}"])), row[f"use_{index}"])
            for index, (model, field) in enumerate(relations)
            if row[f"use_{index}"]
        ]
    return uses
