import logging
import re

from django.conf import settings
from django.core.exceptions import BadRequest, RequestDataTooBig
from django.http import JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _


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


PRIVATE = "private, no-store"


def _is_attachment(response) -> bool:
    return response.get("Content-Disposition", "").lstrip().lower().startswith("attachment")


def private_cache_middleware(get_response):
    """`Cache-Control: private, no-store` on every response for a signed-in user, on every API
    answer and on every file.

    A page, an API answer or an Excel file of a signed-in user holds that user's data: no proxy,
    shared cache or browser history may keep it. The user is the session's or, for the API, the
    token's (Django REST framework sets it on the request when it authenticates); the token
    endpoint answers an anonymous request with a token, so all of /api/ is private. A file is
    any response sent as an attachment, also to an anonymous visitor. Other public pages are
    left alone, and static files never reach here (WhiteNoise answers them first, with their
    own caching).
    """

    def middleware(request):
        response = get_response(request)
        user = getattr(request, "user", None)
        if (
            (user is not None and user.is_authenticated)
            or request.path_info.startswith("/api/")
            or _is_attachment(response)
        ):
            response.headers["Cache-Control"] = PRIVATE
        return response

    return middleware


def _api_error_detail(status: int) -> str:
    if status == 401:
        return _("Authentication credentials were not provided.")
    if status == 403:
        return _("You do not have permission to perform this action.")
    if status == 404:
        return _("Not found.")
    if status == 413:
        return _too_large()
    if status >= 500:
        return _("A server error occurred.")
    return _("Malformed request.")


def _too_large() -> str:
    return _("The data sent is too large (at most %(size)s).") % {
        "size": filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    }


class ApiErrorsAsJsonMiddleware:
    """Under /api/, every error is JSON `{"detail": "<message in the active language>"}`.

    Django REST framework answers its own errors in JSON already; what is left are Django's HTML
    pages: 404 for an address no endpoint has, 400 for a forged Host, 500 for a bug, and a body
    over DATA_UPLOAD_MAX_MEMORY_SIZE, which becomes 413 (Content Too Large) instead of Django's
    400. With DEBUG on, a 500 keeps Django's page with the traceback.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.path_info.startswith("/api/")
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
            and not (settings.DEBUG and response.status_code >= 500)
        ):
            # A REST framework answer rendered in another format (the schema view's YAML) keeps
            # its own message; Django's pages get the generic one of their status.
            data = getattr(response, "data", None)
            if not isinstance(data, dict):
                data = {"detail": _api_error_detail(response.status_code)}
            replacement = JsonResponse(data, status=response.status_code)
            for header in ("Allow", "Retry-After", "WWW-Authenticate"):
                if header in response:
                    replacement[header] = response[header]
            return replacement
        return response

    def process_exception(self, request, exception):
        """The body too large for DATA_UPLOAD_MAX_MEMORY_SIZE, raised while the API reads it."""
        if request.path_info.startswith("/api/") and isinstance(exception, RequestDataTooBig):
            # Logged as Django logs it when it answers the 400 itself.
            logging.getLogger("django.security.RequestDataTooBig").warning("%s: %s", exception, request.path)
            return JsonResponse({"detail": _too_large()}, status=413)
        return None


def nul_byte_middleware(get_response):
    """A NUL byte anywhere in the query string (`?q=%00`) answers 400 (the portal's page, JSON
    under /api/): no database stores one in text, and PostgreSQL refuses a query holding one,
    so a filter, search or autocomplete term with it would otherwise end in a 500. Form and
    JSON bodies need no such check: their text fields refuse NUL bytes themselves."""

    def middleware(request):
        if any("\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()):
            raise BadRequest("NUL byte in the query string")
        return get_response(request)

    return middleware
