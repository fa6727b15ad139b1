"""Wiring of REST API v1: routes, pagination, the token endpoint, the schema and its docs.

The endpoints and their routes live with their apps (programmes.api.urls, reports.api_urls,
conferences.api_urls).
"""

import functools

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.api import TokenObtainApi


def _signed_in_or_login_page(view):
    """The docs page (a browser's): an anonymous visitor is sent to the login page rather than
    shown the JSON 401 of SERVE_PERMISSIONS, unless API_DOCS_PUBLIC opens the docs."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not settings.API_DOCS_PUBLIC and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapped


urlpatterns = [
    path("auth/token/", TokenObtainApi.as_view(), name="api-token"),
    path("", include("programmes.api.urls")),
    path("", include("reports.api_urls")),
    path("", include("conferences.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "docs/",
        _signed_in_or_login_page(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
]
