"""The deadline reminders (`manage.py send_reminders`, run by a daily timer): each item of
`selectors.reminders.due_reminders` becomes a notification to its province's staff (its own
and its successor's, as services.notifications), e-mailed once the run commits.

A reminder is sent once per item and person: its key is stored with the notification under a
unique constraint, so a second run on the same day, or on any later day, adds nothing for an
item already reminded, and two runs at once cannot both store it.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from .. import access
from ..models import Notification
from ..selectors.figures import ProvinceMap
from ..selectors.reminders import due_reminders
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


@transaction.atomic
def send_reminders(*, today: datetime.date | None = None) -> ReminderRun:
    """Create today's reminders that were not sent before and e-mail them on commit."""
    today = today or timezone.localdate()
    started = timezone.now()
    provinces = ProvinceMap.load()
    items = due_reminders(today, provinces=provinces)
    staff = _staff_by_province()
    wanted = []
    for item in items:
        province = provinces.by_id[item.province_id]
        people = {user.pk: user for user in staff.get(province.pk, [])}
        if province.merged_into_id:
            people.update({user.pk: user for user in staff.get(province.merged_into_id, [])})
        wanted.extend((person, item) for person in people.values())
    keys = {item.key for item in items}
    sent = set(Notification.objects.filter(key__in=keys).values_list("recipient_id", "key")) if keys else set()
    new = [
        Notification(
            recipient=person,
            kind=item.kind,
            province_id=item.province_id,
            params=item.params,
            url=item.url,
            key=item.key,
        )
        for person, item in wanted
        if (person.pk, item.key) not in sent
    ]
    # A run at the same moment may have inserted some of them: the unique key keeps one.
    Notification.objects.bulk_create(new, ignore_conflicts=True, batch_size=500)
    created = defaultdict(int)
    ids = []
    for pk, kind in Notification.objects.filter(key__in={row.key for row in new}, created_at__gte=started).values_list(
        "pk", "kind"
    ):
        created[kind] += 1
        ids.append(pk)
    if ids:
        transaction.on_commit(lambda: send_notification_emails(ids))
    return ReminderRun(items=len(items), created=dict(created))
