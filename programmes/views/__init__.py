"""Pages of the programme, by domain: the home page, the year plans, the reporting workflow.

Views stay thin: they parse the request with a form, read through programmes.selectors, write
through programmes.services, and pick a template; who may do what is programmes.access.
"""

from .calendar import calendar_page
from .home import home
from .notifications import notification_list, notification_open, notification_settings, notifications_mark_read
from .reporting import completeness, period_detail, periods
from .year_plans import year_plan_choose, year_plan_edit

__all__ = [
    "calendar_page",
    "completeness",
    "home",
    "notification_list",
    "notification_open",
    "notification_settings",
    "notifications_mark_read",
    "period_detail",
    "periods",
    "year_plan_choose",
    "year_plan_edit",
]
