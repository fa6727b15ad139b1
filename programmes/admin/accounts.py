"""Admin of the portal's accounts: the user pages with one role and the province, written
through programmes.services.accounts; and the permission groups, for superusers only.

What the page never offers: superuser status, single permissions, several groups. Roles are the
groups of programmes.access, chosen as one; `is_staff` follows the role. An account that records
already name (approvals, steps, the audit trail) is deactivated, never deleted
(selectors.accounts says which records name it).
"""

import copy
import functools

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm, SetPasswordMixin, UsernameField
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from common.admin import yes_no_icon
from common.i18n import user_display_name, vietnamese_sort_key

from .. import access
from ..models import Province, Role
from ..selectors.accounts import recorded_uses
from ..services import accounts as account_services

User = get_user_model()


def role_label(user) -> str:
    """The user's role in words, from the groups loaded with the list (no query of its own)."""
    if user.is_superuser:
        return gettext("Administrator (superuser)")
    names = {group.name for group in user.groups.all()}
    role = next((role for role in access.ROLE_PRECEDENCE if role in names), None)
    return str(role.label) if role else gettext("No role")


def _current_role(user) -> str:
    if user.is_superuser:
        return Role.ADMIN
    names = set(user.groups.values_list("name", flat=True))
    return next((role.value for role in access.ROLE_PRECEDENCE if role in names), "")


class ProvinceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Province) -> str:
        return str(obj)


def _province_field(current: Province | None) -> ProvinceChoiceField:
    """The provinces in force today (and the user's own, if it has been merged away since, so
    that the page can be saved unchanged), sorted the Vietnamese way."""
    today = timezone.localdate()
    condition = Q(pk__in=Province.objects.in_force_on(today).values("pk"))
    if current is not None:
        condition |= Q(pk=current.pk)
    field = ProvinceChoiceField(
        queryset=Province.objects.filter(condition).order_by("name"),
        required=False,
        label=_("Province"),
        empty_label=_("– none (nation-wide roles) –"),
        help_text=_(
            "For province staff only: the province whose records they see and enter (with the "
            "provinces merged into it). Leave empty for the other roles."
        ),
    )
    return field


ROLE_HELP = _(
    "Province staff enter their province's records; ministry officials follow every province and "
    "approve plans and reports; viewers read the dashboards and reports; administrators manage "
    "accounts and reference data."
)


def _role_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Role"), choices=[("", _("– choose a role –")), *Role.choices], help_text=ROLE_HELP
    )


def _position_field() -> forms.CharField:
    return forms.CharField(label=_("Position"), required=False, max_length=255)


class AccountFieldsMixin:
    """The role and province fields of both user forms, checked as the services check them.
    The forms declare `role`, `province` and `position` (the admin builds its form from the
    declared fields); this sets their choices and initial values for the account."""

    by = None  # the person using the form (set per request by PortalUserAdmin.get_form)

    def _set_account_fields(self, *, role: str, province: Province | None) -> None:
        self.fields["role"].initial = role
        self.fields["province"] = _province_field(province)
        self.fields["province"].initial = province.pk if province else None
        self.fields["position"].initial = self._profile_value("position")
        for name, label in (("last_name", _("Family name")), ("first_name", _("Middle and given names"))):
            if name in self.fields:
                self.fields[name].label = label

    def _profile_value(self, name: str):
        profile = getattr(self.instance, "portal_profile", None) if self.instance.pk else None
        return getattr(profile, name, "") if profile is not None else ""

    def account_errors(self, check) -> None:
        """Run a service check; its ValidationError lands on the fields it names."""
        try:
            check()
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    self.add_error(field if field in self.fields else None, errors)
            else:
                self.add_error(None, error)


class PortalUserCreationForm(AccountFieldsMixin, BaseUserCreationForm):
    """A new account: user name, password (twice), names, role and province."""

    role = _role_field()
    province = _province_field(None)
    position = _position_field()

    class Meta:
        model = User
        fields = ("username", "last_name", "first_name", "email")
        field_classes = {"username": UsernameField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._set_account_fields(role="", province=None)

    def clean(self):
        data = super().clean()
        role, province = data.get("role"), data.get("province")
        if role:
            self.account_errors(lambda: account_services.role_province_check(role, province))
        return data


class PasswordStatusWidget(forms.Widget):
    """Whether the account has a password, and since when, with the button that sets a new one
    (Django's widget shows the hash's algorithm, salt and iterations, which tell nobody anything)."""

    template_name = "admin/auth/user/password_status.html"

    def __init__(self, *args, changed_at=None, usable: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.changed_at, self.usable = changed_at, usable

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["usable"] = self.usable
        context["changed_at"] = (
            date_format(timezone.localtime(self.changed_at), "d/m/Y H:i") if self.changed_at else None
        )
        return context

    def render(self, name, value, attrs=None, renderer=None):
        # The project's templates (the form renderer's engine sees only the apps' widgets).
        return mark_safe(render_to_string(self.template_name, self.get_context(name, value, attrs)))  # noqa: S308

    def id_for_label(self, id_):
        return None


class PortalUserChangeForm(AccountFieldsMixin, forms.ModelForm):
    """An account's page: names, e-mail, role, province, position and whether it is active."""

    password = forms.Field(label=_("Password"), required=False, disabled=True)
    role = _role_field()
    province = _province_field(None)
    position = _position_field()

    class Meta:
        model = User
        fields = ("username", "last_name", "first_name", "email", "is_active")
        field_classes = {"username": UsernameField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "is_active" not in self.fields:
            # The read-only page (a superuser's account seen by an administrator): no fields,
            # PortalUserAdmin.read_only_fieldsets shows the list's columns instead.
            return
        profile = getattr(self.instance, "portal_profile", None)
        self._set_account_fields(
            role=_current_role(self.instance), province=profile.province if profile is not None else None
        )
        self.fields["password"].widget = PasswordStatusWidget(
            changed_at=profile.password_changed_at if profile is not None else None,
            usable=self.instance.has_usable_password(),
        )
        self.fields["is_active"].label = _("Account active")
        self.fields["is_active"].help_text = _(
            "Untick to close the account: the person can no longer log in, and every record keeps "
            "their name. Accounts that records name are closed this way rather than deleted."
        )

    def clean(self):
        data = super().clean()
        role, province = data.get("role"), data.get("province")
        if role and "province" not in self.errors:
            self.account_errors(
                lambda: account_services.account_update_check(
                    user=self.instance, role=role, province=province, is_active=data.get("is_active"), by=self.by
                )
            )
        return data


class PortalPasswordForm(SetPasswordMixin, forms.Form):
    """A new password, typed twice, checked by the password validators and set through the
    service (which records the change in the audit trail)."""

    password1, password2 = SetPasswordMixin.create_password_fields(
        label1=_("New password"), label2=_("New password again")
    )

    def __init__(self, user, *args, by=None, **kwargs):
        self.user, self.by = user, by
        super().__init__(*args, **kwargs)
        self.fields["password1"].widget.attrs["autofocus"] = True

    def clean(self):
        self.validate_passwords()
        self.validate_password_for_user(self.user)
        data = super().clean()
        # Read by Django's password view: always a password here, never "disable passwords".
        data["set_usable_password"] = True
        return data

    def save(self, commit=True):
        return account_services.account_set_password(
            user=self.user, password=self.cleaned_data["password1"], by=self.by
        )

    @property
    def changed_data(self):
        return ["password"]


class RoleFilter(admin.SimpleListFilter):
    title = _("role")
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return [*Role.choices, ("none", _("No role"))]

    def queryset(self, request, queryset):
        value = self.value()
        if value == Role.ADMIN:
            return queryset.filter(Q(groups__name=value) | Q(is_superuser=True)).distinct()
        if value in Role.values:
            return queryset.filter(groups__name=value, is_superuser=False)
        if value == "none":
            return queryset.filter(groups__isnull=True, is_superuser=False)
        return queryset


class ProvinceFilter(admin.SimpleListFilter):
    title = _("province")
    parameter_name = "province"

    def lookups(self, request, model_admin):
        provinces = Province.objects.filter(staff__isnull=False).distinct()
        return sorted(((str(p.pk), str(p)) for p in provinces), key=lambda pair: vietnamese_sort_key(pair[1]))

    def queryset(self, request, queryset):
        if self.value():
            try:
                province_id = int(self.value())
            except ValueError:
                return queryset.none()
            # A number no key can be (beyond a 64-bit integer) matches no province, rather than
            # overflowing the database driver.
            if not 0 < province_id < 2**63:
                return queryset.none()
            return queryset.filter(portal_profile__province_id=province_id)
        return queryset


class ActiveFilter(admin.SimpleListFilter):
    title = _("account")
    parameter_name = "active"

    def lookups(self, request, model_admin):
        return [("yes", _("Active")), ("no", _("Deactivated"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(is_active=self.value() == "yes")
        return queryset


def _unregister(model) -> None:
    if admin.site.is_registered(model):
        admin.site.unregister(model)


_unregister(User)
_unregister(Group)


@admin.register(User)
class PortalUserAdmin(DjangoUserAdmin):
    form = PortalUserChangeForm
    add_form = PortalUserCreationForm
    change_password_form = PortalPasswordForm
    add_form_template = None  # the ordinary form: the new account's page has every field
    change_user_password_template = "admin/auth/user/change_password.html"
    list_display = ("username", "full_name", "role", "province", "active", "last_login")
    list_display_links = ("username", "full_name")
    list_filter = (RoleFilter, ProvinceFilter, ActiveFilter)
    search_fields = ("username", "first_name", "last_name", "email")
    list_select_related = ("portal_profile__province",)
    ordering = ("username",)
    filter_horizontal = ()
    readonly_fields = ("last_login", "date_joined")
    actions = ["deactivate_selected", "delete_selected"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": (("last_name", "first_name"), "email", "position")}),
        (_("Role and province"), {"fields": ("role", "province", "is_active")}),
        (_("Dates"), {"fields": (("last_login", "date_joined"),)}),
    )
    add_fieldsets = (
        (None, {"fields": ("username", "password1", "password2")}),
        (_("Person"), {"fields": (("last_name", "first_name"), "email", "position")}),
        (_("Role and province"), {"fields": ("role", "province")}),
    )

    # A page the user may only look at (a superuser's account, for an administrator): the
    # list's columns, without the password's widget or the form's fields.
    read_only_fieldsets = (
        (None, {"fields": ("username", "full_name", "email")}),
        (_("Role and province"), {"fields": ("role", "province", "active")}),
        (_("Dates"), {"fields": (("last_login", "date_joined"),)}),
    )

    class Media:
        js = ("js/admin_user.js",)

    def get_fieldsets(self, request, obj=None):
        if obj is not None and not self.has_change_permission(request, obj):
            return self.read_only_fieldsets
        return super().get_fieldsets(request, obj)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        # The editor, for the checks that depend on who is editing (own account, superusers).
        return type(form.__name__, (form,), {"by": request.user})

    # ---- columns -----------------------------------------------------------------------------

    @admin.display(description=_("Name"), ordering="last_name")
    def full_name(self, obj) -> str:
        name = user_display_name(obj)
        return "" if name == obj.get_username() else name

    @admin.display(description=_("Role"))
    def role(self, obj) -> str:
        return role_label(obj)

    @admin.display(description=_("Account"), ordering="is_active")
    def active(self, obj) -> str:
        return yes_no_icon(obj.is_active, _("Active"), _("Deactivated"))

    @admin.display(description=_("Province"), ordering="portal_profile__province__name")
    def province(self, obj) -> str:
        profile = getattr(obj, "portal_profile", None)
        return str(profile.province) if profile is not None and profile.province is not None else ""

    # ---- who may do what ----------------------------------------------------------------------

    def _guarded(self, request, obj) -> bool:
        """A superuser's account is a superuser's to change or delete."""
        return obj is not None and obj.is_superuser and not request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._guarded(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.pk == request.user.pk:
            return False
        return super().has_delete_permission(request, obj) and not self._guarded(request, obj)

    # ---- writes through the services ----------------------------------------------------------

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            account_services.account_update(
                user=obj,
                role=data["role"],
                province=data.get("province"),
                by=request.user,
                username=data["username"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                is_active=data["is_active"],
                position=data.get("position", ""),
            )
            return
        created = account_services.account_create(
            username=data["username"],
            password=data["password1"],
            role=data["role"],
            province=data.get("province"),
            by=request.user,
            first_name=data.get("first_name", ""),
            last_name=data.get("last_name", ""),
            email=data.get("email", ""),
            position=data.get("position", ""),
        )
        for field in User._meta.concrete_fields:
            setattr(obj, field.attname, getattr(created, field.attname))
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        # The groups are the role, set by the service; the forms have no many-to-many field.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def user_change_password(self, request, id, form_url=""):
        # The password form sets the password through the service, which needs to know who is
        # setting it: a copy of this admin for this request carries it.
        for_request = copy.copy(self)
        for_request.change_password_form = functools.partial(PortalPasswordForm, by=request.user)
        return DjangoUserAdmin.user_change_password(for_request, request, id, form_url)

    # ---- deactivation instead of deletion ------------------------------------------------------

    def get_deleted_objects(self, objs, request):
        """Django's list of what a deletion takes with it, plus, as "protected" (which stops the
        deletion), every kind of record that names one of the accounts."""
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        users = list(objs)
        uses = recorded_uses([user.pk for user in users])
        named = []
        for user in users:
            for use in uses.get(user.pk, []):
                named.append(format_html("{}: {}", user_display_name(user), use.text))
        request._accounts_in_use = [user for user in users if uses.get(user.pk)]
        # The links to the groups are the role, not records of their own.
        links = {str(field.remote_field.through._meta.verbose_name_plural) for field in User._meta.many_to_many}
        model_count = {name: count for name, count in model_count.items() if str(name) not in links}
        # What goes with an account is its own (its profile, its API tokens): deleting the
        # account needs no permission on those, only `auth.delete_user`.
        return deleted, model_count, set(), [*protected, *named]

    def render_delete_form(self, request, context):
        context["accounts_in_use"] = getattr(request, "_accounts_in_use", [])
        return super().render_delete_form(request, context)

    def get_urls(self):
        return [
            path(
                "<id>/deactivate/",
                self.admin_site.admin_view(self.deactivate_view),
                name="auth_user_deactivate",
            ),
            *super().get_urls(),
        ]

    def deactivate_view(self, request, id):
        """POST: close the account (the way out of a refused deletion), then back to its page."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        user = self.get_object(request, unquote(id))
        if user is None or not self.has_change_permission(request, user):
            raise PermissionDenied
        try:
            account_services.account_deactivate(user=user, by=request.user)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
        else:
            self.log_change(request, user, gettext("Account deactivated."))
            self.message_user(
                request,
                gettext("The account %(name)s is deactivated: it can no longer log in.")
                % {"name": user_display_name(user)},
                messages.SUCCESS,
            )
        return HttpResponseRedirect(reverse("admin:auth_user_change", args=[user.pk]))

    @admin.action(description=_("Deactivate the selected accounts"), permissions=["change"])
    def deactivate_selected(self, request, queryset):
        done, refused = 0, []
        for user in queryset:
            if self._guarded(request, user):
                refused.append(user_display_name(user))
                continue
            try:
                account_services.account_deactivate(user=user, by=request.user)
            except ValidationError as error:
                refused.append(f"{user_display_name(user)} ({' '.join(error.messages)})")
            else:
                self.log_change(request, user, gettext("Account deactivated."))
                done += 1
        if done:
            self.message_user(
                request,
                ngettext("%(count)d account deactivated.", "%(count)d accounts deactivated.", done) % {"count": done},
                messages.SUCCESS,
            )
        if refused:
            self.message_user(
                request, gettext("Not deactivated: %(names)s.") % {"names": "; ".join(refused)}, messages.WARNING
            )


class PermissionChoiceField(forms.ModelMultipleChoiceField):
    """A permission as a sentence in the page's language ("Đề án: thêm"), not Django's English
    name stored in the database ("Can add project")."""

    ACTIONS = {"add": _("add"), "change": _("change"), "delete": _("delete"), "view": _("view")}

    def label_from_instance(self, obj: Permission) -> str:
        model = obj.content_type.model_class()
        if model is None:
            return obj.name
        action, _sep, _rest = obj.codename.partition("_")
        custom = dict(getattr(model._meta, "permissions", ()))
        what = custom.get(obj.codename)
        if what is None:
            what = self.ACTIONS.get(action, obj.codename)
        return f"{model._meta.app_config.verbose_name} · {str(model._meta.verbose_name).capitalize()}: {what}"


@admin.register(Group)
class PortalGroupAdmin(DjangoGroupAdmin):
    """The role groups' permissions, for superusers: programmes.access.sync_role_groups sets
    them after every migration, so a change here lasts until the next one."""

    list_display = ("name", "role")

    @admin.display(description=_("Role"))
    def role(self, obj: Group) -> str:
        return str(Role(obj.name).label) if obj.name in Role.values else ""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return False  # the roles are the groups; sync_role_groups creates them

    def has_delete_permission(self, request, obj=None):
        return False

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        if db_field.name == "permissions":
            kwargs["form_class"] = PermissionChoiceField
        return super().formfield_for_manytomany(db_field, request=request, **kwargs)
