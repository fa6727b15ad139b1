from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from conferences import exports as conference_exports
from programmes import exports as programme_exports
from programmes import views as programme_views
from reports import changelist_export
from reports.briefing import views as briefing_views

# A conference's briefing is a report (reports → conferences), mounted under the conference's path.
briefing_patterns = (
    [
        path("<int:pk>/bao-cao/", briefing_views.briefing_page, name="briefing"),
        path("<int:pk>/bao-cao.xlsx", briefing_views.briefing_xlsx, name="briefing-xlsx"),
    ],
    "briefings",
)
# The lists' "Download Excel", each under the path of the page it copies, named `exports:*`. Each
# lives beside its list (programmes.exports, conferences.exports); the changelists' is a report
# over both apps' admins (reports → conferences → programmes).
export_patterns = (
    [
        path("ky-bao-cao/excel/", programme_exports.periods_xlsx, name="periods"),
        path("ky-bao-cao/tinh-hinh-nop/excel/", programme_exports.completeness_xlsx, name="completeness"),
        path("hoi-nghi/excel/", conference_exports.conferences_xlsx, name="conferences"),
        path("hoi-nghi/kien-nghi/excel/", conference_exports.recommendations_xlsx, name="recommendations"),
        # Behind `admin_view` (login and staff status), like the changelist it copies.
        path(
            "quan-tri/<slug:app_label>/<slug:model_name>/excel/",
            admin.site.admin_view(changelist_export.changelist_xlsx),
            name="changelist",
        ),
    ],
    "exports",
)

# A refusal is its own page (never Django's debug page), with what the user may open instead.
handler403 = "programmes.views.errors.permission_denied"

urlpatterns = [
    path("", programme_views.home, name="home"),
    path("dang-nhap/", auth_views.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("tai-khoan/", include("accounts.urls")),
    # Before the admin: its model URLs end in a catch-all (`<path:object_id>/`, a redirect to
    # the change page) that would take `quan-tri/<app>/<model>/excel/` for an object's id.
    path("", include(export_patterns)),
    path("quan-tri/", admin.site.urls),
    path("api/v1/", include("khuyencong.api")),
    path("bao-cao/", include("reports.urls")),
    path("hoi-nghi/", include(briefing_patterns)),
    path("hoi-nghi/", include("conferences.urls")),
    path("", include("programmes.urls")),
]
