"""Routes of the programme's API v1, included under /api/v1/ by the project's API wiring."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import categories, establishments, products, programmes_5y, views

router = SimpleRouter()
router.register("regions", views.RegionViewSet, basename="region")
router.register("provinces", views.ProvinceViewSet, basename="province")
router.register("budget-plans", views.BudgetPlanViewSet, basename="budget-plan")
router.register("indicator-targets", views.IndicatorTargetViewSet, basename="indicator-target")
router.register("projects", views.ProjectViewSet, basename="project")
router.register("activity-categories", categories.CategoryViewSet, basename="activity-category")
router.register("establishments", establishments.EstablishmentViewSet, basename="establishment")
router.register("product-rounds", products.RoundViewSet, basename="product-round")
router.register("product-entries", products.EntryViewSet, basename="product-entry")
router.register("product-certificates", products.CertificateViewSet, basename="product-certificate")
router.register("five-year-programmes", programmes_5y.ProgrammeViewSet, basename="five-year-programme")
router.register("reporting-periods", views.ReportingPeriodViewSet, basename="reporting-period")

nested = SimpleRouter()
nested.register("disbursements", views.DisbursementViewSet, basename="project-disbursement")
nested.register("outputs", views.ProjectOutputViewSet, basename="project-output")
nested.register("beneficiaries", establishments.ProjectBeneficiaryViewSet, basename="project-beneficiary")

urlpatterns = [
    path("product-figures/", products.FiguresView.as_view(), name="product-figures"),
    path("category-figures/", categories.CategoryFiguresView.as_view(), name="category-figures"),
    path("", include(router.urls)),
    path("projects/<int:project_pk>/", include(nested.urls)),
]
