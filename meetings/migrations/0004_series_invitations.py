"""A series is invited as one series: the series gets an iCalendar UID, a meeting of such a series keeps
the start the series planned for it (its RECURRENCE-ID), and the outbox knows the series invitation.

Series planned before keep what their invitees already have in their calendars: one event per meeting
(original_starts_at stays empty for their meetings)."""

import uuid

from django.db import migrations, models


def give_each_series_a_uid(apps, schema_editor):
    MeetingSeries = apps.get_model("meetings", "MeetingSeries")
    for series in MeetingSeries.objects.filter(uid__isnull=True).only("pk"):
        MeetingSeries.objects.filter(pk=series.pk).update(uid=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0003_meeting_rescheduled_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="meetingseries",
            name="uid",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(give_each_series_a_uid, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="meetingseries",
            name="uid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AddField(
            model_name="meeting",
            name="original_starts_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AlterField(
            model_name="notification",
            name="kind",
            field=models.CharField(
                choices=[
                    ("invitation", "Invitation"),
                    ("series_invitation", "Invitation to a series"),
                    ("update", "Changed meeting"),
                    ("cancellation", "Cancelled meeting"),
                    ("before_7d", "Reminder a week before"),
                    ("before_1d", "Reminder a day before"),
                    ("log_nudge", "Nudge to log the meeting"),
                    ("overdue_digest", "Weekly overdue agreements"),
                ],
                max_length=20,
            ),
        ),
    ]
