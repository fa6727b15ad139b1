import re

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class VietnameseFirstLocaleMiddleware(LocaleMiddleware):
    """The portal speaks Vietnamese unless the user chose another language with the switcher.

    Django's LocaleMiddleware also follows the browser's Accept-Language header, which would
    show English to a provincial officer whose browser happens to be set up in English.
    Here only the language cookie (set by the switcher) overrides the default.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


DOWNLOAD_TOKEN = re.compile(r"^[A-Za-z0-9]{8,40}$")
DOWNLOAD_COOKIE = "download_token"


def download_token_middleware(get_response):
    """Tell the page that a file it asked for has started to arrive.

    A download link cannot see its own response, so static/js/portal.js adds a random
    `download_token` to the address and shows "preparing the file…" until a cookie with that
    token appears; this sets the cookie on the file's response (any response sent as an
    attachment). The token is only echoed back, never trusted; a malformed one is ignored.
    """

    def middleware(request):
        token = request.GET.get(DOWNLOAD_COOKIE, "")
        if DOWNLOAD_COOKIE in request.GET:
            # The token is this middleware's business: views that take every parameter as a
            # filter (the admin changelist and its export) never see it.
            request.GET = request.GET.copy()
            del request.GET[DOWNLOAD_COOKIE]
        response = get_response(request)
        if DOWNLOAD_TOKEN.match(token) and response.get("Content-Disposition", "").startswith("attachment"):
            response.set_cookie(
                DOWNLOAD_COOKIE,
                token,
                max_age=300,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=False,  # the page's script reads it; it holds only the random token
            )
        return response

    return middleware
