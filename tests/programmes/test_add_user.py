import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from programmes import access
from programmes.models import UserProfile

pytestmark = pytest.mark.django_db
STRONG = "Khuyen-cong-2026!"


def _run(*args, password=STRONG, monkeypatch):
    monkeypatch.setenv("PORTAL_PASSWORD", password)
    out = io.StringIO()
    call_command("add_user", *args, stdout=out)
    return out.getvalue()


def test_it_creates_province_staff_of_the_province_in_force(monkeypatch):
    output = _run("hcm.staff", "--role", "province_staff", "--province", "79", monkeypatch=monkeypatch)
    user = get_user_model().objects.get(username="hcm.staff")
    assert user.check_password(STRONG)
    assert user.is_staff and not user.is_superuser
    assert access.role_of(user) == access.Role.PROVINCE_STAFF
    province = UserProfile.objects.get(user=user).province
    assert (province.name, province.valid_to) == ("Thành phố Hồ Chí Minh", None)
    assert "hcm.staff" in output


def test_a_reused_code_picks_the_era_asked_for(monkeypatch):
    _run("yenbai", "--role", "province_staff", "--province", "15", "--era", "old", monkeypatch=monkeypatch)
    assert UserProfile.objects.get(user__username="yenbai").province.name == "Yên Bái"


def test_running_it_again_updates_the_role_and_password(monkeypatch):
    _run("someone", "--role", "viewer", monkeypatch=monkeypatch)
    _run("someone", "--role", "ministry", password="Another-strong-2026", monkeypatch=monkeypatch)
    user = get_user_model().objects.get(username="someone")
    assert access.role_of(user) == access.Role.MINISTRY
    assert user.check_password("Another-strong-2026")
    assert list(user.groups.values_list("name", flat=True)) == ["ministry"]


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (["x", "--role", "province_staff"], STRONG, "--province"),
        (["x", "--role", "ministry", "--province", "79"], STRONG, "tỉnh"),
        (["x", "--role", "province_staff", "--province", "99"], STRONG, "99"),
        (["x", "--role", "viewer"], "123", "mật khẩu"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_saved(monkeypatch, args, password, message):
    with pytest.raises(CommandError) as caught:
        _run(*args, password=password, monkeypatch=monkeypatch)
    assert message in str(caught.value).lower() or message in str(caught.value)
    assert not get_user_model().objects.filter(username="x").exists()


def test_without_a_password_and_without_a_terminal_it_explains(monkeypatch):
    monkeypatch.delenv("PORTAL_PASSWORD", raising=False)
    monkeypatch.setattr("os.isatty", lambda fd: False)
    with pytest.raises(CommandError) as caught:
        call_command("add_user", "x", "--role", "viewer")
    assert "PORTAL_PASSWORD" in str(caught.value)
