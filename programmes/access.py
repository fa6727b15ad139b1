"""Who may see and change what (docs/design.md §7): roles, the provinces a user covers, scoped querysets.

Every path to the records goes through here: the admin's querysets, the pages, the API, the
Excel export and import. The rule per model is its `province_lookup` (models.ScopedQuerySet);
the rule per user is `visible_province_ids` / `editable_province_ids`.

| role           | sees                                   | may change                                   |
|----------------|----------------------------------------|----------------------------------------------|
| province staff | own province and its predecessors      | own province's records while periods are open |
| ministry       | everything                             | approvals (plans, reports), conferences      |
| viewer         | everything (dashboards and reports)    | nothing                                      |
| admin          | everything                             | users, reference data, and any record        |

The administrator may correct any province's records (bulk loading, integrations through the
API, fixing a province's mistake): docs/design.md §7 gives them users and reference data only, but
someone must be able to enter a province's data when its staff cannot.
"""

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

# `Role` is also this module's: the pages and services name it `access.Role`.
from .models import BudgetPlan, IndicatorTarget, Province, UserProfile
from .models import Role as Role

# Highest first: a user in several groups has the widest role.
ROLE_PRECEDENCE = (Role.ADMIN, Role.MINISTRY, Role.VIEWER, Role.PROVINCE_STAFF)

# Records a province enters; reference data (regions, provinces, categories, indicators) is
# everybody's to read and the administrator's to change.
PROVINCE_RECORDS = (
    "budgetplan",
    "indicatortarget",
    "project",
    "disbursement",
    "projectoutput",
    "extensioncentre",
    "collaboratornetwork",
    "establishment",
    "projectbeneficiary",
    "selectionround",
    "productentry",
    "productcertificate",
    "fiveyearprogramme",
    "programmetarget",
)
# Records of the rounds above the provinces (regional and national selections of typical
# products), which the ministry's agency runs: the ministry enters them, as the conferences.
# The national five-year programmes and their targets are the ministry's too.
NATIONAL_RECORDS = ("selectionround", "productentry", "productcertificate", "fiveyearprogramme", "programmetarget")
REFERENCE_DATA = (
    "region",
    "province",
    "activitycategory",
    "categorymapping",
    "indicator",
    "userprofile",
    "deadline",
)

ROLE_PERMISSIONS: dict[Role, list[str]] = {
    # "app_label.codename" patterns; "view_*" means every view permission of the portal's apps.
    Role.PROVINCE_STAFF: [
        *(
            f"programmes.{action}_{model}"
            for model in PROVINCE_RECORDS
            for action in ("view", "add", "change", "delete")
        ),
        "programmes.view_projecttransition",
        # The revisions of their plans (listed read-only on the plan's admin page).
        "programmes.view_planrevision",
        "programmes.view_reportingperiod",
        "programmes.submit_reportingperiod",
        *(f"programmes.view_{model}" for model in REFERENCE_DATA),
    ],
    Role.MINISTRY: [
        "view_*",
        "programmes.approve_budgetplan",
        "programmes.approve_reportingperiod",
        "conferences.*",
        *(f"programmes.{action}_{model}" for model in NATIONAL_RECORDS for action in ("add", "change", "delete")),
    ],
    Role.VIEWER: ["view_*"],
    Role.ADMIN: [
        "view_*",
        *(f"programmes.{action}_{model}" for model in PROVINCE_RECORDS for action in ("add", "change", "delete")),
        "programmes.submit_reportingperiod",
        "programmes.approve_reportingperiod",
        "programmes.approve_budgetplan",
        "conferences.*",
        "auth.add_user",
        "auth.change_user",
        "auth.delete_user",
        "auth.view_group",
        # Every user's background jobs ("My jobs" shows the others only their own).
        "jobs.see_every_job",
        *(f"programmes.{action}_{model}" for model in REFERENCE_DATA for action in ("add", "change", "delete")),
    ],
}
PORTAL_APPS = ("programmes", "conferences", "auth", "jobs")


def sync_role_groups() -> None:
    """Create the four role groups and give each exactly its permissions (idempotent).

    Runs after every `migrate` (programmes.apps), so that new models' permissions follow.
    """
    permissions = list(Permission.objects.select_related("content_type"))
    for role, patterns in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role.value)
        wanted = []
        for permission in permissions:
            app = permission.content_type.app_label
            name = f"{app}.{permission.codename}"
            if app not in PORTAL_APPS:
                continue
            for pattern in patterns:
                if (
                    pattern == name
                    or (pattern == "view_*" and permission.codename.startswith("view_") and app != "auth")
                    or (pattern.endswith(".*") and pattern[:-2] == app)
                ):
                    wanted.append(permission)
                    break
        group.permissions.set(wanted)


def role_of(user) -> Role | None:
    """The user's role (cached on the user object); superusers are administrators; None if none."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if not hasattr(user, "_portal_role"):
        if user.is_superuser:
            user._portal_role = Role.ADMIN
        else:
            names = set(user.groups.values_list("name", flat=True))
            user._portal_role = next((role for role in ROLE_PRECEDENCE if role.value in names), None)
    return user._portal_role


def _load_territory(user) -> None:
    """Cache on `user` their province and its territory (itself and the provinces merged into
    it), read in one query."""
    own = UserProfile.objects.filter(user=user, province=OuterRef("pk"))
    provinces = list(
        Province.objects.filter(Q(staff__user=user) | Q(merged_into__staff__user=user))
        .annotate(is_own=Exists(own))
        .select_related("region")
    )
    user._portal_province = next((p for p in provinces if p.is_own), None)
    user._portal_territory = frozenset(p.pk for p in provinces)


def user_province(user) -> Province | None:
    """The province a user works for, or None (cached on the user object)."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_portal_province"):
        _load_territory(user)
    return user._portal_province


def visible_province_ids(user) -> frozenset[int] | None:
    """Provinces whose records `user` may read: None means all, an empty set means none.

    Province staff see their province and the provinces merged into it (a post-2025 province
    inherits its predecessors' records).
    """
    role = role_of(user)
    if role in (Role.ADMIN, Role.MINISTRY, Role.VIEWER):
        return None
    if role == Role.PROVINCE_STAFF:
        if not hasattr(user, "_portal_territory"):
            _load_territory(user)
        return user._portal_territory
    return frozenset()


def editable_province_ids(user) -> frozenset[int] | None:
    """Provinces whose records `user` may create, change or delete (locks aside).

    Province staff enter records for their own territory; administrators (and superusers) for
    every province (None); ministry officials and viewers for none (an empty set).
    """
    role = role_of(user)
    if role == Role.ADMIN:
        return None
    if role == Role.PROVINCE_STAFF:
        return visible_province_ids(user)
    return frozenset()


def visible(user, model_or_queryset) -> QuerySet:
    """The records of a province-owned model that `user` may read."""
    queryset = _queryset(model_or_queryset)
    return queryset.in_provinces(visible_province_ids(user))


def editable(user, model_or_queryset) -> QuerySet:
    """The records of a province-owned model that `user` may change (locks are checked on save)."""
    queryset = _queryset(model_or_queryset)
    ids = editable_province_ids(user)
    if ids is not None and not ids:
        return queryset.none()
    return queryset.in_provinces(ids)


def _queryset(model_or_queryset) -> QuerySet:
    if isinstance(model_or_queryset, QuerySet):
        return model_or_queryset
    return model_or_queryset._default_manager.all()


def can_edit_province(user, province: Province | int | None) -> bool:
    """Whether `user` may enter records for `province`."""
    if province is None:
        return False
    ids = editable_province_ids(user)
    pk = province if isinstance(province, int) else province.pk
    return ids is None or pk in ids


def may_edit_record(user, province: Province | int | None) -> bool:
    """Whether `user` may change a record of `province`; a record of no province (a regional or
    national selection round) is the ministry's and the administrator's."""
    if province is None:
        return role_of(user) in (Role.MINISTRY, Role.ADMIN)
    return can_edit_province(user, province)


WRITE_ACTIONS = ("add", "change", "delete")


def may_write(user, action: str, model: type[Model], province: Province | int | None) -> bool:
    """The one authority check of a write, for the admin, the pages and the API alike: the
    Django permission of `action` ("add", "change" or "delete") on `model`, which the user's
    role grants, and a province the user enters records for. A `province` of None is False,
    except for the national records (NATIONAL_RECORDS: a regional or national selection round
    and its entries and certificates), which the ministry and the administrator enter."""
    if action not in WRITE_ACTIONS:
        raise ValueError(f"unknown write action {action!r}")
    opts = model._meta
    if not user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}"):
        return False
    if province is None and opts.app_label == "programmes" and opts.model_name in NATIONAL_RECORDS:
        return may_edit_record(user, None)
    return can_edit_province(user, province)


def require_write(user, action: str, model: type[Model], province: Province | int | None) -> None:
    """PermissionDenied (with the reason) unless `may_write(user, action, model, province)`."""
    if not may_write(user, action, model, province):
        raise PermissionDenied(_("You may not enter records for this province."))


def can_see_province(user, province: Province | int) -> bool:
    ids = visible_province_ids(user)
    pk = province if isinstance(province, int) else province.pk
    return ids is None or pk in ids


def get_visible_or_404(user, model_or_queryset, **lookup) -> Model:
    """The record matching `lookup` if `user` may read it; Http404 otherwise (no hint that it exists)."""
    try:
        return visible(user, model_or_queryset).get(**lookup)
    except (model_or_queryset.model if isinstance(model_or_queryset, QuerySet) else model_or_queryset).DoesNotExist:
        raise Http404 from None


def require_edit(user, province: Province | int | None) -> None:
    """PermissionDenied unless `user` may enter records for `province`."""
    if not can_edit_province(user, province):
        raise PermissionDenied(_("You may not enter records for this province."))


def can_read_scope(user, province_id: int | None) -> bool:
    """Whether `user` may read the figures of a scope: nation-wide roles any scope; province
    staff a province of their territory only (None, the nation or a region, lists every
    province, so it is not theirs to read)."""
    if sees_everything(user):
        return True
    return province_id is not None and can_see_province(user, province_id)


def sees_everything(user) -> bool:
    """Nation-wide roles read every province (dashboards of the nation and regions)."""
    return visible_province_ids(user) is None


def can_approve(user) -> bool:
    """Ministry officials and administrators approve, return and reopen plans and reports."""
    return role_of(user) in (Role.MINISTRY, Role.ADMIN)


# ---- Who may take which step on the programme's pages -------------------------------------------

YEAR_PLAN_PERMISSIONS = ("programmes.change_budgetplan", "programmes.change_indicatortarget")


PLAN_APPROVE_PERMISSION = "programmes.approve_budgetplan"


SUBMIT_PERMISSION = "programmes.submit_reportingperiod"


APPROVE_PERMISSION = "programmes.approve_reportingperiod"


def may_edit_year_plan(user, province: Province | None = None) -> bool:
    """True when `user` may enter year plans: of `province`, or of some province when None.

    Needs both change permissions and a province the user enters records for (programmes.access:
    province staff for their own territory).
    """
    if not (user.is_authenticated and user.has_perms(YEAR_PLAN_PERMISSIONS)):
        return False
    if province is None:
        return editable_province_ids(user) != frozenset()
    # The grid writes plans and targets: the one write check (may_write) for both.
    return all(may_write(user, "change", model, province) for model in (BudgetPlan, IndicatorTarget))


def may_read_year_plans(user) -> bool:
    """True when `user` may open year plans: those who enter them, and every portal role (the
    nation-wide roles read every province's, province staff their own territory's)."""
    return may_edit_year_plan(user) or role_of(user) is not None


def may_decide_plans(user) -> bool:
    """Those who approve plans and send them back (can_approve: ministry officials and
    administrators), with the permission."""
    return can_approve(user) and user.has_perm(PLAN_APPROVE_PERMISSION)


def may_submit_period(user, province: Province) -> bool:
    """Province staff submit the reports of the provinces they enter records for."""
    return can_edit_province(user, province) and user.has_perm(SUBMIT_PERMISSION)


def may_decide_period(user) -> bool:
    """Those who approve, send back and reopen reports (can_approve: ministry officials
    and administrators), with the permission."""
    return can_approve(user) and user.has_perm(APPROVE_PERMISSION)


def may_view_reports(user) -> bool:
    """Every portal role sees the reports (list and pages) of the provinces it reads."""
    return role_of(user) is not None


def may_view_completeness(user) -> bool:
    """The nation-wide roles: the completeness covers every province."""
    return sees_everything(user)


def may_import(user) -> bool:
    """Those who enter records for some province import workbooks: province staff (their
    territory) and administrators (any province)."""
    return getattr(user, "is_authenticated", False) and editable_province_ids(user) != frozenset()
