"""The outbox (Notification) moves to kpa, its table and rows kept (meetings_notification): meetings drops
it from its state only, kpa 0008 takes it into its state only.

Before that, reminders become one kind: a row of kind before_7d or before_1d becomes kind "reminder" with
its days (and the meeting time it was planned for) as fields of its payload; its key stays as it was, so
nothing is planned twice."""

import re

from django.db import migrations

OLD_REMINDER = re.compile(r"^before_(\d+)d$")


def reminders_become_one_kind(apps, schema_editor):
    Notification = apps.get_model("meetings", "Notification")
    for row in Notification.objects.filter(kind__startswith="before_").only("pk", "kind", "key", "payload"):
        match = OLD_REMINDER.match(row.kind)
        if not match:
            continue
        payload = dict(row.payload or {})
        payload.setdefault("days", int(match[1]))
        if "starts_at" not in payload:  # before_7d:<uid>:<iso time>:<person>
            payload["starts_at"] = row.key.split(":", 2)[-1].rsplit(":", 1)[0]
        Notification.objects.filter(pk=row.pk).update(kind="reminder", payload=payload)


def reminders_by_days_again(apps, schema_editor):
    Notification = apps.get_model("meetings", "Notification")
    for row in Notification.objects.filter(kind="reminder").only("pk", "payload"):
        Notification.objects.filter(pk=row.pk).update(kind=f"before_{row.payload['days']}d")


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0004_series_invitations"),
    ]

    operations = [
        migrations.RunPython(reminders_become_one_kind, reminders_by_days_again),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Notification")],
            database_operations=[],
        ),
    ]
