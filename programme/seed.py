"""Utrecht's programme for primary education, verbatim from seed 000 ("5 Actielijnen Doorontwikkeling KPA in
het PO"): the five action lines with their speerpunten (the • bullets: for lines 1 and 2 from the summary
list, for lines 3 to 5 from the detailed "Actielijn 3/4/5" sections) and the ➢ pilots and initiatives under
them. The one text that the data migration (programme 0003), the demo data and the tests share: the tests
read the seed file and compare.

The seed's text is kept as written (its "visa versa", its missing bracket); only line breaks inside a bullet
and runs of spaces are read as one space.
"""

from __future__ import annotations

from typing import NamedTuple

UTRECHT_CODE = "0344"
PROGRAMME_SECTOR = "PO"
PROGRAMME_TITLE = "Doorontwikkeling KPA in het PO"


class SeedLine(NamedTuple):
    number: int
    title: str
    speerpunten: tuple[str, ...]


class SeedActivity(NamedTuple):
    line: int  # the action line's number
    speerpunt: int  # the speerpunt's position under that line, from 1
    title: str


ACTION_LINES: tuple[SeedLine, ...] = (
    SeedLine(
        1,
        "Commitment van alle organisaties over doelstelling en werkwijze KPA",
        (
            "Vaststellen gezamenlijke visie en werkwijze",
            "Efficiënte en duidelijke route van ondersteuning vastleggen",
        ),
    ),
    SeedLine(
        2,
        "Kennispeil KPA voor alle professionals van scholen en kernpartners gelijk",
        ("Gezamenlijke kernpartnerscholing (e-learning en bijeenkomsten nieuwe medewerkers)",),
    ),
    SeedLine(
        3,
        "Versterken van de samenwerking van het Kernpartner-team op de school",
        (
            "Versterking van de rol van de JGZ als kernpartner",
            "Verdieping van het KPO op de scholen (collectieve vraag en samenwerking)",
            "KPO ondersteuning op samenwerking en/of verdieping (op maat en vraag)",
            "Aandacht voor momenten om te leren en ontmoeten (bv. lerende netwerken en extra vervolg KPO)",
        ),
    ),
    SeedLine(
        4,
        "Versterken van de kernpartnersamenwerking in de wijk",
        (
            "Optimaliseren van de wijkgroepjes KP en Lerende Netwerken",
            "Samenwerking tussen scholen en KP in de wijk versterken (lopende voorbeelden benutten)",
            "Ontmoetingen met KP in de wijk stimuleren/organiseren (werkbezoeken bij elkaar of "
            "aansluiten bij teamoverleg; scholen, Kernpartners en Spoor/KOOS",
            "Gebruik maken van wijkdata voor collectieve ondersteuning",
        ),
    ),
    SeedLine(
        5,
        "Verbinding met de partners uit de sociale basis in de wijk",
        (
            "Samenhang creëren in wijkinitiatieven rondom onderwijs en verbinden met KPA",
            "Sport- en Cultuuractiviteiten in de wijk verbinden aan de school",
            "Korte lijnen in de wijk versterken tussen sociale basis, onderwijs en KPA",
            "Preventieve rol van de kernpartners verhelderen en versterken (rolverdeling JGZ en BT), "
            "verbinding met de ambassadeurs van de sociale basis.",
        ),
    ),
)

# The ➢ pilots and initiatives, under the speerpunt they follow in the seed. Line 2's scholing is the
# "Uitnodiging 11/20 okt" written after its speerpunt.
ACTIVITIES: tuple[SeedActivity, ...] = (
    SeedActivity(2, 1, "Kernpartnerscholing nieuwe medewerkers (uitnodiging 11/20 okt)"),
    SeedActivity(3, 3, "SO Fier"),
    SeedActivity(3, 3, "Maaspleinschool (spel over verwachtingen en rollen)"),
    SeedActivity(4, 2, "Druk gedrag in de wijk (pilot Leidsche Rijn met KOOS en kernpartners)"),
    SeedActivity(4, 2, "Jazzsingel"),
    SeedActivity(4, 2, "OBO Klopvaart"),
    SeedActivity(4, 4, "Wijk data Wijk Doen in Leidsche Rijn verbinden met onderwijs"),
    SeedActivity(5, 1, "Verbinding Brede scholen (overleg met bredeschoolcoordinatoren)"),
    SeedActivity(5, 1, "Verbinding Stadsnetwerk Gelijk kansen en “Sociale Basis Call”"),
    SeedActivity(5, 1, "Pilot familieschool in Overvecht (OBO Klopvaart: Samen voor kansen)"),
    SeedActivity(5, 1, "Kansenongelijkheid en armoede (ontwikkeling “brugfunctionaris”)"),
    SeedActivity(5, 2, "Ontwikkelingen Brede school en rijke schooldag"),
    SeedActivity(5, 3, "Aansluiten bij Wijk data Wijk doen in Leidsche Rijn"),
    SeedActivity(5, 3, "Vleuten Versterkt"),
)

# What migration meetings 0002 wrote as the lines' descriptions (the speerpunten merged into one text): the
# data migration clears a description still equal to it, since the speerpunten now say it one by one.
MERGED_DESCRIPTIONS: dict[int, str] = {
    1: "Gezamenlijke visie en werkwijze vaststellen; een efficiënte en duidelijke route van ondersteuning "
    "vastleggen.",
    2: "Gezamenlijke kernpartnerscholing: e-learning en bijeenkomsten, inwerken van nieuwe medewerkers.",
    3: "Tijd voor leren en ontmoeten; verdieping van het KPO (collectieve vraag en samenwerking); "
    "versterken van de preventieve rol van de JGZ; KPO-ondersteuning op maat en op vraag.",
    4: "Korte lijnen tussen scholen en kernpartners in de wijk; lerende netwerken per wijk; "
    "wijkdata gebruiken voor collectieve ondersteuning.",
    5: "Samenhang creëren in wijkinitiatieven rond onderwijs en verbinden met de KPA; initiatieven van "
    "(kern)partners en scholen in de wijk bij elkaar brengen.",
}


def install(*, gemeente_model, programme_model, line_model, speerpunt_model):
    """Put the five lines right: titles by number, speerpunten where a line has none, a description that
    is still meetings 0002's merged text cleared; and, when gemeente 0344 exists, all five in Utrecht's PO
    programme (made if need be), which it returns (else None). Lines of no programme (made by meetings
    0002 before programmes existed) are the ones taken. Safe to run again.

    Takes the model classes, so the data migration (programme 0003, historical models) and
    programme.services (the real ones) run the same code."""
    utrecht = gemeente_model.objects.filter(code=UTRECHT_CODE).first()
    programme = None
    if utrecht is not None:
        programme, _created = programme_model.objects.get_or_create(
            gemeente=utrecht, sector=PROGRAMME_SECTOR, defaults={"title": PROGRAMME_TITLE}
        )
    for seed_line in ACTION_LINES:
        line = None
        if programme is not None:
            line = line_model.objects.filter(number=seed_line.number, programme=programme).first()
        if line is None:
            line = line_model.objects.filter(number=seed_line.number, programme=None).first()
        if line is None and programme is None:
            continue  # nothing to fix and nowhere to put a new line
        if line is None:
            line = line_model(number=seed_line.number, description="")
        line.title = seed_line.title
        if line.description == MERGED_DESCRIPTIONS.get(seed_line.number):
            line.description = ""
        if programme is not None:
            line.programme = programme
        line.save()
        if not speerpunt_model.objects.filter(line=line).exists():
            speerpunt_model.objects.bulk_create(
                speerpunt_model(line=line, order=order, text=text)
                for order, text in enumerate(seed_line.speerpunten, start=1)
            )
    return programme
