"""The audit pages: every change to the programme's records, filtered, paged and exported, and
the history of one record (issue item 4).

Who may look: every portal role (docs/design.md §7); province staff see the changes to their own
territory's records only (the selector scopes by `access.visible_province_ids`). Anonymous
visitors go to the login page; signed-in users without a role get 403.
"""

import math
from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.gates import role_gate
from common.i18n import user_display_name, vietnamese_sort_key
from common.list_excel import chosen_filters, heading_lines
from common.xlsx import XLSX
from programmes import access
from programmes.exports import scope_label
from programmes.models import Province
from reports import audit

from .excel import audit_workbook

PER_PAGE = 50
# The export stops here (and says so in the file): beyond it a spreadsheet is no longer read.
EXPORT_MAX_ROWS = 50_000


def may_view_audit(user) -> bool:
    """Every portal role may read the audit trail (of the provinces it sees)."""
    return access.role_of(user) is not None


# Anonymous visitors go to the login page; signed-in users without a role get 403.
audit_view = role_gate(may_view_audit, gettext_lazy("You are not allowed to see the audit trail."))


class AuditFilterForm(forms.Form):
    """The audit page's filters; the user and province lists are those the viewer may see."""

    user = forms.TypedChoiceField(label=gettext_lazy("Changed by"), coerce=int, required=False, empty_value=None)
    province = forms.TypedChoiceField(label=gettext_lazy("Province"), coerce=int, required=False, empty_value=None)
    model = forms.ChoiceField(label=gettext_lazy("Record type"), required=False)
    date_from = forms.DateField(
        label=gettext_lazy("From date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=gettext_lazy("To date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, data, *, users, provinces, **kwargs):
        super().__init__(data, **kwargs)
        everyone = [("", _("Everyone"))]
        self.fields["user"].choices = everyone + [(person.pk, _person(person)) for person in users]
        self.fields["province"].choices = [("", _("All provinces"))] + [(p.pk, str(p)) for p in provinces]
        self.fields["model"].choices = [("", _("All records"))] + audit.model_choices()

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date cannot be before the start date."))
        return data

    def filters(self) -> audit.AuditFilters:
        data = self.cleaned_data
        return audit.AuditFilters(
            user_id=data.get("user"),
            province_id=data.get("province"),
            model=data.get("model") or None,
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )

    def description(self) -> list[str]:
        """The chosen filters as `label: value` lines (labels read from the choices, no query)."""
        lines = chosen_filters(self, {name: self.cleaned_data.get(name) for name in ("user", "province", "model")})
        for name in ("date_from", "date_to"):
            day = self.cleaned_data.get(name)
            if day:
                lines.append(f"{self.fields[name].label}: {day:%d/%m/%Y}")
        return lines


def _person(person) -> str:
    name = user_display_name(person)
    return name if name == person.get_username() else f"{name} ({person.get_username()})"


def _provinces_for(user) -> list[Province]:
    """The provinces `user` sees, by name the Vietnamese way (one query)."""
    ids = access.visible_province_ids(user)
    queryset = Province.objects.all() if ids is None else Province.objects.filter(pk__in=ids)
    return sorted(queryset, key=lambda p: (vietnamese_sort_key(p.name), p.valid_from))


def _form(request) -> AuditFilterForm:
    return AuditFilterForm(
        request.GET or None, users=audit.audit_users(user=request.user), provinces=_provinces_for(request.user)
    )


@dataclass(frozen=True)
class Pager:
    number: int
    count: int
    pages: int
    previous_url: str | None
    next_url: str | None
    first_index: int
    last_index: int


def _pager(request, count: int) -> Pager:
    pages = max(1, math.ceil(count / PER_PAGE))
    try:
        number = int(request.GET.get("page", 1))
    except ValueError:
        number = 1
    number = min(max(number, 1), pages)

    def url(page: int) -> str:
        params = request.GET.copy()
        params["page"] = str(page)
        return f"{request.path}?{params.urlencode()}"

    return Pager(
        number=number,
        count=count,
        pages=pages,
        previous_url=url(number - 1) if number > 1 else None,
        next_url=url(number + 1) if number < pages else None,
        first_index=(number - 1) * PER_PAGE + 1 if count else 0,
        last_index=min(number * PER_PAGE, count),
    )


@audit_view
def audit_log(request):
    """The audit page: filters, then the matching changes, newest first, PER_PAGE a page."""
    form = _form(request)
    context = {"form": form, "scope": scope_label(request.user)}
    if form.data and not form.is_valid():
        return render(request, "reports/audit.html", context, status=400)
    filters = form.filters() if form.is_bound else audit.AuditFilters()
    pager = _pager(request, audit.audit_count(user=request.user, filters=filters))
    entries = audit.audit_entries(
        user=request.user, filters=filters, limit=PER_PAGE, offset=(pager.number - 1) * PER_PAGE
    )
    query = {k: v for k, v in request.GET.items() if k != "page" and v}
    context.update(
        {
            "entries": entries,
            "pager": pager,
            "export_url": f"{reverse('reports:audit-export')}?{urlencode(query)}"
            if query
            else reverse("reports:audit-export"),
            "filtered": bool(query),
        }
    )
    return render(request, "reports/audit.html", context)


@audit_view
def audit_export(request):
    """The filtered changes as an .xlsx file, one row per changed field (EXPORT_MAX_ROWS at most)."""
    form = _form(request)
    if form.data and not form.is_valid():
        return render(request, "reports/audit.html", {"form": form, "scope": scope_label(request.user)}, status=400)
    filters = form.filters() if form.is_bound else audit.AuditFilters()
    now = timezone.localtime()
    heading = heading_lines(
        scope=scope_label(request.user),
        filters=form.description() if form.is_bound else [],
        by=_person(request.user),
    )
    content = audit_workbook(
        audit.iter_audit_entries(user=request.user, filters=filters), heading=heading, max_rows=EXPORT_MAX_ROWS
    )
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="nhat-ky-{now:%Y%m%d-%H%M}.xlsx"'
    return response


@audit_view
def audit_record(request, model: str, pk: int):
    """The history of one record, newest first: 404 when it has none the user may see."""
    if model not in audit.audited_models():
        raise Http404(_("There is no such kind of record."))
    filters = audit.AuditFilters(model=model, record_id=pk)
    count = audit.audit_count(user=request.user, filters=filters)
    if not count:
        raise Http404(_("There is no history for this record."))
    pager = _pager(request, count)
    entries = audit.audit_entries(
        user=request.user, filters=filters, limit=PER_PAGE, offset=(pager.number - 1) * PER_PAGE
    )
    opts = audit.audited_models()[model]._meta
    # The newest entry says whether the record still exists (on the first page only).
    deleted = pager.number == 1 and entries[0].action == audit.DELETED
    change_url = None
    if request.user.is_staff and pager.number == 1 and not deleted:
        try:
            change_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[pk])
        except NoReverseMatch:
            change_url = None
    context = {
        "entries": entries,
        "pager": pager,
        "record_label": entries[0].record_label,
        "model_label": opts.verbose_name,
        "change_url": change_url,
        "deleted": deleted,
    }
    return render(request, "reports/audit_record.html", context)
