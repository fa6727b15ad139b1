"""The superusers' system pages in Vietnamese: django-axes's login records.

django-axes names its records in English in code ("Attempted Access: …", "Access Log for …"),
with no translation to hook into, and its admin's columns are methods without a Vietnamese
heading. The records are re-registered here with columns in the page's language, and their
names (`__str__`, which the admin's titles, breadcrumbs and delete confirmations show) say the
same thing in the page's language. Only superusers see these pages (khuyencong.admin_site).
"""

from axes import admin as axes_admin
from axes.conf import settings as axes_settings
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _


def _when(moment) -> str:
    return date_format(timezone.localtime(moment), "d/m/Y H:i") if moment else ""


def _attempt_name(attempt: AccessAttempt) -> str:
    return gettext("Failed logins of %(username)s from %(ip)s") % {
        "username": attempt.username or "–",
        "ip": attempt.ip_address or "–",
    }


def _log_name(entry: AccessLog) -> str:
    return gettext("Login of %(username)s on %(when)s") % {
        "username": entry.username,
        "when": _when(entry.attempt_time),
    }


def _failure_name(entry: AccessFailureLog) -> str:
    return gettext("Failed login of %(username)s on %(when)s") % {
        "username": entry.username,
        "when": _when(entry.attempt_time),
    }


AccessAttempt.__str__ = _attempt_name
AccessLog.__str__ = _log_name
AccessFailureLog.__str__ = _failure_name


class AccessAttemptAdmin(axes_admin.AccessAttemptAdmin):
    @admin.display(description=_("Lockout"))
    def status(self, obj: AccessAttempt) -> str:
        limit = axes_settings.AXES_FAILURE_LIMIT
        left = limit - obj.failures_since_start
        if left > 0:
            return ngettext("%(count)d attempt left", "%(count)d attempts left", left) % {"count": left}
        return gettext("Locked out")

    @admin.action(description=_("Clean up expired attempts"))
    def cleanup_expired_attempts(self, request, queryset):
        count = self.handler.clean_expired_user_attempts(request=request)
        self.message_user(
            request,
            ngettext("%(count)d expired attempt cleaned up.", "%(count)d expired attempts cleaned up.", count)
            % {"count": count},
        )

    @admin.display(description=_("Expires at"))
    def expiration(self, obj: AccessAttempt) -> str:
        return _when(obj.expiration.expires_at) if hasattr(obj, "expiration") else gettext("Not set")


for model, model_admin in (
    (AccessAttempt, AccessAttemptAdmin),
    (AccessLog, axes_admin.AccessLogAdmin),
    (AccessFailureLog, axes_admin.AccessFailureLogAdmin),
):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)
