"""The demo's programme: Utrecht's PO programme with the five lines of seed 000 (programme.seed), the ➢ pilots
and initiatives of the seed as activities under their speerpunten, and a few progress updates, one activity
gone quiet (stale) and one success. Deterministic: a second run finds every row and changes nothing.
Made directly, not through the services: loading demo data sends nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from kpa.models import User
from partners.models import Organisation, OrganisationKind
from programme import seed
from programme.models import (
    Activity,
    ActivityStatus,
    Indicator,
    IndicatorValue,
    PdcaPhase,
    Programme,
    ProgressUpdate,
    TrafficLight,
)
from programme.services import utrecht_programme_ensure
from schools.models import School, Sector, Wijk

S = ActivityStatus
CITY = "city"

# Per seed activity (by title): status, where (CITY, wijk names, or a sector whose first school it is at),
# description, other partners, intended results.
DETAILS: dict[str, tuple[str, object, str, str, str]] = {
    "Kernpartnerscholing nieuwe medewerkers (uitnodiging 11/20 okt)": (
        S.DONE,
        CITY,
        "Twee bijeenkomsten voor nieuwe medewerkers van scholen en kernpartners, met de e-learning vooraf.",
        "",
        "Elke nieuwe professional kent de KPA, de rollen en de route van ondersteuning.",
    ),
    "SO Fier": (
        S.RUNNING,
        Sector.SO,
        "KPO-ondersteuning op maat: het kernpartnerteam van SO Fier verdiept het overleg met de "
        "collectieve vraag.",
        "",
        "Een KPO waarin ook de collectieve vraag van de school besproken wordt.",
    ),
    "Maaspleinschool (spel over verwachtingen en rollen)": (
        S.RUNNING,
        CITY,
        "Een spel over verwachtingen en rollen in het kernpartnerteam, ontwikkeld met de Maaspleinschool; "
        "andere scholen kunnen het aanvragen.",
        "",
        "Rollen en verwachtingen zijn helder in elk team dat het spel speelt.",
    ),
    "Druk gedrag in de wijk (pilot Leidsche Rijn met KOOS en kernpartners)": (
        S.RUNNING,
        ["Leidsche Rijn"],
        "Scholen, kernpartners en KOOS pakken druk gedrag in de klas samen aan, met korte lijnen in de wijk.",
        "KOOS Utrecht",
        "Snellere en passende hulp bij druk gedrag, zonder wachtlijst.",
    ),
    "Jazzsingel": (
        S.RUNNING,
        ["Leidsche Rijn"],
        "Lopend voorbeeld van samenwerking tussen scholen en kernpartners in de wijk.",
        "",
        "Het voorbeeld is beschreven en gedeeld met andere wijken.",
    ),
    "OBO Klopvaart": (
        S.PLANNED,
        ["Overvecht"],
        "Lopend voorbeeld in Overvecht: de school en de kernpartners werken samen met de wijk.",
        "",
        "Het voorbeeld is beschreven en gedeeld met andere wijken.",
    ),
    "Wijk data Wijk Doen in Leidsche Rijn verbinden met onderwijs": (
        S.RUNNING,
        ["Leidsche Rijn"],
        "Wijkdata gebruiken voor collectieve ondersteuning: de scholen bespreken de cijfers van de wijk.",
        "Wijk data Wijk Doen",
        "Elke school in de wijk kent de wijkdata en kiest er een collectieve vraag uit.",
    ),
    "Verbinding Brede scholen (overleg met bredeschoolcoordinatoren)": (
        S.RUNNING,
        CITY,
        "Overleg met de bredeschoolcoördinatoren over de verbinding met de KPA.",
        "Bredeschoolcoördinatoren",
        "",
    ),
    "Verbinding Stadsnetwerk Gelijk kansen en “Sociale Basis Call”": (
        S.IDEA,
        CITY,
        "",
        "Stadsnetwerk Gelijke Kansen",
        "",
    ),
    "Pilot familieschool in Overvecht (OBO Klopvaart: Samen voor kansen)": (
        S.PLANNED,
        ["Overvecht"],
        "Samen voor kansen: de school als plek voor ouders, wijkpartners en andere betrokkenen.",
        "Sociale basis Overvecht",
        "",
    ),
    "Kansenongelijkheid en armoede (ontwikkeling “brugfunctionaris”)": (
        S.RUNNING,
        CITY,
        "Een brugfunctionaris tussen school, gezin en de voorzieningen bij armoede.",
        "",
        "",
    ),
    "Ontwikkelingen Brede school en rijke schooldag": (S.IDEA, CITY, "", "Sport- en cultuuraanbieders", ""),
    "Aansluiten bij Wijk data Wijk doen in Leidsche Rijn": (S.PLANNED, ["Leidsche Rijn"], "", "", ""),
    "Vleuten Versterkt": (
        S.RUNNING,
        ["Vleuten-De Meern"],
        "Korte lijnen tussen sociale basis, onderwijs en KPA in Vleuten-De Meern.",
        "Vleuten Versterkt",
        "",
    ),
}
# One activity that is not in the seed: the demo's wijk coordinator (West) has one of their own.
WEST = ("Lerend netwerk West", 4, 1)

# (activity title, days ago, PDCA phase, light, success, text, (indicator, value) or None)
UPDATES = [
    (
        "Kernpartnerscholing nieuwe medewerkers (uitnodiging 11/20 okt)",
        60,
        PdcaPhase.DO,
        TrafficLight.GREEN,
        False,
        "Uitnodiging verstuurd naar alle scholen en kernpartnerorganisaties; 70 aanmeldingen.",
        None,
    ),
    (
        "Kernpartnerscholing nieuwe medewerkers (uitnodiging 11/20 okt)",
        40,
        PdcaPhase.CHECK,
        TrafficLight.GREEN,
        True,
        "Beide bijeenkomsten gehouden; de deelnemers gaven de scholing gemiddeld een 8.",
        ("Deelnemers aan de scholing", "64"),
    ),
    (
        "Druk gedrag in de wijk (pilot Leidsche Rijn met KOOS en kernpartners)",
        21,
        PdcaPhase.DO,
        TrafficLight.ORANGE,
        False,
        "Drie scholen doen mee; de vierde school wacht op een vaste JGZ-verpleegkundige.",
        ("Deelnemende scholen", "3"),
    ),
    (
        "Jazzsingel",
        75,
        PdcaPhase.PLAN,
        TrafficLight.GREEN,
        False,
        "Afspraak gemaakt om het voorbeeld te beschrijven.",
        None,
    ),
    (
        "Vleuten Versterkt",
        9,
        PdcaPhase.ACT,
        TrafficLight.RED,
        False,
        "De vaste overlegtijd vervalt; we zoeken een nieuw moment met de sociale basis.",
        None,
    ),
    (
        "SO Fier",
        14,
        PdcaPhase.CHECK,
        TrafficLight.GREEN,
        True,
        "Eerste KPO met een collectieve vraag gehouden: het team wil dit vaker.",
        None,
    ),
    (
        "Lerend netwerk West",
        5,
        PdcaPhase.DO,
        TrafficLight.GREEN,
        False,
        "Eerste bijeenkomst van het lerend netwerk met vijf scholen.",
        ("Deelnemende scholen", "5"),
    ),
]


def seed_programme(
    *,
    wijken: dict[str, Wijk],
    schools: list[School],
    coordinator: User,
    wijk_coordinator: User,
    organisations: list[Organisation],
) -> Programme:
    programme = utrecht_programme_ensure()
    if programme is None:
        raise ValueError("seed_demo makes gemeente 0344 before the programme.")
    lines = {line.number: line for line in programme.lines.prefetch_related("speerpunten")}
    today = timezone.localdate()
    # Most activities were entered a month ago; the scholing and Jazzsingel in the summer, and Jazzsingel has
    # been quiet since: the one stale activity of the demo.
    long_ago = {"Kernpartnerscholing nieuwe medewerkers (uitnodiging 11/20 okt)", "Jazzsingel"}
    by_title: dict[str, Activity] = {}
    social_base, _ = Organisation.objects.get_or_create(
        name="Sociaal makelaars Utrecht", defaults={"kind": OrganisationKind.SOCIAL_BASE}
    )

    def activity(title: str, line_number: int, speerpunt_order: int, **defaults) -> Activity:
        line = lines[line_number]
        speerpunt = next(s for s in line.speerpunten.all() if s.order == speerpunt_order)
        found, _created = Activity.objects.get_or_create(
            line=line,
            title=title,
            defaults={
                "speerpunt": speerpunt,
                "created_at": timezone.now() - dt.timedelta(days=120 if title in long_ago else 30),
                **defaults,
            },
        )
        by_title[title] = found
        return found

    for entry in seed.ACTIVITIES:
        status, where, description, others, results = DETAILS[entry.title]
        found = activity(
            entry.title,
            entry.line,
            entry.speerpunt,
            status=status,
            description=description,
            other_partners=others,
            intended_results=results,
            citywide=where == CITY,
            trekker=coordinator,
            responsible=coordinator,
            starts_on=dt.date(2026, 9, 1),
            ends_on=dt.date(2027, 7, 16),
            steering="Regiegroep KPA PO (gemeente en SWV Utrecht PO).",
            accountability="Voortgang twee keer per jaar in het OOGO.",
        )
        if isinstance(where, list):
            found.wijken.set([wijken[name] for name in where])
        elif where in Sector.values:
            found.schools.set([next(s for s in schools if s.sector == where)])
        found.organisations.set(organisations + ([social_base] if entry.line == 5 else []))

    west = activity(
        WEST[0],
        WEST[1],
        WEST[2],
        status=S.RUNNING,
        description="Wijkgroepje van scholen en kernpartners in West, vier keer per jaar.",
        trekker=wijk_coordinator,
        responsible=coordinator,
        starts_on=dt.date(2026, 10, 1),
    )
    west.wijken.set([wijken["West"]])
    west.schools.set([s for s in schools if s.wijk_id == wijken["West"].pk])

    for title, days_ago, phase, light, success, text, measured in UPDATES:
        target = by_title[title]
        update, _created = ProgressUpdate.objects.get_or_create(
            activity=target,
            text=text,
            defaults={
                "date": today - dt.timedelta(days=days_ago),
                "phase": phase,
                "light": light,
                "is_success": success,
                "author": target.trekker,
            },
        )
        if measured:
            indicator, _ = Indicator.objects.get_or_create(activity=target, name=measured[0])
            IndicatorValue.objects.get_or_create(
                indicator=indicator,
                update=update,
                defaults={"date": update.date, "value": Decimal(measured[1])},
            )
    return programme
