"""The default questionnaire (evaluations.default_questionnaire) as default version 1. A later change of
the default is a new migration that makes version 2 (evaluations.services.new_version does it for a
gemeente); a round that used version 1 keeps its questions."""

from django.db import migrations


def install(apps, schema_editor):
    from evaluations.services import install_default

    install_default(apps.get_model("evaluations", "QuestionnaireVersion"), apps.get_model("evaluations", "Item"))


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0001_evaluations")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
