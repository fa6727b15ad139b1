"""The filters every report takes: year, scope (region or province) and cut-off date.

One form for the dashboards, the summary endpoint and the Excel workbooks (docs/architecture.md, C8), so that
"2016, south, 30/06" means the same rows everywhere.
"""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programmes.models import MAX_YEAR, MIN_YEAR, Period
from programmes.selectors import ProvinceMap, Scope, cutoff_date, scope_for


class ReportFilterForm(forms.Form):
    """Validates `year`, `region` (code) or `province` (id), and `as_of` or `period` (H1/9M/FY).

    `cleaned_data` gains `scope` and `as_of`. Without `as_of` or `period`, the cut-off is
    `today` for the current year when `today` is given (the pages: the year so far,
    `uses_today` is then True), else 31/12 of the year (the API). Resolves regions and provinces
    from the given ProvinceMap, so it costs no query.
    """

    year = forms.IntegerField(label=_("Year"), min_value=MIN_YEAR, max_value=MAX_YEAR)
    region = forms.CharField(label=_("Region"), required=False)
    province = forms.IntegerField(label=_("Province"), required=False)
    period = forms.ChoiceField(label=_("Cut-off"), choices=[("", "")] + list(Period.choices), required=False)
    as_of = forms.DateField(label=_("Up to date"), required=False)

    def __init__(
        self,
        data=None,
        *,
        provinces: ProvinceMap,
        default_year: int | None = None,
        today: datetime.date | None = None,
        **kwargs,
    ):
        if data is not None and default_year is not None and not data.get("year"):
            data = data.copy()
            data["year"] = str(default_year)
        super().__init__(data, **kwargs)
        self.provinces = provinces
        self.today = today
        self.uses_today = False

    def clean_region(self) -> str:
        code = self.cleaned_data["region"].strip()
        if code and code not in {region.code for region in self.provinces.regions()}:
            raise forms.ValidationError(_("Unknown region “%(code)s”.") % {"code": code})
        return code

    def clean_province(self) -> int | None:
        pk = self.cleaned_data["province"]
        if pk is not None and pk not in self.provinces.by_id:
            raise forms.ValidationError(_("Unknown province %(id)s.") % {"id": pk})
        return pk

    def clean(self):
        data = super().clean()
        year, region, province = data.get("year"), data.get("region"), data.get("province")
        if region and province is not None:
            raise forms.ValidationError(_("Choose a region or a province, not both."))
        if year is None:
            return data
        if province is not None and not self.provinces.by_id[province].active_in_year(year):
            self.add_error("province", _("This province was not in force in %(year)s.") % {"year": year})
            return data
        as_of = data.get("as_of")
        if as_of is None and not data.get("period") and self.today is not None and year == self.today.year:
            as_of = self.today
            self.uses_today = True
        elif as_of is None:
            as_of = cutoff_date(year, data.get("period") or Period.FY)
        elif as_of < datetime.date(year, 1, 1):
            self.add_error("as_of", _("The cut-off date cannot be before 1 January %(year)s.") % {"year": year})
            return data
        data["as_of"] = as_of
        data["scope"] = scope_for(region_code=region or None, province_id=province, provinces=self.provinces)
        return data

    @property
    def scope(self) -> Scope:
        return self.cleaned_data["scope"]


def current_year() -> int:
    return timezone.localdate().year
