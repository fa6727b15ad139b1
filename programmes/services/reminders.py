"""The deadline reminders (`manage.py send_reminders`, run by a daily timer): each item of
`selectors.reminders.due_reminders` becomes a notification to its province's staff (its own
and its successor's, as services.notifications), e-mailed once the run commits to those who
have not turned e-mail off (the others still find it in the portal).

How often an item is reminded (at most once per item, person and day, however often the
command runs):

- a report overdue: every day while it stays overdue (each morning's reminder says it is still
  missing; it stops the day the report is submitted);
- a report due soon, a settlement due soon: twice in the window of its reminder days (7 by
  default) — on the first run inside the window (its first day, or the first day the timer ran
  in it), and on the due date itself, the last call before it becomes overdue. Not every day
  of the window: a week of identical e-mails about a date the staff already know teaches them
  to ignore the portal's mail. If the administrator moves the deadline, the new window is a new
  one and is reminded again.

The day a reminder was sent is stored beside its key, under a unique constraint (recipient, key,
day): a second run on the same day adds nothing, and two runs at once cannot both store it. On
PostgreSQL the runs also queue on a lock (the calendar's rows), so that the second sees what the
first sent and e-mails nothing twice; SQLite has one writer at a time anyway. A run counts and
e-mails only the rows its own insert stored.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from .. import access
from ..models import Deadline, Notification
from ..selectors.calendar import ReportingCalendar
from ..selectors.figures import ProvinceMap
from ..selectors.reminders import ReminderItem, due_reminders
from .notifications import send_notification_emails


@dataclass(frozen=True)
class ReminderRun:
    """What one run did: the items due today, the notifications it created, by kind."""

    items: int
    created: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.created.values())


def _staff_by_province() -> dict[int, list]:
    """Active province staff by the id of their province (one query)."""
    staff = defaultdict(list)
    for user in (
        get_user_model()
        .objects.filter(
            is_active=True,
            groups__name=access.Role.PROVINCE_STAFF.value,
            portal_profile__province__isnull=False,
        )
        .select_related("portal_profile")
    ):
        staff[user.portal_profile.province_id].append(user)
    return staff


def _sent_before(items: list[ReminderItem], today: datetime.date) -> dict[tuple[int, str], set[datetime.date]]:
    """The days (up to `today`, inside the items' windows) on which each (recipient id, key) of
    `items` was reminded already (one query)."""
    keys = {item.key for item in items}
    if not keys:
        return {}
    since = min((item.window_opens or today) for item in items)
    days = defaultdict(set)
    for recipient_id, key, day in Notification.objects.filter(
        key__in=keys, reminder_day__gte=since, reminder_day__lte=today
    ).values_list("recipient_id", "key", "reminder_day"):
        days[(recipient_id, key)].add(day)
    return days


def _is_due(item: ReminderItem, days: set[datetime.date], today: datetime.date) -> bool:
    """Whether a person who was reminded of `item` on `days` is reminded of it `today` (the rule
    of the module's docstring)."""
    if today in days:
        return False
    if item.window_opens is None or today == item.due:
        return True
    return not any(item.window_opens <= day <= today for day in days)


@transaction.atomic
def send_reminders(*, today: datetime.date | None = None) -> ReminderRun:
    """Create the reminders due on `today` (the portal's today when None) that were not sent
    yet, and e-mail them once the run commits. Six queries, whatever the number of items: the
    calendar (locked), the provinces, the reports, the accepted projects, the staff, what was
    sent; then the insert and the read-back of what it stored."""
    today = today or timezone.localdate()
    # The lock queues a second run behind this one (PostgreSQL; a no-op on SQLite, which has a
    # single writer): it then finds today's reminders sent and e-mails none of them again.
    calendar = ReportingCalendar.from_rows({row.code: row for row in Deadline.objects.select_for_update()})
    provinces = ProvinceMap.load()
    items = due_reminders(today, calendar=calendar, provinces=provinces)
    staff = _staff_by_province()
    wanted = []
    for item in items:
        province = provinces.by_id[item.province_id]
        people = {user.pk: user for user in staff.get(province.pk, [])}
        if province.merged_into_id:
            people.update({user.pk: user for user in staff.get(province.merged_into_id, [])})
        wanted.extend((person, item) for person in people.values())
    sent = _sent_before(items, today)
    new = [
        Notification(
            recipient=person,
            kind=item.kind,
            province_id=item.province_id,
            params=item.params,
            url=item.url,
            key=item.key,
            reminder_day=today,
        )
        for person, item in wanted
        if _is_due(item, sent.get((person.pk, item.key), set()), today)
    ]
    if not new:
        return ReminderRun(items=len(items), created={})
    # Should another run have stored some of them meanwhile, the constraint keeps its rows, and
    # they are not this run's to count or e-mail (they were created before this insert).
    inserting = timezone.now()
    Notification.objects.bulk_create(new, ignore_conflicts=True, batch_size=500)
    ours = {(row.recipient_id, row.key) for row in new}
    created = defaultdict(int)
    ids = []
    for pk, recipient_id, key, kind in Notification.objects.filter(
        key__in={row.key for row in new}, reminder_day=today, created_at__gte=inserting
    ).values_list("pk", "recipient_id", "key", "kind"):
        if (recipient_id, key) in ours:
            created[kind] += 1
            ids.append(pk)
    if ids:
        transaction.on_commit(lambda: send_notification_emails(ids))
    return ReminderRun(items=len(items), created=dict(created))
