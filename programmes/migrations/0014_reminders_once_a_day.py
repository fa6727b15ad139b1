"""The deadline reminders are sent at most once per item, person and day (issue 14, item 2),
no longer once per item ever: an overdue report is reminded every day while it stays overdue.
The day a reminder was sent joins its key in the unique constraint; the reminders already
stored get the day they were created (in the portal's time zone)."""

from django.db import migrations, models
from django.utils import timezone


def date_the_stored_reminders(apps, schema_editor):
    Notification = apps.get_model("programmes", "Notification")
    rows = list(Notification.objects.exclude(key="").only("pk", "created_at"))
    for row in rows:
        row.reminder_day = timezone.localdate(row.created_at)
    Notification.objects.bulk_update(rows, ["reminder_day"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("programmes", "0009_legal_basis_in_vietnamese")]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="reminder_day",
            field=models.DateField(blank=True, null=True, verbose_name="reminded on"),
        ),
        migrations.RunPython(date_the_stored_reminders, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="notification", name="notification_reminder_once"),
        migrations.AddConstraint(
            model_name="notification",
            constraint=models.UniqueConstraint(
                condition=models.Q(("key", ""), _negated=True),
                fields=("recipient", "key", "reminder_day"),
                name="notification_reminder_once_a_day",
            ),
        ),
        migrations.AddConstraint(
            model_name="notification",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("key", ""), ("reminder_day__isnull", True)),
                    models.Q(models.Q(("key", ""), _negated=True), ("reminder_day__isnull", False)),
                    _connector="OR",
                ),
                name="notification_reminder_has_its_day",
            ),
        ),
    ]
