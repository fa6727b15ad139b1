from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from programmes import views as programme_views
from reports import briefing_views

admin.site.site_header = _("Industrial extension portal")
admin.site.site_title = _("Industrial extension portal")
admin.site.index_title = _("Data entry")
# A conference's briefing is a report (reports → conferences), mounted under the conference's path.
briefing_patterns = (
    [
        path("<int:pk>/bao-cao/", briefing_views.briefing_page, name="briefing"),
        path("<int:pk>/bao-cao.xlsx", briefing_views.briefing_xlsx, name="briefing-xlsx"),
    ],
    "briefings",
)
# The changelists have many columns; at 1366 px the navigation sidebar leaves them too little room.
admin.site.enable_nav_sidebar = False

urlpatterns = [
    path("", programme_views.home, name="home"),
    path("dang-nhap/", auth_views.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("tai-khoan/", include("accounts.urls")),
    # The lists' Excel copies, under their pages' paths (the admin's included): before those.
    path("", include("reports.export_urls")),
    path("quan-tri/", admin.site.urls),
    path("api/v1/", include("khuyencong.api")),
    path("bao-cao/", include("reports.urls")),
    path("hoi-nghi/", include(briefing_patterns)),
    path("hoi-nghi/", include("conferences.urls")),
    path("", include("programmes.urls")),
]
