"""The programmes of the scale data set (demo.scale): per gemeente a programme for primary education with
the five action lines of seed 000 and their speerpunten (programme.seed), and a few activities per line,
city-wide or in one wijk, each with progress updates (traffic lights, some successes), an indicator and
measured values.

In two steps, like the rest of the builder one statement per table: `build_programme_lines` writes the
programmes, lines and speerpunten before the meetings (their agreements may name a line of their school's
programme) and uses no random choice; `build_activities` writes the rest after the meetings, so the random
choices of the meetings are the same as without programmes. Utrecht's programme takes the five lines that
no programme holds yet (meetings 0002 made them, programme 0003 fixed their text), as seed_demo does; at
other gemeenten, and where those lines are gone, the lines are new rows with the seed's text.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import connection

from demo.scale.bulk import model
from programme import seed
from programme.models import ActionLine

if TYPE_CHECKING:
    from demo.scale.builder import Builder

ACTIVITIES_PER_LINE = (1, 4)  # at each gemeente; Utrecht, the city the bench reads, has more
UTRECHT_ACTIVITIES_PER_LINE = (4, 8)
UPDATES = (1, 5)  # per activity under way or finished
SUCCESS_SHARE = 0.15
CITYWIDE_SHARE = 0.4
STATUS_WEIGHTS = {"idea": 0.1, "planned": 0.2, "running": 0.5, "done": 0.15, "stopped": 0.05}
LIGHT_WEIGHTS = {"green": 0.6, "orange": 0.3, "red": 0.1}
PHASES = ("plan", "do", "check", "act")
# Made-up Dutch phrases without digits: nothing in them looks like a BSN or onderwijsnummer.
ACTIVITY_TITLES = (
    "Lerend netwerk kernpartners",
    "Werkbezoeken bij elkaar op school",
    "Scholing nieuwe medewerkers",
    "Wijkdata bespreken met de scholen",
    "Verbinding met jongerenwerk",
    "Sport na school in de wijk",
    "Rol van de JGZ op school verhelderen",
    "Verdieping van het KPO",
    "Inloopspreekuur voor ouders",
    "Samen met de bibliotheek",
    "Aanpak thuiszitters in de wijk",
    "Rijke schooldag",
)
UPDATE_TEXTS = (
    "Eerste bijeenkomst gehouden met de kernpartners.",
    "Plan besproken in het KPO; de scholen doen mee.",
    "Minder deelnemers dan verwacht; we zoeken een ander moment.",
    "Evaluatie met de IB-ers: positief, een vervolg is gepland.",
    "Trekker gewisseld; de overdracht is rond.",
    "Afspraken gemaakt met de partners uit de sociale basis.",
)
SUCCESS_TEXTS = (
    "Alle scholen in de wijk doen mee.",
    "De kernpartners kennen elkaar en weten elkaar te vinden.",
    "Ouders kwamen in groten getale naar de bijeenkomst.",
)
# The activity's texts of the uitvoeringsprogramma, left empty here (the pages read them, the bench not).
TEXTS = (
    "steps_taken",
    "steps_planned",
    "other_partners",
    "intended_results",
    "steering",
    "accountability",
    "communication",
    "money",
)
INDICATORS = ("Deelnemende scholen", "Bijeenkomsten gehouden", "Betrokken partners")


def _first_ids(labels: list[str]) -> dict[str, int]:
    """The first free primary key of each table, in one query (demo.scale.bulk.next_ids asks one a table)."""
    quote = connection.ops.quote_name
    parts = ", ".join(
        f"(SELECT MAX({quote(str(model(label)._meta.pk.column))}) FROM {quote(model(label)._meta.db_table)})"  # noqa: S608  (names from the models, not input)
        for label in labels
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {parts}")
        row = cursor.fetchone()
    return {label: (value or 0) + 1 for label, value in zip(labels, row, strict=True)}


NUMBERED = [
    "programme.Programme",
    "programme.ActionLine",
    "programme.Speerpunt",
    "programme.Activity",
    "programme.ProgressUpdate",
    "programme.Indicator",
]


type ProgrammeLines = dict[int, list[tuple[int, int, list[int]]]]  # gemeente: [(line, number, speerpunten)]


def build_programme_lines(
    b: Builder, schools: list[dict]
) -> tuple[dict[tuple[int, str], list[int]], ProgrammeLines]:
    """A PO programme per gemeente with the five lines and their speerpunten. Returns the line ids by
    (gemeente, sector), for the agreements and questions of the meetings, and the lines by gemeente with
    their speerpunten, for `build_activities`."""
    b.ids.update(_first_ids(NUMBERED))
    free: dict[int, int] = {}  # the lines of no programme, by number, and their speerpunten
    free_speerpunten: dict[int, dict[int, int]] = {}
    for pk, number, speerpunt, order in ActionLine.objects.filter(programme=None).values_list(
        "pk", "number", "speerpunten__pk", "speerpunten__order"
    ):
        free[number] = pk
        if speerpunt is not None:
            free_speerpunten.setdefault(pk, {})[order] = speerpunt
    with_po = {s["gemeente"] for s in schools if s["sector"] == "PO"}
    programmes, lines, speerpunten, taken = [], [], [], []
    programme_lines: ProgrammeLines = {}
    for index, (gemeente, code, _name) in enumerate(b.gemeenten):
        if index > 0 and gemeente not in with_po:
            continue
        programme = b._id("programme.Programme")
        programmes.append((programme, gemeente, seed.PROGRAMME_SECTOR, seed.PROGRAMME_TITLE))
        programme_lines[gemeente] = []
        for seed_line in seed.ACTION_LINES:
            reuse = free.pop(seed_line.number, None) if code == seed.UTRECHT_CODE else None
            if reuse is not None:
                taken.append(reuse)
                line, have = reuse, free_speerpunten.get(reuse, {})
            else:
                line, have = b._id("programme.ActionLine"), {}
                lines.append((line, programme, seed_line.number, seed_line.title, ""))
            ids = []
            for order, text in enumerate(seed_line.speerpunten, start=1):
                if order not in have:
                    have[order] = b._id("programme.Speerpunt")
                    speerpunten.append((have[order], line, order, text))
                ids.append(have[order])
            programme_lines[gemeente].append((line, seed_line.number, ids))
    b.writer.insert("programme.Programme", ["id", "gemeente", "sector", "title"], programmes)
    if taken:
        ActionLine.objects.filter(pk__in=taken).update(programme_id=programmes[0][0])
    b.writer.insert("programme.ActionLine", ["id", "programme", "number", "title", "description"], lines)
    b.writer.insert("programme.Speerpunt", ["id", "line", "order", "text"], speerpunten)
    by_sector = {
        (gemeente, seed.PROGRAMME_SECTOR): [line for line, _number, _ids in rows]
        for gemeente, rows in programme_lines.items()
    }
    return by_sector, programme_lines


def _status_dates(b: Builder, status: str) -> tuple[dt.date | None, dt.date | None]:
    today, rng = b.today, b.rng
    if status == "idea":
        return None, None
    if status == "planned":
        start = today + dt.timedelta(days=rng.randint(-30, 90))
        return start, start + dt.timedelta(days=rng.randint(90, 300))
    start = today - dt.timedelta(days=rng.randint(60, 700))
    if status == "running":
        return start, rng.choice((None, today + dt.timedelta(days=rng.randint(30, 300))))
    return start, min(today - dt.timedelta(days=1), start + dt.timedelta(days=rng.randint(60, 400)))


def build_activities(b: Builder, programme_lines: ProgrammeLines) -> None:
    """A few activities per line of every programme (see the module docstring), with their updates,
    indicator and measured values; trekker the gemeente's coordinator, or in Utrecht the wijk's."""
    rng, now, today = b.rng, b.now, b.today
    utrecht = b.gemeenten[0][0]
    coordinator = {gemeente: b.coordinators[i] for i, (gemeente, _code, _name) in enumerate(b.gemeenten)}
    wijken: dict[int, list[int]] = {}
    for wijk_id, gemeente, _name in b.wijken:
        wijken.setdefault(gemeente, []).append(wijk_id)
    wijk_coordinator = dict(zip(wijken.get(utrecht, []), b.wijk_coordinators, strict=False))
    statuses, status_weights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
    lights, light_weights = list(LIGHT_WEIGHTS), list(LIGHT_WEIGHTS.values())
    activities, places, updates, indicators, values = [], [], [], [], []
    for gemeente, lines in programme_lines.items():
        low, high = UTRECHT_ACTIVITIES_PER_LINE if gemeente == utrecht else ACTIVITIES_PER_LINE
        for line, _number, speerpunten in lines:
            for _ in range(rng.randint(low, high)):
                pk = b._id("programme.Activity")
                status = rng.choices(statuses, status_weights)[0]
                starts_on, ends_on = _status_dates(b, status)
                citywide = rng.random() < CITYWIDE_SHARE
                wijk: int | None = None if citywide else rng.choice(wijken[gemeente])
                trekker = (
                    coordinator[gemeente]
                    if wijk is None
                    else wijk_coordinator.get(wijk, coordinator[gemeente])
                )
                made = now - dt.timedelta(days=rng.randint(0, 60))
                if starts_on is not None and starts_on < today:
                    made = min(made, dt.datetime.combine(starts_on, dt.time(9), tzinfo=dt.UTC))
                activities.append(
                    (
                        pk,
                        line,
                        rng.choice(speerpunten),
                        rng.choice(ACTIVITY_TITLES),
                        "",
                        status,
                        starts_on,
                        ends_on,
                        citywide,
                        trekker,
                        coordinator[gemeente],
                        made,
                        made,
                    )
                )
                if wijk is not None:
                    places.append((pk, wijk))
                if starts_on is None or starts_on >= today:
                    continue
                indicator = b._id("programme.Indicator")
                indicators.append((indicator, pk, rng.choice(INDICATORS)))
                last = min(today, ends_on) if ends_on else today
                days = sorted(b._date_between(starts_on, last) for _ in range(rng.randint(*UPDATES)))
                for step, day in enumerate(days):
                    update = b._id("programme.ProgressUpdate")
                    success = rng.random() < SUCCESS_SHARE
                    text = rng.choice(SUCCESS_TEXTS if success else UPDATE_TEXTS)
                    light = rng.choices(lights, light_weights)[0]
                    at = dt.datetime.combine(day, dt.time(16), tzinfo=dt.UTC)
                    updates.append((update, pk, day, text, PHASES[step % 4], light, success, trekker, at))
                    if rng.random() < 0.5:
                        values.append((indicator, day, Decimal(rng.randint(1, 12) + step), update))
    b.writer.insert(
        "programme.Activity",
        [
            "id",
            "line",
            "speerpunt",
            "title",
            "description",
            "status",
            "starts_on",
            "ends_on",
            "citywide",
            "trekker",
            "responsible",
            "created_at",
            "updated_at",
            *TEXTS,
        ],
        [row + ("",) * len(TEXTS) for row in activities],
    )
    b.writer.insert("programme.Activity_wijken", ["activity", "wijk"], places)
    b.writer.insert(
        "programme.ProgressUpdate",
        ["id", "activity", "date", "text", "phase", "light", "is_success", "author", "created_at"],
        updates,
    )
    b.writer.insert("programme.Indicator", ["id", "activity", "name"], indicators)
    b.writer.insert("programme.IndicatorValue", ["indicator", "date", "value", "update"], values)
