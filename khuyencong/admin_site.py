"""The portal's admin site: data entry that reads as one application with the portal.

`PortalAdminSite` replaces Django's default site (khuyencong.apps.PortalAdminConfig), so every
`@admin.register` of the apps lands here. What it changes:

- The index lists the models by task, in the order people use them (projects, money, outputs,
  plans, targets, reports; conferences; accounts), reference data last, instead of Django's
  alphabetical order, which put "Đề án" at the end of the list.
- What only a superuser needs (API tokens, login attempts, sessions, permission groups and
  whatever other installed apps register) is shown to superusers only, in a last section.
- The admin's own login page sends people to the portal's login page: one login for the portal.
"""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# (section name, (app label, model name) in their order). A model not listed here belongs to
# the superusers' last section.
SECTIONS = (
    (
        _("Projects and their results"),
        (
            ("programmes", "project"),
            ("programmes", "disbursement"),
            ("programmes", "projectoutput"),
            ("programmes", "projecttransition"),
        ),
    ),
    (
        _("Year plans and reports"),
        (
            ("programmes", "budgetplan"),
            ("programmes", "indicatortarget"),
            ("programmes", "reportingperiod"),
            # The reporting calendar's deadlines, which the administrator edits.
            ("programmes", "deadline"),
        ),
    ),
    # The wider records (issue 19): the establishments supported and the typical-product selection.
    (
        _("Establishments and typical products"),
        (
            ("programmes", "establishment"),
            ("programmes", "projectbeneficiary"),
            ("programmes", "selectionround"),
            ("programmes", "productentry"),
            ("programmes", "productcertificate"),
        ),
    ),
    # The five-year programmes that the yearly plans serve (issue 19, item 3).
    (_("Five-year programmes"), (("programmes", "fiveyearprogramme"),)),
    (
        _("Regional conferences"),
        (
            ("conferences", "conference"),
            ("conferences", "paper"),
            ("conferences", "recommendation"),
            ("conferences", "award"),
        ),
    ),
    # The API tokens are the administrators' to revoke (accounts.admin lets only them in).
    (_("Accounts"), (("auth", "user"), ("accounts", "apitoken"))),
    (
        _("Reference data"),
        (
            ("programmes", "extensioncentre"),
            ("programmes", "activitycategory"),
            ("programmes", "categorymapping"),
            ("programmes", "indicator"),
            ("programmes", "province"),
            ("programmes", "region"),
        ),
    ),
)
SYSTEM_SECTION = _("System (superusers only)")
# The apps a non-superuser may ever see in the admin: the roles' permissions cover these only
# (programmes.access.PORTAL_APPS); anything else is the superuser's.
PORTAL_APPS = frozenset({"programmes", "conferences", "auth", "accounts"})
# Models of the portal's apps that are for superusers only, whatever the permissions say: the
# role groups are chosen on the user page as one role.
SUPERUSER_ONLY_MODELS = frozenset({("auth", "group")})


def superuser_only(model) -> bool:
    """Whether the admin shows `model` to superusers only."""
    opts = model._meta
    return opts.app_label not in PORTAL_APPS or (opts.app_label, opts.model_name) in SUPERUSER_ONLY_MODELS


class PortalAdminSite(admin.AdminSite):
    site_header = _("Industrial extension portal")
    site_title = _("Industrial extension portal")
    index_title = _("Data entry")
    # The changelists have many columns; at 1366 px the navigation sidebar leaves them too little room.
    enable_nav_sidebar = False

    def _build_app_dict(self, request, label=None):
        app_dict = super()._build_app_dict(request, label)
        if request.user.is_superuser:
            return app_dict
        # Drop what only superusers see, even where a permission would let it through.
        for app_label, app in list(app_dict.items()):
            app["models"] = [entry for entry in app["models"] if not superuser_only(entry["model"])]
            if not app["models"]:
                del app_dict[app_label]
        return app_dict

    def get_app_list(self, request, app_label=None):
        """The index's sections by task (see SECTIONS), or one app's models in task order
        (`app_label`, for the app's own page, whose title is the app's name)."""
        app_dict = self._build_app_dict(request, app_label)
        position = {key: index for index, key in enumerate(key for _title, keys in SECTIONS for key in keys)}
        if app_label is not None:
            apps = list(app_dict.values())
            for app in apps:
                app["models"].sort(key=lambda entry: (position.get(_key(entry), len(position)), entry["name"]))
            return apps
        entries = {_key(entry): (source, entry) for source in app_dict.values() for entry in source["models"]}
        sections = []
        for index, (title, keys) in enumerate(SECTIONS):
            found = [entries[key] for key in keys if key in entries]
            if not found:
                continue
            source = found[0][0]
            # A section key of its own (the page's element ids and classes come from it).
            sections.append(
                {**source, "name": title, "app_label": f"section-{index}", "models": [entry for _s, entry in found]}
            )
        rest = [
            entry
            for source in sorted(app_dict.values(), key=lambda app: str(app["name"]).lower())
            for entry in source["models"]
            if _key(entry) not in position
        ]
        if rest:
            sections.append(
                {
                    "name": SYSTEM_SECTION,
                    "app_label": "system",
                    "app_url": reverse("admin:index", current_app=self.name),
                    "has_module_perms": True,
                    "models": rest,
                }
            )
        return sections

    def login(self, request, extra_context=None):
        """The portal's login page, which comes back to the admin page that was asked for."""
        if request.method == "GET" and self.has_permission(request):
            return HttpResponseRedirect(reverse("admin:index", current_app=self.name))
        if request.user.is_authenticated:
            # Signed in, but not for data entry (a viewer): the login page would only ask again.
            raise PermissionDenied(_("Your account reads the reports; it does not enter data."))
        target = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index", current_app=self.name)
        return redirect_to_login(target, settings.LOGIN_URL, REDIRECT_FIELD_NAME)


def _key(entry) -> tuple[str, str]:
    opts = entry["model"]._meta
    return opts.app_label, opts.model_name
