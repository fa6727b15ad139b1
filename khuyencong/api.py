"""Wiring of REST API v1: routes, pagination, the token endpoint, the schema and its docs.

The endpoints themselves live with their apps (programmes.api, reports.api, conferences.api).
"""

import functools

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from accounts.api import TokenObtainApi
from programmes import api as programme_api


def _signed_in_or_login_page(view):
    """The docs page (a browser's): an anonymous visitor is sent to the login page rather than
    shown the JSON 401 of SERVE_PERMISSIONS, unless API_DOCS_PUBLIC opens the docs."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not settings.API_DOCS_PUBLIC and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapped


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
    path(
        "docs/",
        _signed_in_or_login_page(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
]
