"""The user pages of the admin: one role and the province, validated as `add_user` validates;
no superuser through the portal; accounts that records name are deactivated, not deleted; every
change of role, province, activity and password in the audit trail; the list's columns,
filters and query count."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from programmes import access
from programmes.models import ProjectStatus, ReportingPeriod, Role, UserProfile
from programmes.services import accounts as account_services
from reports.audit.trail import AuditFilters, audit_entries
from tests import factories

pytestmark = pytest.mark.django_db
User = get_user_model()
STRONG = "Khuyen-cong-2026!"


@pytest.fixture
def administrator():
    return factories.member("admin", username="quantri", first_name="Quang Huy", last_name="Lê")


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


def _new_account(**overrides) -> dict:
    data = {
        "username": "lan.nguyen",
        "password1": STRONG,
        "password2": STRONG,
        "last_name": "Nguyễn",
        "first_name": "Thị Ngọc Lan",
        "email": "lan@example.vn",
        "position": "Chuyên viên",
        "role": "province_staff",
        "province": str(factories.province("79", new_era=True).pk),
    }
    data.update(overrides)
    return data


def _change_data(user, **overrides) -> dict:
    profile = getattr(user, "portal_profile", None)
    data = {
        "username": user.username,
        "last_name": user.last_name,
        "first_name": user.first_name,
        "email": user.email,
        "position": profile.position if profile else "",
        "role": access.role_of(user) or "",
        "province": str(profile.province_id) if profile and profile.province_id else "",
        "is_active": "on" if user.is_active else "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# ---- creating an account ------------------------------------------------------------------------


def test_the_administrator_creates_province_staff_with_role_and_province(admin_client, administrator):
    response = admin_client.post(reverse("admin:auth_user_add"), _new_account())
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(username="lan.nguyen")
    assert user.check_password(STRONG)
    assert access.role_of(user) == Role.PROVINCE_STAFF
    assert list(user.groups.values_list("name", flat=True)) == ["province_staff"]
    assert user.is_staff and not user.is_superuser
    profile = user.portal_profile
    assert (profile.province.code, profile.province.valid_to, profile.position) == ("79", None, "Chuyên viên")
    assert access.user_province(user) == profile.province
    # The audit trail has the new account, with who created it.
    history = profile.history.get()
    assert (history.history_type, history.history_user, history.role) == ("+", administrator, "province_staff")


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"province": ""}, "province", account_services.PROVINCE_REQUIRED),
        ({"role": "ministry"}, "province", account_services.PROVINCE_NOT_ALLOWED),
        ({"role": "viewer"}, "province", account_services.PROVINCE_NOT_ALLOWED),
        ({"role": ""}, "role", None),
        ({"password2": "Khac-hoan-toan-2026"}, "password2", None),
        ({"password1": "123", "password2": "123"}, "password2", None),
    ],
)
def test_a_bad_account_is_refused_with_the_reason_and_nothing_saved(admin_client, overrides, field, message):
    response = admin_client.post(reverse("admin:auth_user_add"), _new_account(**overrides))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert field in errors, errors
    if message is not None:
        assert errors[field] == [str(message)]
    assert not User.objects.filter(username="lan.nguyen").exists()
    assert not UserProfile.objects.filter(user__username="lan.nguyen").exists()


def test_a_merged_away_province_is_not_offered_for_a_new_account(admin_client):
    old = factories.province("74")  # Bình Dương to 30/06/2025, now part of Hồ Chí Minh City
    response = admin_client.post(reverse("admin:auth_user_add"), _new_account(province=str(old.pk)))
    assert "province" in response.context["adminform"].form.errors
    offered = {p.pk for p in response.context["adminform"].form.fields["province"].queryset}
    assert old.pk not in offered
    assert factories.province("79", new_era=True).pk in offered


def test_the_portal_never_makes_a_superuser(admin_client):
    data = _new_account(role="admin", province="", is_superuser="on", is_staff="", groups="1")
    assert admin_client.post(reverse("admin:auth_user_add"), data).status_code == 302
    user = User.objects.get(username="lan.nguyen")
    assert not user.is_superuser
    assert user.is_staff  # from the role, not from the form
    response = admin_client.post(
        reverse("admin:auth_user_change", args=[user.pk]), _change_data(user, is_superuser="on")
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.is_superuser
    form = admin_client.get(reverse("admin:auth_user_change", args=[user.pk])).context["adminform"].form
    assert not {"is_superuser", "is_staff", "groups", "user_permissions"} & set(form.fields)


def test_the_account_services_set_only_the_fields_they_name(db):
    """account_create and account_update take the names, e-mail, username, activity and position
    by name: a caller cannot set anything else on the account through them (a superuser flag)."""
    user = account_services.account_create(username="ha", password=STRONG, role="viewer")
    with pytest.raises(TypeError):
        account_services.account_update(user=user, role="viewer", province=None, is_superuser=True)
    with pytest.raises(TypeError):
        account_services.account_create(username="hb", password=STRONG, role="viewer", is_superuser=True)
    user.refresh_from_db()
    assert not user.is_superuser
    assert not User.objects.filter(username="hb").exists()


def test_an_update_leaves_the_fields_it_is_not_given(db):
    user = account_services.account_create(
        username="ha",
        password=STRONG,
        role="viewer",
        first_name="Hà",
        last_name="Trần",
        email="ha@example.vn",
        position="Chuyên viên",
    )
    account_services.account_update(user=user, role="ministry", province=None)
    user.refresh_from_db()
    assert (user.username, user.first_name, user.last_name, user.email, user.is_active) == (
        "ha",
        "Hà",
        "Trần",
        "ha@example.vn",
        True,
    )
    assert (user.portal_profile.role, user.portal_profile.position) == ("ministry", "Chuyên viên")


# ---- changing an account ------------------------------------------------------------------------


def test_a_change_of_role_and_province_is_in_the_audit_trail(admin_client, administrator):
    hcm = factories.province("79", new_era=True)
    user = account_services.account_create(username="lan", password=STRONG, role="province_staff", province=hcm)
    response = admin_client.post(
        reverse("admin:auth_user_change", args=[user.pk]), _change_data(user, role="ministry", province="")
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(pk=user.pk)
    assert access.role_of(user) == Role.MINISTRY
    assert access.user_province(user) is None
    entries = [
        e for e in audit_entries(user=administrator, filters=AuditFilters(), limit=10) if e.model == "userprofile"
    ]
    latest = entries[0]
    assert latest.who == "Lê Quang Huy"
    changes = {change.field: (change.old, change.new) for change in latest.changes}
    assert changes["Vai trò"] == ("Cán bộ tỉnh", "Cán bộ Bộ")
    assert changes["Tỉnh/thành phố"] == ("Thành phố Hồ Chí Minh", "")


def test_deactivating_and_a_new_password_are_in_the_audit_trail(admin_client, administrator):
    user = account_services.account_create(username="ha", password=STRONG, role="viewer")
    response = admin_client.post(
        reverse("admin:auth_user_password_change", args=[user.pk]),
        {"password1": "Mat-khau-moi-2026", "password2": "Mat-khau-moi-2026"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Mat-khau-moi-2026")
    password_row = user.portal_profile.history.first()
    assert password_row.history_change_reason == str(account_services.PASSWORD_SET)
    assert password_row.history_user == administrator
    assert not hasattr(password_row, "password")  # the history keeps when, never the hash
    admin_client.post(reverse("admin:auth_user_change", args=[user.pk]), _change_data(user, is_active=""))
    user.refresh_from_db()
    assert not user.is_active
    row = user.portal_profile.history.first()
    assert (row.is_active, row.history_change_reason) == (False, str(account_services.DEACTIVATED))
    entry = audit_entries(user=administrator, filters=AuditFilters(model="userprofile"), limit=1)[0]
    assert {c.field: c.new for c in entry.changes}["Tài khoản đang hoạt động"] == "Không"


def test_a_weak_new_password_is_refused_and_the_old_one_kept(admin_client):
    user = account_services.account_create(username="ha", password=STRONG, role="viewer")
    response = admin_client.post(
        reverse("admin:auth_user_password_change", args=[user.pk]), {"password1": "12345", "password2": "12345"}
    )
    assert response.status_code == 200 and response.context["form"].errors
    user.refresh_from_db()
    assert user.check_password(STRONG)


def test_an_administrator_cannot_take_over_a_superuser(admin_client):
    boss = factories.user("boss", is_staff=True, is_superuser=True)
    page = admin_client.get(reverse("admin:auth_user_change", args=[boss.pk]))
    assert page.status_code == 200 and not page.context["has_change_permission"]  # read-only
    assert "pbkdf2" not in page.content.decode() and "md5" not in page.content.decode()
    assert admin_client.post(reverse("admin:auth_user_change", args=[boss.pk]), {"role": "viewer"}).status_code == 403
    response = admin_client.post(
        reverse("admin:auth_user_password_change", args=[boss.pk]), {"password1": STRONG, "password2": STRONG}
    )
    assert response.status_code == 403
    boss.refresh_from_db()
    assert boss.check_password("pw-boss")


def test_nobody_removes_their_own_administrator_role_or_deactivates_themselves(admin_client, administrator):
    url = reverse("admin:auth_user_change", args=[administrator.pk])
    response = admin_client.post(url, _change_data(administrator, role="viewer"))
    assert response.context["adminform"].form.errors["role"] == [str(account_services.OWN_ROLE)]
    response = admin_client.post(url, _change_data(administrator, is_active=""))
    assert response.context["adminform"].form.errors["is_active"] == [str(account_services.OWN_ACTIVITY)]
    administrator.refresh_from_db()
    assert administrator.is_active and access.role_of(administrator) == Role.ADMIN


def test_staff_keep_a_merged_away_province_until_it_is_changed(admin_client):
    old = factories.province("74")
    user = factories.member("province_staff", old, username="binhduong")
    response = admin_client.post(reverse("admin:auth_user_change", args=[user.pk]), _change_data(user, email="bd@x.vn"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert UserProfile.objects.get(user=user).province == old


# ---- deleting, or deactivating instead ----------------------------------------------------------


def test_an_account_that_records_name_is_not_deleted_and_the_page_says_why(admin_client):
    hcm = factories.province("79", new_era=True)
    approver = factories.member("ministry", username="pheduyet", first_name="Thu Hà", last_name="Trần")
    ReportingPeriod.objects.create(province=hcm, year=2026, period="H1", approved_by=approver)
    url = reverse("admin:auth_user_delete", args=[approver.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert page.context["protected"]
    text = page.content.decode()
    assert "Không xóa được tài khoản" in text
    assert "Trần Thu Hà: Là “người phê duyệt” của 1 kỳ báo cáo" in text
    assert reverse("admin:auth_user_deactivate", args=[approver.pk]) in text
    admin_client.post(url, {"post": "yes"})
    assert User.objects.filter(pk=approver.pk).exists()
    assert ReportingPeriod.objects.get().approved_by == approver
    # The way out: deactivate.
    response = admin_client.post(reverse("admin:auth_user_deactivate", args=[approver.pk]))
    assert response.status_code == 302
    approver.refresh_from_db()
    assert not approver.is_active
    assert approver.portal_profile.history.first().history_change_reason == str(account_services.DEACTIVATED)


def test_the_author_of_changes_is_protected_too(admin_client):
    hcm = factories.province("79", new_era=True)
    staff = factories.member("province_staff", hcm, username="nhap")
    project = factories.project(hcm, 2026, status=ProjectStatus.PROPOSED)
    project.history.update(history_user=staff)
    page = admin_client.get(reverse("admin:auth_user_delete", args=[staff.pk]))
    assert any("thay đổi về đề án trong nhật ký" in str(item) for item in page.context["protected"])


def test_the_list_action_deletes_nobody_that_records_name(admin_client):
    named = factories.member("ministry", username="named")
    ReportingPeriod.objects.create(
        province=factories.province("01", new_era=True), year=2026, period="H1", submitted_by=named
    )
    unnamed = factories.member("viewer", username="unnamed")
    data = {"action": "delete_selected", "_selected_action": [named.pk, unnamed.pk], "post": "yes"}
    response = admin_client.post(reverse("admin:auth_user_changelist"), data)
    assert response.status_code == 200 and response.context["protected"]
    assert User.objects.filter(pk__in=[named.pk, unnamed.pk]).count() == 2
    deactivate = {"action": "deactivate_selected", "_selected_action": [named.pk, unnamed.pk]}
    admin_client.post(reverse("admin:auth_user_changelist"), deactivate)
    assert not User.objects.filter(pk__in=[named.pk, unnamed.pk], is_active=True).exists()


def test_an_account_nothing_names_is_deleted_after_a_warning(admin_client):
    user = account_services.account_create(username="thu", password=STRONG, role="viewer")
    page = admin_client.get(reverse("admin:auth_user_delete", args=[user.pk]))
    assert not page.context["protected"]
    assert "Việc xóa không hoàn tác được" in page.content.decode()
    admin_client.post(reverse("admin:auth_user_delete", args=[user.pk]), {"post": "yes"})
    assert not User.objects.filter(pk=user.pk).exists()


def test_the_delete_page_asks_one_query_for_every_kind_of_record(admin_client):
    from programmes.selectors.accounts import recorded_uses

    user = factories.member("viewer", username="nobody")
    # 1: one counting subquery per relation that records a user, whatever their number.
    with CaptureQueriesContext(connection) as queries:
        assert recorded_uses([user.pk]) == {user.pk: []}
    assert len(queries) == 1


# ---- the list -----------------------------------------------------------------------------------


def test_the_list_shows_and_filters_role_and_province(admin_client, django_assert_num_queries):
    hcm = factories.province("79", new_era=True)
    hanoi = factories.province("01", new_era=True)
    for index in range(6):
        factories.member("province_staff", hcm if index % 2 else hanoi, username=f"staff{index}")
    factories.member("ministry", username="bo")
    url = reverse("admin:auth_user_changelist")
    # 1 session, 2 the user, 3-4 the user's permissions (own, groups'), 5 the province filter's
    # provinces, 6 the count of the filtered list, 7 the count of all, 8 the user's groups (its
    # role, for the menu), 9 the page's users with their profiles and provinces, 10 their groups
    # (the role column).
    with django_assert_num_queries(10):
        response = admin_client.get(url, {"role": "province_staff", "province": str(hcm.pk)})
    rows = response.context["cl"].result_list
    assert {user.username for user in rows} == {"staff1", "staff3", "staff5"}
    text = response.content.decode()
    assert "Cán bộ tỉnh" in text and "Thành phố Hồ Chí Minh" in text
    names = {user.username for user in admin_client.get(url, {"role": "ministry"}).context["cl"].result_list}
    assert names == {"bo"}


def test_groups_and_logs_are_for_superusers_only_tokens_for_administrators(admin_client, client):
    index = admin_client.get(reverse("admin:index"))
    models = {entry["model"]._meta.label_lower for app in index.context["app_list"] for entry in app["models"]}
    assert "auth.user" in models
    assert not {"auth.group", "axes.accessattempt", "axes.accesslog", "sessions.session"} & models
    # The administrators revoke API tokens (accounts.admin), beside the accounts; nobody else sees them.
    accounts = next(app for app in index.context["app_list"] if app["name"] == "Tài khoản")
    assert [entry["model"]._meta.label_lower for entry in accounts["models"]] == ["auth.user", "accounts.apitoken"]
    ministry = Client()
    ministry.force_login(factories.member("ministry", username="bo.xem"))
    index = ministry.get(reverse("admin:index"))
    models = {entry["model"]._meta.label_lower for app in index.context["app_list"] for entry in app["models"]}
    assert "accounts.apitoken" not in models and "programmes.project" in models
    assert admin_client.get(reverse("admin:auth_group_changelist")).status_code == 403
    superuser = factories.user("root", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    index = client.get(reverse("admin:index"))
    models = {entry["model"]._meta.label_lower for app in index.context["app_list"] for entry in app["models"]}
    assert {"auth.group", "axes.accessattempt"} <= models
    assert index.context["app_list"][-1]["name"] == "Hệ thống (chỉ quản trị cấp cao)"


def test_the_index_lists_the_tasks_in_order(admin_client):
    index = admin_client.get(reverse("admin:index"))
    names = [entry["object_name"] for app in index.context["app_list"] for entry in app["models"]]
    assert names[:7] == [
        "Project",
        "Disbursement",
        "ProjectOutput",
        "ProjectTransition",
        "BudgetPlan",
        "IndicatorTarget",
        "ReportingPeriod",
    ]
    assert names[-6:] == ["ExtensionCentre", "ActivityCategory", "CategoryMapping", "Indicator", "Province", "Region"]


def test_the_admin_login_page_is_the_portals(client):
    response = client.get(reverse("admin:login"), {"next": "/quan-tri/programmes/project/"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    viewer = factories.member("viewer", username="xem")
    client.force_login(viewer)
    assert client.get(reverse("admin:index"), follow=True).status_code == 403


def test_add_user_and_the_admin_share_the_rules(monkeypatch):
    from django.core.management import CommandError, call_command

    monkeypatch.setenv("PORTAL_PASSWORD", STRONG)
    call_command("add_user", "ba", "--role", "viewer")
    user = User.objects.get(username="ba")
    assert user.portal_profile.role == "viewer" and not user.is_staff
    # A superuser stays one (the portal never changes it); add_user runs on the server.
    user.is_superuser = True
    user.save()
    call_command("add_user", "ba", "--role", "admin")
    assert User.objects.get(username="ba").is_superuser
    with pytest.raises(CommandError):
        call_command("add_user", "ba", "--role", "ministry", "--province", "79")


def test_the_recorded_role_follows_the_account_when_it_was_loaded_before(db):
    user = factories.member("ministry", username="cu")  # no profile: created before this branch
    account_services.account_set_password(user=user, password="Mot-mat-khau-2026")
    profile = UserProfile.objects.get(user=user)
    assert (profile.role, profile.is_active) == ("ministry", True)
    assert timezone.now() - profile.password_changed_at < datetime.timedelta(minutes=1)
