"""Admin of the reporting calendar: the administrator changes a deadline's day, month and
reminder; the deadlines themselves are the programme's (created by migration, never added or
deleted here, so that every page and the reminders always find each one).
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..models import Deadline
from .base import PortalAdmin


@admin.register(Deadline)
class DeadlineAdmin(PortalAdmin):
    list_display = ("code", "day_and_month", "following_year", "remind_days", "note")
    list_display_links = ("code",)
    fields = ("code", "day", "month", "following_year", "remind_days", "note")
    readonly_fields = ("code",)
    ordering = ("month", "day")

    @admin.display(description=_("date"))
    def day_and_month(self, obj: Deadline) -> str:
        return f"{obj.day:02d}/{obj.month:02d}"

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
