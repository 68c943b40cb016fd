"""The five action lines verbatim from seed 000 (programme.seed): titles fixed by number, the speerpunten as
rows of their own (a description that is still the merged text of meetings 0002 is cleared: the speerpunten
say it now), and the lines put in Utrecht's programme for primary education when gemeente 0344 exists
(otherwise seed_demo, through programme.services.utrecht_programme_ensure, does it later).

The text and the steps are programme.seed's, the ones the demo data and the tests share (the tests compare
the text with the seed file)."""

from django.db import migrations

from programme import seed


def forward(apps, schema_editor):
    seed.install(
        gemeente_model=apps.get_model("schools", "Gemeente"),
        programme_model=apps.get_model("programme", "Programme"),
        line_model=apps.get_model("programme", "ActionLine"),
        speerpunt_model=apps.get_model("programme", "Speerpunt"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("programme", "0002_programme_activities"),
        ("schools", "0004_names_are_one_line"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
