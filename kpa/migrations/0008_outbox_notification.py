"""The outbox's Notification, moved from meetings with its table and rows (meetings_notification): kpa
takes it into its state only, after meetings 0005 dropped it from its own. Its kind is no longer a fixed
choice: the apps register their kinds (kpa.outbox.registry)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("kpa", "0007_encrypt_mfa_secrets"),
        ("meetings", "0005_notification_moves_to_kpa"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Notification",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("key", models.CharField(max_length=200, unique=True)),
                        ("kind", models.CharField(max_length=20)),
                        ("due_at", models.DateTimeField()),
                        ("payload", models.JSONField(blank=True, default=dict)),
                        ("sent_at", models.DateTimeField(blank=True, null=True)),
                        ("skipped_at", models.DateTimeField(blank=True, null=True)),
                        ("skip_reason", models.CharField(blank=True, max_length=200)),
                        ("attempts", models.PositiveSmallIntegerField(default=0)),
                        ("last_error", models.CharField(blank=True, max_length=500)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "meeting",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="meetings.meeting",
                            ),
                        ),
                        (
                            "recipient",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "notification",
                        "verbose_name_plural": "notifications",
                        "db_table": "meetings_notification",
                        "indexes": [
                            models.Index(
                                fields=["sent_at", "skipped_at", "due_at"], name="notification_due_idx"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
