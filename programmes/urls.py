from django.urls import path

from . import import_views, views
from .views import establishments, products, programmes_5y

app_name = "programmes"

urlpatterns = [
    path("ke-hoach/", views.year_plan_choose, name="year-plan-choose"),
    path("ke-hoach/<int:province_id>/<int:year>/", views.year_plan_edit, name="year-plan-edit"),
    path("ky-bao-cao/", views.periods, name="periods"),
    path("ky-bao-cao/tinh-hinh-nop/", views.completeness, name="completeness"),
    path("ky-bao-cao/<int:province_id>/<int:year>/<str:period>/", views.period_detail, name="period"),
    path("co-so/<int:pk>/", establishments.establishment_detail, name="establishment"),
    path("san-pham-tieu-bieu/", products.product_figures_page, name="product-figures"),
    path("san-pham-tieu-bieu/dot/<int:pk>/", products.round_page, name="product-round"),
    path("san-pham-tieu-bieu/dot/<int:pk>/excel/", products.round_excel, name="product-round-excel"),
    path("chuong-trinh/", programmes_5y.programme_list, name="programmes"),
    path("chuong-trinh/<int:pk>/", programmes_5y.programme_page, name="programme"),
    path("lich-bao-cao/", views.calendar_page, name="calendar"),
    path("thong-bao/", views.notification_list, name="notifications"),
    path("thong-bao/<int:pk>/", views.notification_open, name="notification-open"),
    path("thong-bao/da-doc/", views.notifications_mark_read, name="notifications-read"),
    path("thong-bao/email/", views.notification_settings, name="notification-settings"),
    path("nhap-excel/", import_views.import_upload, name="import"),
    path("nhap-excel/mau/", import_views.import_template, name="import-template"),
    path("nhap-excel/xac-nhan/", import_views.import_confirm, name="import-confirm"),
]
