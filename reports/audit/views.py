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


class AuditPageForm(forms.Form):
    """Where the audit page starts: a day to jump to (the changes of that day and before), or
    the cursor of a "newer"/"older" link (`reports.audit.Cursor` tokens)."""

    day = forms.DateField(
        label=gettext_lazy("Go to date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    before = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    after = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def _cursor(self, name: str) -> audit.Cursor | None:
        token = self.cleaned_data.get(name)
        if not token:
            return None
        cursor = audit.Cursor.from_token(token)
        if cursor is None:
            raise forms.ValidationError(_("This page link is not valid: open the newest changes and page from there."))
        return cursor

    def clean_before(self):
        return self._cursor("before")

    def clean_after(self):
        return self._cursor("after")

    def cursors(self) -> tuple[audit.Cursor | None, audit.Cursor | None]:
        """(before, after) for `audit.audit_page`: a day jump wins over a link's cursor."""
        data = self.cleaned_data
        if data.get("day"):
            return audit.Cursor.day_end(data["day"]), None
        if data.get("before"):
            return data["before"], None
        return None, data.get("after")


# The query parameters that place the page rather than filter it.
PAGE_PARAMS = ("day", "before", "after", "page")


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


@dataclass(frozen=True)
class KeysetPager:
    """The audit page's links: newer and older pages (None at either end), the newest page (None
    on it), and the filters to carry into the date jump's form."""

    newer_url: str | None
    older_url: str | None
    newest_url: str | None
    filters: dict[str, str]


def _keyset_pager(request, page: audit.AuditPage, placed: bool) -> KeysetPager:
    filters = {k: v for k, v in request.GET.items() if k not in PAGE_PARAMS and v}

    def url(**cursor: str) -> str:
        query = urlencode({**filters, **cursor})
        return f"{request.path}?{query}" if query else request.path

    return KeysetPager(
        newer_url=url(after=page.newer.token()) if page.newer is not None else None,
        older_url=url(before=page.older.token()) if page.older is not None else None,
        newest_url=url() if placed and page.newer is not None else None,
        filters=filters,
    )


@audit_view
def audit_log(request):
    """The audit page: filters, then the matching changes, newest first, PER_PAGE a page, paged
    by keyset ("newer"/"older" links and a date jump): any page costs what the first does."""
    form = _form(request)
    page_form = AuditPageForm(request.GET or None)
    context = {"form": form, "page_form": page_form, "scope": scope_label(request.user)}
    if form.data and not (form.is_valid() & page_form.is_valid()):
        return render(request, "reports/audit.html", context, status=400)
    filters = form.filters() if form.is_bound else audit.AuditFilters()
    before, after = page_form.cursors() if page_form.is_bound else (None, None)
    page = audit.audit_page(user=request.user, filters=filters, limit=PER_PAGE, before=before, after=after)
    pager = _keyset_pager(request, page, placed=before is not None or after is not None)
    query = {k: v for k, v in request.GET.items() if k not in PAGE_PARAMS and v}
    context.update(
        {
            "entries": page.entries,
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
