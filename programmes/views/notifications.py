"""A user's notifications: the list (newest first, unread marked), opening one (which marks it
read and goes to its record), marking all read, the choice about e-mail, and the header's count.
"""

from functools import cached_property

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .. import services
from ..models import Notification
from ..selectors.notifications import email_enabled, notification_lines, unread_count


class HeaderNotifications:
    """The header's unread count, read (one query) only when a page shows it."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def count(self) -> int:
        return unread_count(self.user)


def header_notifications(request) -> dict:
    """Context processor: `header_notifications.count` for signed-in users."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"header_notifications": HeaderNotifications(user)}


@login_required
@require_GET
def notification_list(request):
    """The user's latest notifications and their choice about e-mail."""
    lines = notification_lines(request.user)
    context = {
        "lines": lines,
        "unread": sum(line.unread for line in lines),
        "email_enabled": email_enabled(request.user),
        "has_email": bool(request.user.email),
    }
    return render(request, "programmes/notifications.html", context)


@login_required
@require_GET
def notification_open(request, pk: int):
    """Mark one of the user's notifications read and go to its record (another user's: 404)."""
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.mark_read(user=request.user, ids=[notification.pk])
    target = notification.url
    if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect("programmes:notifications")
    return redirect(target)


@login_required
@require_POST
def notifications_mark_read(request):
    """Mark every notification of the user read."""
    count = services.mark_read(user=request.user)
    messages.success(request, _("%(count)s notifications marked as read.") % {"count": count})
    return redirect("programmes:notifications")


@login_required
@require_POST
def notification_settings(request):
    """Save the user's choice: notifications by e-mail too, or in the portal only."""
    enabled = request.POST.get("email_enabled") == "1"
    services.set_email_enabled(user=request.user, enabled=enabled)
    messages.success(
        request,
        _("You will also receive your notifications by e-mail.")
        if enabled
        else _("You will no longer receive e-mails; your notifications stay on this page."),
    )
    return redirect("programmes:notifications")
