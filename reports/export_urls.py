"""The lists' "Download Excel" (reports.list_views), each under the path of the page it copies.

Mounted from khuyencong/urls.py before the admin and the apps' own URLs: the exports live in
`reports` (reports → conferences → programmes), the pages they copy in the other apps.
"""

from django.contrib import admin
from django.urls import path

from . import list_views

app_name = "exports"

urlpatterns = [
    path("ky-bao-cao/excel/", list_views.periods_xlsx, name="periods"),
    path("ky-bao-cao/tinh-hinh-nop/excel/", list_views.completeness_xlsx, name="completeness"),
    path("hoi-nghi/excel/", list_views.conferences_xlsx, name="conferences"),
    path("hoi-nghi/kien-nghi/excel/", list_views.recommendations_xlsx, name="recommendations"),
    path(
        "quan-tri/<slug:app_label>/<slug:model_name>/excel/",
        admin.site.admin_view(list_views.changelist_xlsx),
        name="changelist",
    ),
]
