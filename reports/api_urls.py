from django.urls import path

from .dashboard import api

urlpatterns = [
    path("reports/summary/", api.ReportSummaryApi.as_view(), name="api-report-summary"),
]
