"""The administrators' pages of API tokens: every token with its owner, revocable, never
created or edited here (a token is issued to its owner by POST /api/v1/auth/token/).

Only the administrator role sees them (programmes.access.Role.ADMIN, superusers included);
the role groups' model permissions are not involved.
"""

from django.contrib import admin
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.admin import BoundedChangeListMixin
from programmes import access

from .models import ApiToken


class InForceFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "in_force"

    def lookups(self, request, model_admin):
        return [("yes", _("In force")), ("no", _("Expired"))]

    def queryset(self, request, queryset):
        in_force = Q(expiry__isnull=True) | Q(expiry__gt=timezone.now())
        if self.value() == "yes":
            return queryset.filter(in_force)
        if self.value() == "no":
            return queryset.exclude(in_force)
        return queryset


@admin.register(ApiToken)
class ApiTokenAdmin(BoundedChangeListMixin, admin.ModelAdmin):
    list_display = ["key_prefix", "owner", "owner_province", "created", "expiry", "last_used"]
    list_select_related = ["user__portal_profile__province"]
    list_filter = [InForceFilter]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    fields = ["key_prefix", "owner", "owner_province", "created", "expiry", "last_used"]
    readonly_fields = fields
    ordering = ["-created"]

    @admin.display(description=_("token"))
    def key_prefix(self, obj: ApiToken) -> str:
        return f"{obj.token_key[:8]}…"

    @admin.display(description=_("owner"), ordering="user__username")
    def owner(self, obj: ApiToken) -> str:
        name = f"{obj.user.last_name} {obj.user.first_name}".strip()
        return f"{obj.user.username} ({name})" if name else obj.user.username

    @admin.display(description=_("province"))
    def owner_province(self, obj: ApiToken) -> str:
        profile = getattr(obj.user, "portal_profile", None)
        return profile.province.name if profile is not None and profile.province_id else "–"

    def _is_administrator(self, request) -> bool:
        return access.role_of(request.user) == access.Role.ADMIN

    def has_module_permission(self, request) -> bool:
        return self._is_administrator(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._is_administrator(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._is_administrator(request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


def _bounded_axes_admins() -> None:
    """django-axes' own admin pages (login attempts, with a drill-down by date), re-registered
    with the BoundedChangeList: a huge year in their drill-down is a filter not understood."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        if admin.site.is_registered(model):
            registered = type(admin.site.get_model_admin(model))
            admin.site.unregister(model)
            bounded = type(registered.__name__, (BoundedChangeListMixin, registered), {"__module__": __name__})
            admin.site.register(model, bounded)


_bounded_axes_admins()
