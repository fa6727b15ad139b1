"""Wiring of REST API v1: routes, pagination, the token endpoint, the schema and its docs.

The endpoints themselves live with their apps (programmes.api, reports.api, conferences.api).
"""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.renderers import JSONRenderer
from rest_framework.routers import SimpleRouter
from rest_framework.throttling import ScopedRateThrottle

from programmes import api as programme_api


class TokenObtainApi(ObtainAuthToken):
    """POST {"username", "password"} → {"token"}; then send `Authorization: Token <token>`.

    Rate-limited (DEFAULT_THROTTLE_RATES["token"]) and covered by the login lockout.
    """

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"
    renderer_classes = [JSONRenderer]


router = SimpleRouter()
router.register("regions", programme_api.RegionViewSet, basename="region")
router.register("provinces", programme_api.ProvinceViewSet, basename="province")
router.register("budget-plans", programme_api.BudgetPlanViewSet, basename="budget-plan")
router.register("indicator-targets", programme_api.IndicatorTargetViewSet, basename="indicator-target")
router.register("projects", programme_api.ProjectViewSet, basename="project")

nested = SimpleRouter()
nested.register("disbursements", programme_api.DisbursementViewSet, basename="project-disbursement")
nested.register("outputs", programme_api.ProjectOutputViewSet, basename="project-output")

urlpatterns = [
    path("auth/token/", TokenObtainApi.as_view(), name="api-token"),
    path("", include(router.urls)),
    path("projects/<int:project_pk>/", include(nested.urls)),
    path("", include("reports.api_urls")),
    path("", include("conferences.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
