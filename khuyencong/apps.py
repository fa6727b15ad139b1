from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    """Django's admin, with the portal's site (khuyencong.admin_site) as the default site."""

    default_site = "khuyencong.admin_site.PortalAdminSite"

    def ready(self):
        super().ready()
        from django.contrib.admin.templatetags import admin_list

        from common.admin import boolean_icon

        # Every yes/no value of the admin (list columns, read-only fields) is drawn by this one
        # private function, whose icons Django names "True" and "False" in every language; the
        # function is looked up on its module at each call, so replacing it here reaches them all.
        admin_list._boolean_icon = boolean_icon
