"""The typical-products pages: the figures (by round, level, product group and province, with
certificates valid on a day), a round's page with its entries, and the list a round sends up
to the next level as an Excel file. Every portal role reads them, scoped by programmes.access
(province staff: their province's rounds, and the regional and national rounds)."""

from django import forms
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.gates import role_gate
from common.i18n import user_display_name
from common.list_excel import DATE, NUMBER, TEXT, Column, filename, heading_lines, list_workbook
from common.xlsx import file_response

from .. import access
from ..models import ProductEntry, Region, SelectionLevel, SelectionRound
from ..selectors.products import product_figures, round_sent_up, typical_products_comparison

PRODUCTS_REFUSAL = gettext_lazy("You are not allowed to see the typical-products selection.")


class FiguresForm(forms.Form):
    """The figures' filters (C8: the page and its API read the same ones)."""

    year = forms.IntegerField(label=gettext_lazy("Year"), required=False, min_value=2000, max_value=2100)
    level = forms.ChoiceField(
        label=gettext_lazy("Level"),
        required=False,
        choices=[("", gettext_lazy("All levels")), *SelectionLevel.choices],
    )
    region = forms.ModelChoiceField(
        label=gettext_lazy("Region"),
        required=False,
        queryset=Region.objects.all(),
        to_field_name="code",
        empty_label=gettext_lazy("All regions"),
    )
    on = forms.DateField(label=gettext_lazy("Certificates valid on"), required=False)


@role_gate(access.may_view_reports, PRODUCTS_REFUSAL)
def product_figures_page(request):
    """Entered vs recognised by round, level, group and province; certificates valid on a day."""
    form = FiguresForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    rounds = access.visible(request.user, SelectionRound)
    if data.get("year"):
        rounds = rounds.filter(year=data["year"])
    if data.get("level"):
        rounds = rounds.filter(level=data["level"])
    if data.get("region"):
        rounds = rounds.filter(region=data["region"]) | rounds.filter(province__region=data["region"])
    entries = access.visible(request.user, ProductEntry).filter(round__in=rounds)
    on = data.get("on") or timezone.localdate()
    figures = product_figures(rounds, on=on, entries=entries)
    context = {"form": form, "figures": figures}
    return render(request, "programmes/products/figures.html", context)


@role_gate(access.may_view_reports, PRODUCTS_REFUSAL)
def round_page(request, pk: int):
    """A round, its recognised products (the list it sends up) and, for a provincial round, the
    province-year's typical-products output beside its recognised products."""
    round_ = access.get_visible_or_404(request.user, SelectionRound.objects.select_related("province", "region"), pk=pk)
    rows = round_sent_up(round_)
    comparison = (
        typical_products_comparison(round_.province, round_.year) if round_.level == SelectionLevel.PROVINCE else None
    )
    context = {
        "round": round_,
        "rows": rows,
        "comparison": comparison,
        "excel_url": reverse("programmes:product-round-excel", args=[round_.pk]),
    }
    return render(request, "programmes/products/round.html", context)


def sent_up_columns() -> list[Column]:
    return [
        Column(_("Product"), 36),
        Column(_("Product group"), 28),
        Column(_("Establishment"), 36),
        Column(_("Enterprise or tax code"), 16),
        Column(_("Commune or ward"), 22),
        Column(_("Average score"), 10, NUMBER),
        Column(_("Certificate number"), 18, TEXT),
        Column(_("Issued on"), 12, DATE),
        Column(_("Valid to"), 12, DATE),
    ]


def sent_up_values(rows) -> list[list]:
    """The rows of `round_sent_up`, as on the round's page."""
    return [
        [
            row.product_name,
            row.group,
            row.establishment,
            row.tax_code,
            row.commune,
            row.average_score,
            row.certificate_number,
            row.issued_on,
            row.valid_to,
        ]
        for row in rows
    ]


@role_gate(access.may_view_reports, PRODUCTS_REFUSAL)
def round_excel(request, pk: int):
    """The recognised products of a round, with their certificates, as an .xlsx (C14)."""
    round_ = access.get_visible_or_404(request.user, SelectionRound.objects.select_related("province", "region"), pk=pk)
    values = sent_up_values(round_sent_up(round_))
    title = _("Recognised typical rural industrial products")
    heading = heading_lines(scope=str(round_), filters=[], by=user_display_name(request.user))
    name = filename(_("typical products"), round_.level, round_.year, round_.pk)
    return file_response(
        lambda output: list_workbook(output, title=title, heading=heading, columns=sent_up_columns(), rows=values),
        name,
    )
