import pytest

pytestmark = pytest.mark.django_db


def test_pages_are_vietnamese_even_for_a_browser_set_to_english(client):
    response = client.get("/dang-nhap/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.headers["Content-Language"] == "vi"
    assert "Đăng nhập" in response.text


def test_the_switcher_changes_the_language_and_back(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/dang-nhap/"}, follow=True)
    assert response.headers["Content-Language"] == "en"
    assert "Log in" in response.text
    response = client.post("/i18n/setlang/", {"language": "vi", "next": "/dang-nhap/"}, follow=True)
    assert response.headers["Content-Language"] == "vi"


def test_an_unknown_language_cookie_falls_back_to_vietnamese(client):
    client.cookies["django_language"] = "fr"
    assert client.get("/dang-nhap/").headers["Content-Language"] == "vi"


def test_vietnamese_dates_are_read_day_first():
    from django import forms
    from django.utils import translation

    with translation.override("vi"):
        field = forms.DateField()
        assert field.clean("05/03/2025").isoformat() == "2025-03-05"
        assert field.clean("2025-03-05").isoformat() == "2025-03-05"
