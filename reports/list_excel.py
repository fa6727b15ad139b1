"""Excel copies of the portal's lists: the reporting periods, the completeness of reports, the
conferences, the recommendations tracker and the admin changelists ("Tải Excel" on each).

One writer for all of them, `list_workbook`: a title block (the list, its scope and filters,
generated at and by), the column headers (bold, frozen, with an autofilter), then one row per
item, written in write-only mode so that 100,000 rows keep memory flat. Each list declares its
columns once, as `Column(header, width, kind)`, next to the function that turns the screen's
own rows into cell values: no figure is computed here (STYLE C6, C14). The kind gives the
number format (whole đồng, counts, percentages, dates); text goes through `xlsx.text`, so a
value typed as `=HYPERLINK(…)` shows as typed and never runs.

`changelist_columns`/`changelist_rows` read an admin ChangeList: its list_display, with the
labels and display values of the page, over every page of its queryset (same filters, search,
ordering and province scoping), read in chunks.
"""

import datetime
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.admin.options import IS_FACETS_VAR, IS_POPUP_VAR, TO_FIELD_VAR
from django.contrib.admin.utils import label_for_field, lookup_field
from django.contrib.admin.views.main import ALL_VAR, ORDER_VAR, SEARCH_VAR
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.utils.html import strip_tags
from django.utils.safestring import SafeData
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from common.i18n import localized
from common.list_excel import (
    CHUNK_SIZE,
    COUNT,
    DATE,
    LONG_TEXT,
    MONEY,
    NUMBER,
    PCT,
    TEXT,
    Column,
    filename,
)
from programmes import access
from programmes.fields import CountField, MoneyField
from programmes.models import province_label

# ---- The title block ---------------------------------------------------------------------------


def scope_label(user) -> str:
    """`Whole country` for the nation-wide roles; the province and those merged into it for
    province staff; empty for a user with neither."""
    if access.sees_everything(user):
        return _("Whole country")
    own = access.user_province(user)
    return _("%(province)s and the provinces merged into it") % {"province": own.name} if own else ""


# ---- Reporting periods and completeness ----------------------------------------------------------

LATENESS = {"late": gettext_lazy("Late"), "overdue": gettext_lazy("Overdue")}


def period_columns(*, nationwide: bool) -> list[Column]:
    """The columns of the reporting-period list; the region only for the nation-wide roles, as on screen."""
    return [
        Column(_("Period"), 12),
        Column(_("Province"), 30),
        *([Column(_("Region"), 24)] if nationwide else []),
        Column(_("Status"), 16),
        Column(capfirst(_("reason for the last return or reopening")), 36, LONG_TEXT),
        Column(capfirst(_("submitted at")), 19, DATE),
        Column(capfirst(_("submitted by")), 24),
        Column(capfirst(_("approved at")), 19, DATE),
        Column(capfirst(_("approved by")), 24),
        Column(_("Due"), 12, DATE),
        Column(_("Late or overdue"), 14),
    ]


def period_rows(groups, *, year: int, nationwide: bool) -> Iterator[list]:
    """The rows of `programmes.views.period_list`'s groups, in the page's order."""
    for group in groups:
        for row in group.rows:
            reason = row.record.status_reason if row.status == "open" and row.record is not None else ""
            yield [
                group.label,
                province_label(row.province, year),
                *([localized(row.province.region.name, row.province.region.name_en)] if nationwide else []),
                row.status_label,
                reason,
                row.submitted_at,
                row.submitted_by,
                row.approved_at,
                row.approved_by,
                row.due,
                str(LATENESS.get(row.lateness, "")),
            ]


def completeness_columns() -> list[Column]:
    return [
        Column(_("Period"), 12),
        Column(_("Region"), 26),
        Column(_("Expected"), 11, COUNT),
        Column(_("Submitted"), 11, COUNT),
        Column(_("Share submitted"), 13, PCT),
        Column(_("Approved"), 13, COUNT),
        Column(_("Late"), 11, COUNT),
        Column(_("Not submitted"), 60, LONG_TEXT),
    ]


def completeness_rows(groups) -> Iterator[list]:
    """The rows of `programmes.views.completeness_groups`: the selector's figures, as on the page."""
    for group in groups:
        for line in group.lines:
            figures = line.figures
            yield [
                group.label,
                localized(line.region.name, line.region.name_en),
                figures.expected,
                figures.submitted,
                figures.submitted_pct,
                figures.approved,
                figures.late,
                ", ".join(province.name for province, _url in line.missing),
            ]


# ---- Conferences and recommendations -------------------------------------------------------------


def conference_columns() -> list[Column]:
    return [
        Column(_("Region"), 24),
        Column(capfirst(_("edition")), 9),
        Column(_("Year"), 7, NUMBER),
        Column(capfirst(_("start date")), 12, DATE),
        Column(_("Host province"), 22),
        Column(capfirst(_("city")), 24),
        Column(capfirst(_("next host (receives the flag)")), 26),
        Column(_("Year of the next conference"), 14, NUMBER),
        Column(_("Note"), 40, LONG_TEXT),
    ]


def conference_rows(chains) -> Iterator[list]:
    """The rows of `conferences.selectors.conference_chains`: region by region, newest first."""
    for chain in chains:
        region = localized(chain.region.name, chain.region.name_en)
        for link in chain.links:
            conference = link.conference
            following = conference.next_host_province
            note = ""
            if link.handover_kept is False:
                note = _("The %(year)s conference was held in %(province)s.") % {
                    "year": link.handover_year,
                    "province": link.following.host_province.name,
                }
            yield [
                region,
                conference.edition_roman,
                conference.year,
                conference.start_date,
                conference.host_province.name,
                conference.city,
                following.name if following else "",
                link.handover_year if following else None,
                note,
            ]


def recommendation_columns() -> list[Column]:
    return [
        Column(_("Conference"), 24),
        Column(capfirst(_("start date")), 12, DATE),
        Column(_("Recommendation"), 60, LONG_TEXT),
        Column(_("Raised by"), 28, LONG_TEXT),
        Column(_("Addressed to"), 28, LONG_TEXT),
        Column(_("Status"), 16),
        Column(capfirst(_("resolved on")), 12, DATE),
        Column(_("Response"), 50, LONG_TEXT),
    ]


def recommendation_rows(recommendations) -> Iterator[list]:
    """The rows of `conferences.selectors.recommendation_list`, in its order."""
    for item in recommendations:
        conference = item.conference
        region = localized(conference.region.name, conference.region.name_en)
        yield [
            f"{region} {conference.edition_roman}",
            conference.start_date,
            item.text,
            item.raised_by,
            item.addressee_label,
            str(item.get_status_display()),
            item.resolved_on,
            item.response,
        ]


# ---- Admin changelists -----------------------------------------------------------------------------

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
    such as an annotated total: STYLE C16), counts, dates, plain numbers, or text, wrapped when
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
    """The columns of a ChangeList's list_display (its checkbox left out), with the page's labels."""
    return [_admin_column(name, changelist) for name in changelist.list_display if name != "action_checkbox"]


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
