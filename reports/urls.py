from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.national, name="national"),
    path("vung/<slug:code>/", views.region, name="region"),
    path("tinh/<int:province_id>/", views.province, name="province"),
]
