"""Data entry (Django admin) for the conferences: a conference with its papers, recommendations
and awards on one page, and the recommendations on their own to follow them up.

Conferences are the ministry's (docs/design.md §7): every change needs the model permission (the role
groups of programmes.access give this app's to the ministry) and a role that approves
(`access.can_approve`) or a superuser; every other role with the view permission only looks.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from common.admin import LabelledInlineMixin, SharedChoicesFormSet
from programmes import access
from programmes.admin import NumberInputsMixin, PortalAdmin

from . import services
from .models import Award, Conference, Paper, Recommendation, ReportedFigure


class MinistryWritesMixin:
    """Adding, changing and deleting need a role that approves (`access.can_approve`) or a
    superuser, on top of the model permission; viewing follows the model permission alone."""

    def has_add_permission(self, request, *args):
        return super().has_add_permission(request, *args) and _approves(request.user)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and _approves(request.user)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and _approves(request.user)


def _approves(user) -> bool:
    return access.can_approve(user) or (user.is_superuser and user.is_active)


class ProvinceChoicesFormSet(SharedChoicesFormSet):
    """The rows' province selects are filled from one query, not one per row."""

    shared_choice_fields = ("province",)


class ConferenceInline(MinistryWritesMixin, NumberInputsMixin, admin.StackedInline):
    formset = ProvinceChoicesFormSet
    extra = 0


class PaperInline(ConferenceInline):
    model = Paper
    fields = (("order", "presenter"), ("position", "organisation", "province"), "title", "summary")


class RecommendationInline(ConferenceInline):
    model = Recommendation
    fields = (
        ("order", "raised_by", "province"),
        ("addressed_to", "addressed_to_other"),
        "text",
        ("status", "resolved_on"),
        "response",
    )


class AwardInline(MinistryWritesMixin, LabelledInlineMixin, NumberInputsMixin, admin.TabularInline):
    model = Award
    formset = ProvinceChoicesFormSet
    extra = 0
    fields = ("order", "award_type", "recipient_kind", "recipient_name", "recipient_detail", "province", "reason")
    formfield_overrides = {
        **NumberInputsMixin.formfield_overrides,
        Award._meta.get_field("reason").__class__: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 30})},
    }


class ReportedFigureInline(MinistryWritesMixin, LabelledInlineMixin, NumberInputsMixin, admin.TabularInline):
    """The figures the conference's report quoted, as printed; its page and briefing set each
    beside the portal's."""

    model = ReportedFigure
    extra = 0
    fields = ("order", "year", "figure", "fund", "indicator", "value", "quoted_as", "source")


class ConferenceAdminForm(forms.ModelForm):
    class Meta:
        model = Conference
        fields = (
            "region",
            "edition",
            "year",
            "start_date",
            "end_date",
            "host_province",
            "venue",
            "city",
            "organiser",
            "chairs",
            "attending_provinces",
            "attendee_count",
            "summary",
            "next_host_province",
        )

    def clean(self):
        data = super().clean()
        try:
            services.attending_provinces_check(data.get("start_date"), data.get("attending_provinces") or [])
        except ValidationError as error:
            self.add_error(None, error)
        return data


@admin.register(Conference)
class ConferenceAdmin(MinistryWritesMixin, PortalAdmin):
    form = ConferenceAdminForm
    excel_export = True
    list_display = ("title", "region", "year", "start_date", "host_province", "next_host_province")
    excel_list_display = ("title", "region", "year", "start_date", "host_province", "next_host_province", "organiser")
    list_display_links = ("title",)
    list_filter = ("region", "year")
    search_fields = ("venue", "city", "host_province__name", "organiser", "summary")
    list_select_related = ("region", "host_province", "next_host_province")
    autocomplete_fields = ("host_province", "next_host_province", "attending_provinces")
    fieldsets = (
        (None, {"fields": (("region", "edition"), ("start_date", "end_date", "year"))}),
        (
            _("Place and organisation"),
            {"fields": ("host_province", ("venue", "city"), "organiser", "chairs")},
        ),
        (_("Participants"), {"fields": ("attending_provinces", "attendee_count")}),
        (None, {"fields": ("summary", "next_host_province")}),
    )
    inlines = [PaperInline, RecommendationInline, AwardInline, ReportedFigureInline]

    @admin.display(description=_("Conference"), ordering="edition")
    def title(self, obj: Conference) -> str:
        return obj.title


@admin.register(Paper)
class PaperAdmin(MinistryWritesMixin, PortalAdmin):
    excel_export = True
    list_display = ("title", "presenter", "organisation", "province", "conference")
    list_filter = ("conference__region", "conference__year")
    search_fields = ("title", "presenter", "organisation", "summary")
    list_select_related = ("province", "conference__region")
    autocomplete_fields = ("conference", "province")


@admin.register(Recommendation)
class RecommendationAdmin(MinistryWritesMixin, PortalAdmin):
    excel_export = True
    excel_values = {"short_text": "text"}
    list_display = ("short_text", "conference", "raised_by", "addressee", "status", "resolved_on")
    list_filter = ("status", "addressed_to", "conference__region", "conference__year")
    search_fields = ("text", "raised_by", "response", "addressed_to_other")
    list_select_related = ("conference__region",)
    autocomplete_fields = ("conference", "province")
    fields = (
        "conference",
        ("order", "raised_by", "province"),
        ("addressed_to", "addressed_to_other"),
        "text",
        ("status", "resolved_on"),
        "response",
    )

    @admin.display(description=_("Recommendation"), ordering="text")
    def short_text(self, obj: Recommendation) -> str:
        return Truncator(obj.text).chars(90)

    @admin.display(description=_("Addressed to"), ordering="addressed_to")
    def addressee(self, obj: Recommendation) -> str:
        return obj.addressee_label


@admin.register(Award)
class AwardAdmin(MinistryWritesMixin, PortalAdmin):
    excel_export = True
    list_display = ("recipient_name", "recipient_kind", "award_type", "province", "conference")
    list_filter = ("recipient_kind", "award_type", "conference__region", "conference__year")
    search_fields = ("recipient_name", "recipient_detail", "reason")
    list_select_related = ("province", "conference__region")
    autocomplete_fields = ("conference", "province")
