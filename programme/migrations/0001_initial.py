"""ActionLine moves here from meetings with its table (meetings_actionline) and rows kept: this takes it into
programme's state only; meetings 0006 drops it from meetings' state and points Agreement.action_line here."""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("meetings", "0005_notification_moves_to_kpa"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ActionLine",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("number", models.PositiveSmallIntegerField(unique=True, verbose_name="number")),
                        ("title", models.CharField(max_length=200, verbose_name="title")),
                        ("description", models.TextField(blank=True, verbose_name="description")),
                    ],
                    options={
                        "verbose_name": "action line",
                        "verbose_name_plural": "action lines",
                        "ordering": ["number"],
                        "db_table": "meetings_actionline",
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
