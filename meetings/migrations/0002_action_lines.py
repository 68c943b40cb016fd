"""The five action lines of the kernpartneraanpak (seed 000), with their sub-points."""

from django.db import migrations

ACTION_LINES = [
    (
        1,
        "Commitment van alle organisaties aan doel en werkwijze van de KPA",
        "Gezamenlijke visie en werkwijze vaststellen; een efficiënte en duidelijke route van ondersteuning "
        "vastleggen.",
    ),
    (
        2,
        "Gelijk kennisniveau over de KPA voor alle professionals",
        "Gezamenlijke kernpartnerscholing: e-learning en bijeenkomsten, inwerken van nieuwe medewerkers.",
    ),
    (
        3,
        "Versterken van de samenwerking van het kernpartnerteam op school",
        "Tijd voor leren en ontmoeten; verdieping van het KPO (collectieve vraag en samenwerking); "
        "versterken van de preventieve rol van de JGZ; KPO-ondersteuning op maat en op vraag.",
    ),
    (
        4,
        "Versterken van de kernpartnersamenwerking in de wijk",
        "Korte lijnen tussen scholen en kernpartners in de wijk; lerende netwerken per wijk; "
        "wijkdata gebruiken voor collectieve ondersteuning.",
    ),
    (
        5,
        "Verbinding met de partners uit de sociale basis in de wijk",
        "Samenhang creëren in wijkinitiatieven rond onderwijs en verbinden met de KPA; initiatieven van "
        "(kern)partners en scholen in de wijk bij elkaar brengen.",
    ),
]


def create(apps, schema_editor):
    ActionLine = apps.get_model("meetings", "ActionLine")
    for number, title, description in ACTION_LINES:
        ActionLine.objects.update_or_create(number=number, defaults={"title": title, "description": description})


def remove(apps, schema_editor):
    apps.get_model("meetings", "ActionLine").objects.filter(number__in=[n for n, _t, _d in ACTION_LINES]).delete()


class Migration(migrations.Migration):
    dependencies = [("meetings", "0001_initial")]

    operations = [migrations.RunPython(create, remove)]
