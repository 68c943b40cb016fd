"""ActionLine moves to programme with its table (meetings_actionline) and rows kept: Agreement.action_line
points at programme.ActionLine (the same table, so the database is not touched), and meetings forgets the
model in its state only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0005_notification_moves_to_kpa"),
        ("programme", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="agreement",
                    name="action_line",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="agreements",
                        to="programme.actionline",
                        verbose_name="action line",
                    ),
                ),
                migrations.DeleteModel(name="ActionLine"),
            ],
            database_operations=[],
        ),
    ]
