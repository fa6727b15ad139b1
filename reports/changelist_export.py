"""The admin changelists' "Download Excel": every row a changelist shows, on all its pages, for
the same query string and the same user, with its list_display's labels and display values,
written by programmes.exports.download.

`changelist_columns`/`changelist_rows` read an admin ChangeList: its list_display over every
page of its queryset (same filters, search, ordering and province scoping), read in chunks.
"""

import datetime
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin.options import IS_FACETS_VAR, IS_POPUP_VAR, TO_FIELD_VAR, IncorrectLookupParameters
from django.contrib.admin.utils import label_for_field, lookup_field
from django.contrib.admin.views.main import ALL_VAR, ORDER_VAR, SEARCH_VAR
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.safestring import SafeData
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import override
from django.views.decorators.http import require_GET

from common.list_excel import CHUNK_SIZE, COUNT, DATE, LONG_TEXT, MONEY, NUMBER, TEXT, Column, filename
from programmes.exports import download
from programmes.fields import CountField, MoneyField

# Widths by kind; a text column is as wide as its field allows, within these bounds.
WIDTHS = {NUMBER: 9, COUNT: 14, MONEY: 20, DATE: 12}


DATETIME_WIDTH, YES_NO_WIDTH, WRAPPED_WIDTH = 19, 10, 30


MIN_TEXT_WIDTH, MAX_TEXT_WIDTH = 12, 50


LONG_CHARS = 200  # a text field this long is wrapped in a wide column


@dataclass(frozen=True)
class AdminColumn:
    column: Column
    value: Callable[[models.Model], object]  # the cell's value for a row of the changelist


def _model_field(model, name) -> models.Field | None:
    if not isinstance(name, str):
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _is_long(field: models.Field) -> bool:
    return isinstance(field, models.TextField) or (getattr(field, "max_length", None) or 0) >= LONG_CHARS


def _kind(field: models.Field | None, attribute: str) -> str:
    """How a changelist column is written: đồng for money (a MoneyField, or a `_vnd` figure
    such as an annotated total: docs/architecture.md C16), counts, dates, plain numbers, or text, wrapped when
    it may be long (a long field, a record's name, a column the admin computes)."""
    if isinstance(field, MoneyField) or attribute.endswith("_vnd"):
        return MONEY
    if isinstance(field, CountField):
        return COUNT
    if isinstance(field, models.DateField):  # and DateTimeField
        return DATE
    if isinstance(field, (models.IntegerField, models.DecimalField)) and not field.choices:
        return NUMBER
    if field is None or field.is_relation or _is_long(field):
        return LONG_TEXT
    return TEXT


def _width(field: models.Field | None, kind: str, header: str) -> int:
    if isinstance(field, models.DateTimeField):
        width = DATETIME_WIDTH
    elif isinstance(field, models.BooleanField):
        width = YES_NO_WIDTH
    elif kind in WIDTHS:
        width = WIDTHS[kind]
    elif field is not None and field.flatchoices:  # as wide as the longest label
        width = max(len(str(label)) for _code, label in field.flatchoices) + 2
    elif kind == LONG_TEXT:
        width = MAX_TEXT_WIDTH if field is not None and _is_long(field) else WRAPPED_WIDTH
    else:
        width = min(getattr(field, "max_length", None) or WRAPPED_WIDTH, WRAPPED_WIDTH)
    # Room for the header (wrapped on two lines at most) and the autofilter's button.
    return min(max(width, MIN_TEXT_WIDTH if kind == TEXT else 0, len(header) // 2 + 4, 9), MAX_TEXT_WIDTH)


def _ordering_field(name, model, model_admin) -> models.Field | None:
    """For a column the admin computes, the model's own short text field it is sorted by
    (`fund` shows `funding_source`): its size gives the column's width."""
    display = name if callable(name) else getattr(model_admin, name, None) or getattr(model, name, None)
    order = getattr(getattr(display, "fget", display), "admin_order_field", None)
    field = _model_field(model, order.lstrip("-")) if isinstance(order, str) and "__" not in order else None
    return field if isinstance(field, models.CharField) and not _is_long(field) else None


def _readable(value, field: models.Field | None):
    """A value as the changelist shows it, for a cell: choices by their label, yes/no, a
    record by its name, HTML as its text; numbers and dates as they are."""
    if value is None:
        return None
    if field is not None and field.flatchoices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, SafeData):
        return strip_tags(str(value))
    if isinstance(value, (int, Decimal, datetime.date)):
        return value
    return str(value)


def _admin_column(name, changelist) -> AdminColumn:
    model_admin = changelist.model_admin
    model = changelist.model
    key = name if isinstance(name, str) else name.__name__
    header = capfirst(str(label_for_field(name, model, model_admin)))
    # A column the page formats (money, a count with its unit, shortened text) names the
    # attribute behind it: the file holds that value, as a number or in full.
    attribute = getattr(model_admin, "excel_values", {}).get(key)
    if attribute is not None:
        field = _model_field(model, attribute)
        kind = _kind(field, attribute)

        def value(obj, attribute=attribute, field=field):
            return _readable(getattr(obj, attribute), field)

        width = _width(field, kind, header)
    else:
        field = _model_field(model, name)
        kind = _kind(field, key)
        width = _width(field, kind, header)
        short = _ordering_field(name, model, model_admin) if field is None else None
        if short is not None:  # the codes the field holds, not its choices' labels
            kind, width = TEXT, max(min(short.max_length, WRAPPED_WIDTH), MIN_TEXT_WIDTH, len(header) // 2 + 4)

        def value(obj, name=name, field=field):
            try:
                _field, _attr, shown = lookup_field(name, obj, model_admin)
            except ObjectDoesNotExist:
                return None
            return _readable(shown, field)

    if kind == MONEY and "đồng" not in header:
        header = f"{header} (đồng)"
    return AdminColumn(Column(header, width, kind), value)


def changelist_columns(changelist) -> list[AdminColumn]:
    """The columns of a ChangeList's list_display (its checkbox left out), with the page's labels;
    or of its admin's `excel_list_display` where the file has more columns than the page (the
    page's columns still sort the rows: `?o=` numbers them)."""
    names = getattr(changelist.model_admin, "excel_list_display", None) or changelist.list_display
    return [_admin_column(name, changelist) for name in names if name != "action_checkbox"]


def changelist_rows(changelist, columns: Sequence[AdminColumn]) -> Iterator[list]:
    """Every row of the changelist, all pages, in its order: one query read in chunks of
    CHUNK_SIZE, the related records it shows joined by its list_select_related."""
    for obj in changelist.queryset.iterator(chunk_size=CHUNK_SIZE):
        yield [column.value(obj) for column in columns]


def changelist_filters(changelist) -> list[str]:
    """The changelist's active filters, search and date drill-down, as `Label: value` lines."""
    lines = []
    for spec in changelist.filter_specs:
        if spec.used_parameters:
            chosen = [str(choice["display"]) for choice in spec.choices(changelist) if choice["selected"]]
            lines.append(f"{capfirst(str(spec.title))}: {', '.join(chosen)}")
    if changelist.date_hierarchy:
        parts = [changelist.params.get(f"{changelist.date_hierarchy}__{part}") for part in ("day", "month", "year")]
        if any(parts):
            label = label_for_field(changelist.date_hierarchy, changelist.model, changelist.model_admin)
            lines.append(f"{capfirst(str(label))}: {'/'.join(part.zfill(2) for part in parts if part)}")
    if changelist.query:
        lines.append(_("Search: “%(text)s”") % {"text": changelist.query})
    # Lookups typed into the address (`?year__exact=2016`): the changelist applies them too.
    used = {name for spec in changelist.filter_specs for name in spec.used_parameters}
    control = {ALL_VAR, ORDER_VAR, SEARCH_VAR, IS_POPUP_VAR, TO_FIELD_VAR, IS_FACETS_VAR}
    for name, values in sorted(changelist.filter_params.items()):
        hierarchy = changelist.date_hierarchy and name.startswith(f"{changelist.date_hierarchy}__")
        if name not in used and name not in control and not hierarchy:
            lines.append(f"{name} = {', '.join(values)}")
    return lines


def changelist_title(changelist) -> str:
    return _("List of %(things)s") % {"things": changelist.opts.verbose_name_plural}


def changelist_filename(changelist) -> str:
    """`de-an-20260710.xlsx`: the records' Vietnamese name, whatever the page's language."""
    with override("vi"):
        return filename(str(changelist.opts.verbose_name_plural))


# Query parameters of a changelist that do not choose rows: the page number, the facet counts
# and the changelist's own error flag.
NOT_ROW_PARAMETERS = ("p", "_facets", "e")


@require_GET
def changelist_xlsx(request, app_label: str, model_name: str):
    """Every row an admin changelist shows, on all its pages, for the same query string (filters,
    search, date drill-down, ordering) and the same user: the ChangeList itself chooses the
    rows, so its scoping (ScopedAdminMixin.get_queryset) and its joins apply. Mounted behind
    `admin.site.admin_view` (login and staff status), like the changelist."""
    try:
        model = apps.get_model(app_label, model_name)
        model_admin = admin.site.get_model_admin(model)
    except (LookupError, admin.sites.NotRegistered):
        raise Http404(_("There is no such list.")) from None
    if not getattr(model_admin, "excel_export", False):
        raise Http404(_("There is no such list."))
    if not model_admin.has_view_or_change_permission(request):
        raise PermissionDenied
    params = request.GET.copy()
    for name in NOT_ROW_PARAMETERS:
        params.pop(name, None)
    request.GET = params
    try:
        changelist = model_admin.get_changelist_instance(request)
    except IncorrectLookupParameters:
        messages.error(request, _("The list's filters were not understood, so no Excel file was made. Filter again."))
        return redirect(reverse(f"admin:{app_label}_{model._meta.model_name}_changelist"))
    columns = changelist_columns(changelist)
    return download(
        request,
        title=changelist_title(changelist),
        filters=changelist_filters(changelist),
        columns=[column.column for column in columns],
        rows=changelist_rows(changelist, columns),
        name=changelist_filename(changelist),
    )
