from django.urls import path

from .audit import views as audit_views
from .dashboard import pipeline, views

app_name = "reports"

urlpatterns = [
    path("", views.national, name="national"),
    path("vung/<slug:code>/", views.region, name="region"),
    path("tinh/<int:province_id>/", views.province, name="province"),
    path("excel/", views.excel_export, name="excel"),
    path("tien-do/", pipeline.pipeline_page, name="pipeline"),
    path("tien-do/excel/", pipeline.pipeline_excel, name="pipeline-excel"),
    path("nhat-ky/", audit_views.audit_log, name="audit"),
    path("nhat-ky/excel/", audit_views.audit_export, name="audit-export"),
    path("nhat-ky/<slug:model>/<int:pk>/", audit_views.audit_record, name="audit-record"),
]
