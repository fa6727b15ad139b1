"""khuyencong.middleware.download_token_middleware: the cookie that ends "preparing the file…"."""

import pytest
from django.http import HttpResponse

from khuyencong.middleware import DOWNLOAD_COOKIE, download_token_middleware


def _respond(rf, query: dict, *, attachment: bool):
    response = HttpResponse(b"x")
    if attachment:
        response["Content-Disposition"] = 'attachment; filename="a.xlsx"'
    return download_token_middleware(lambda request: response)(rf.get("/bao-cao/excel/", query))


def test_a_file_sent_as_an_attachment_echoes_the_token_in_a_cookie(rf):
    response = _respond(rf, {"year": "2016", DOWNLOAD_COOKIE: "lw3k9a0b1c2d3e"}, attachment=True)

    cookie = response.cookies[DOWNLOAD_COOKIE]
    assert cookie.value == "lw3k9a0b1c2d3e"
    assert cookie["max-age"] == 300
    assert cookie["samesite"] == "Lax"
    assert not cookie["httponly"]  # the page's script must read it


def test_the_view_never_sees_the_token(rf):
    seen = {}

    def view(request):
        seen.update(request.GET)
        return HttpResponse(b"x")

    download_token_middleware(view)(rf.get("/", {"year": "2016", DOWNLOAD_COOKIE: "lw3k9a0b1c2d3e"}))

    assert seen == {"year": ["2016"]}


@pytest.mark.parametrize(
    "token",
    ["", "short", "has space in it", "<script>alert(1)</script>", "x" * 41, "abc;def=ghi12"],
)
def test_a_malformed_token_is_ignored(rf, token):
    response = _respond(rf, {DOWNLOAD_COOKIE: token}, attachment=True)

    assert DOWNLOAD_COOKIE not in response.cookies


def test_a_page_that_is_not_a_file_sets_no_cookie(rf):
    response = _respond(rf, {DOWNLOAD_COOKIE: "lw3k9a0b1c2d3e"}, attachment=False)

    assert DOWNLOAD_COOKIE not in response.cookies


@pytest.mark.django_db
def test_the_real_export_sets_it(client):
    from tests import factories

    client.force_login(factories.member("ministry"))
    response = client.get("/bao-cao/excel/", {"year": 2016, DOWNLOAD_COOKIE: "abcdefgh1234"})

    assert response.status_code == 200
    assert response.cookies[DOWNLOAD_COOKIE].value == "abcdefgh1234"


@pytest.mark.django_db
def test_the_admin_changelist_export_takes_the_token_as_no_filter(client):
    from django.urls import reverse

    from tests import factories

    hcmc = factories.province("79", new_era=True)
    factories.project(hcmc, 2026, title="Đề án có trong danh sách")
    client.force_login(factories.member("province_staff", hcmc))
    url = reverse("exports:changelist", args=["programmes", "project"])

    response = client.get(url, {DOWNLOAD_COOKIE: "abcdefgh1234"})

    assert response.status_code == 200  # not sent back to the list as an unknown filter
    assert response.cookies[DOWNLOAD_COOKIE].value == "abcdefgh1234"
