"""Wiring of REST API v1: routes, pagination, the token endpoint, the schema and its docs.

The endpoints and their routes live with their apps (programmes.api.urls, reports.api_urls,
conferences.api_urls).
"""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.renderers import JSONRenderer
from rest_framework.throttling import ScopedRateThrottle


class TokenObtainApi(ObtainAuthToken):
    """POST {"username", "password"} → {"token"}; then send `Authorization: Token <token>`.

    Rate-limited (DEFAULT_THROTTLE_RATES["token"]) and covered by the login lockout.
    """

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"
    renderer_classes = [JSONRenderer]


urlpatterns = [
    path("auth/token/", TokenObtainApi.as_view(), name="api-token"),
    path("", include("programmes.api.urls")),
    path("", include("reports.api_urls")),
    path("", include("conferences.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
