from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    """Django's admin, with the portal's site (khuyencong.admin_site) as the default site."""

    default_site = "khuyencong.admin_site.PortalAdminSite"
