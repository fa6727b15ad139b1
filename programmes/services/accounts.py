"""Portal accounts: creating one with its role and province, changing them, setting the
password, deactivating. The admin's user pages and `manage.py add_user` both write through here.

The rules (docs/design.md §7): a role is one permission group; province staff work for exactly
one province and the other roles for none; everybody but a viewer works in the data-entry pages
(`is_staff`); the portal never makes anybody a superuser. Every change of role, province,
activity or password writes a row of the profile's history (UserProfile), so the audit trail
says who changed which account, when, from what to what.
"""

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import access
from ..models import Province, Role, UserProfile
from .support import with_reason

# Refusals (STYLE C12: constants the forms, the command and the tests share).
PROVINCE_REQUIRED = _("Province staff work for one province: choose it.")
PROVINCE_NOT_ALLOWED = _("Only province staff work for a province: leave the province empty for this role.")
OWN_ROLE = _("You cannot take the administrator role from your own account: ask another administrator.")
OWN_ACTIVITY = _("You cannot deactivate your own account: ask another administrator.")
SUPERUSER_ACCOUNT = _("A superuser's account is changed by a superuser only.")

# What the history row of each kind of change says (the audit trail's "reason" column).
PASSWORD_SET = _("Password set by an administrator.")
DEACTIVATED = _("Account deactivated: nobody can log in with it; the records keep its name.")

_PROFILE_FIELDS = ("province_id", "position", "role", "is_active", "password_changed_at")


def role_province_check(role: str, province: Province | None) -> None:
    """ValidationError (on `province`, or `role` for an unknown role) unless `role` and
    `province` go together: province staff need a province, the other roles have none."""
    if role not in Role.values:
        raise ValidationError({"role": _("Choose one of the roles in the list.")})
    if role == Role.PROVINCE_STAFF and province is None:
        raise ValidationError({"province": PROVINCE_REQUIRED})
    if role != Role.PROVINCE_STAFF and province is not None:
        raise ValidationError({"province": PROVINCE_NOT_ALLOWED})


def editor_check(*, user, by) -> None:
    """ValidationError unless `by` may change `user`'s account: a superuser's account is a
    superuser's to change (otherwise an administrator could take it over with a new password).
    `by` None is a script run on the server (manage.py add_user), which may change any account."""
    if by is not None and user.pk and user.is_superuser and not by.is_superuser:
        raise ValidationError(SUPERUSER_ACCOUNT)


def account_update_check(*, user, role: str, province: Province | None, is_active: bool | None, by) -> None:
    """The refusals of `account_update`, for a form to show before anything is saved."""
    role_province_check(role, province)
    editor_check(user=user, by=by)
    if by is not None and user.pk is not None and by.pk == user.pk:
        if access.role_of(by) == Role.ADMIN and role != Role.ADMIN and not by.is_superuser:
            raise ValidationError({"role": OWN_ROLE})
        if is_active is False:
            raise ValidationError({"is_active": OWN_ACTIVITY})


def _group(role: str) -> Group:
    group = Group.objects.filter(name=role).first()
    if group is None:  # a database migrated before the roles existed
        access.sync_role_groups()
        group = Group.objects.get(name=role)
    return group


def _profile(user) -> UserProfile:
    try:
        return UserProfile.objects.get(user=user)
    except UserProfile.DoesNotExist:
        return UserProfile(user=user)


def _save_profile(profile: UserProfile, *, by, reason: str = "") -> None:
    """Save `profile` when something the audit trail shows changed (no empty history rows)."""
    if profile.pk:
        stored = UserProfile.objects.filter(pk=profile.pk).values(*_PROFILE_FIELDS).first()
        if stored == {name: getattr(profile, name) for name in _PROFILE_FIELDS}:
            return
    with_reason(profile, str(reason), by)
    profile.save()


def account_create(
    *,
    username: str,
    password: str | None,
    role: str,
    province: Province | None = None,
    by=None,
    **fields,
):
    """A new account with `role` (and `province` for province staff) and `password` (checked by
    the password validators; None leaves the account without a usable password). `fields` are
    the user's first_name, last_name, email and the profile's position. Raises ValidationError,
    and then nothing is saved."""
    role_province_check(role, province)
    User = get_user_model()
    position = fields.pop("position", "")
    user = User(username=username, **fields)
    if password is not None:
        password_validation.validate_password(password, user)
    with transaction.atomic():
        if password is None:
            user.set_unusable_password()
        else:
            user.set_password(password)
        user.is_staff = role != Role.VIEWER
        user.is_superuser = False
        user.full_clean(exclude=["password"])
        user.save()
        user.groups.set([_group(role)])
        profile = UserProfile(
            user=user,
            province=province,
            position=position,
            role=role,
            is_active=user.is_active,
            password_changed_at=timezone.now() if password is not None else None,
        )
        _save_profile(profile, by=by)
    return user


def account_update(*, user, role: str, province: Province | None, by=None, **fields):
    """Change `user`'s role, province and the other `fields` (first_name, last_name, email,
    username, is_active; position on the profile). Raises ValidationError, and then nothing is
    saved: the pair role/province must go together, nobody takes the administrator role from or
    deactivates their own account, and a superuser's account is a superuser's to change."""
    account_update_check(user=user, role=role, province=province, is_active=fields.get("is_active"), by=by)
    profile = _profile(user)
    profile.position = fields.pop("position", profile.position)
    was_active = user.is_active if not user.pk else get_user_model().objects.get(pk=user.pk).is_active
    for name, value in fields.items():
        setattr(user, name, value)
    with transaction.atomic():
        user.is_staff = role != Role.VIEWER
        user.full_clean(exclude=["password"])
        user.save()
        user.groups.set([_group(role)])
        profile.province, profile.role, profile.is_active = province, role, user.is_active
        _save_profile(profile, by=by, reason=DEACTIVATED if was_active and not user.is_active else "")
    _forget_cached_access(user)
    return user


def _forget_cached_access(user) -> None:
    """programmes.access and Django's permission checks cache on the user object: the next
    check must see the new role and province."""
    for cached in ("_portal_role", "_portal_province", "_portal_territory", "_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(cached, None)


def _recorded_role(user) -> str:
    """The role the user's groups give (inactive accounts too, unlike access.role_of)."""
    if user.is_superuser:
        return Role.ADMIN
    names = set(user.groups.values_list("name", flat=True))
    return next((role for role in access.ROLE_PRECEDENCE if role in names), "")


def account_set_password(*, user, password: str, by=None):
    """Give `user` a new password (checked by the password validators: ValidationError on
    `password`, and nothing saved), recorded in the audit trail without the password itself."""
    editor_check(user=user, by=by)
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.error_list}) from None
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        profile = _profile(user)
        profile.password_changed_at = timezone.now()
        if not profile.pk:
            profile.role, profile.is_active = _recorded_role(user), user.is_active
        _save_profile(profile, by=by, reason=PASSWORD_SET)
    return user


def account_deactivate(*, user, by=None):
    """Close `user`'s account: they can no longer log in, and every record keeps their name.
    The way to retire an account that records already name (see selectors.accounts)."""
    editor_check(user=user, by=by)
    if by is not None and by.pk == user.pk:
        raise ValidationError({"is_active": OWN_ACTIVITY})
    with transaction.atomic():
        user.is_active = False
        user.save(update_fields=["is_active"])
        profile = _profile(user)
        if not profile.pk:
            profile.role = _recorded_role(user)
        profile.is_active = False
        _save_profile(profile, by=by, reason=DEACTIVATED)
    _forget_cached_access(user)
    return user
