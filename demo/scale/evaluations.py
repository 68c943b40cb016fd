"""The process evaluations of the scale data set (issue 13): per gemeente the automatic round of each school
year of the data set whose evaluation moment has come, on the default questionnaire, with the responses
and answers of the team seats of that year.

Written after the rest of the data set (`demo.scale.build`), from what it wrote: the gemeenten, their
active schools and the answering seats (evaluations.selectors: the IB-er and the four kernpartners, no
stand-ins, no school leaders) are read back in one query each, so this module needs nothing of the
builder and leaves its random choices alone (it has a random generator of its own). Like the rest of
demo.scale, one statement per table whatever the size: rounds, their schools, responses, answers.

- **Rounds**: dates from the gemeente's evaluation moment (evaluations.services.moment_of: the setting
  unless the gemeente has its own), automatic. A round whose moment has not come yet this school year is
  not made (the outbox sweep opens it, as it would in production), so before the moment there are four
  school years of rounds, not five; a round open today has the responses of its days so far.
- **Responses**: of each seat, the person holding it on the day they answer (a day of the round) answers
  with the round's response rate (60-80%); most closed responses were sent, some were saved and never
  sent (`submitted_at` empty, which results do not count).
- **Answers**: a score 1-5 from a school's climate, the person, the role, the statement and a slight rise
  over the years, so there is a spread between schools, roles and years and some diverging teams; "weet
  niet" now and then; open answers from a few made-up phrases without names or digits.
- **Bounded**: answering every item of every response for five years is some 6 million rows at 10,000
  schools. The last DENSE_YEARS school years with a round are answered in full everywhere; the older ones
  in full in Utrecht and one gemeente in FULL_HISTORY_EVERY, and elsewhere only the CORE_ITEMS statements
  (so year-over-year figures exist everywhere for those, and participation for every year). At 10,000
  schools: 1,750 rounds, 175,000 responses, 3.7 million answers, which add about 15 s to seed_scale on
  PostgreSQL and 35 s on SQLite (docs/performance.md, "Evaluation prompts (issue 13)").
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from collections import defaultdict
from collections.abc import Iterator
from typing import cast
from zoneinfo import ZoneInfo

from django.core.management.color import no_style
from django.db import connection
from django.db.models import Field
from django.utils import timezone

from demo.scale.bulk import Report, Writer, model, next_ids
from evaluations.selectors import RESPONDENT_ROLES
from schools.years import school_year_start

AMS = ZoneInfo("Europe/Amsterdam")
UTRECHT_CODE = "0344"
DENSE_YEARS = 2  # the last school years whose rounds are answered in full at every gemeente
FULL_HISTORY_EVERY = 5  # of the other gemeenten, one in five has every older round answered in full too
# The statements every response of an older round answers at the other gemeenten (one or two a section).
CORE_ITEMS = (
    "vaste_kernpartners",
    "korte_lijnen",
    "rollen_helder",
    "regelmatig_op_school",
    "wie_doet_wat",
    "coordinatie",
    "ketenpartners_wijk",
    "kpo_frequentie",
)
RESPONSE_RATE = (0.6, 0.8)  # of a round, drawn per round
SENT_SHARE = 0.93  # of the responses of a closed round; the rest were saved and never sent
UNKNOWN_SHARE = 0.05  # "weet niet" per statement
OPEN_SHARE = 0.3  # per open question and response
# The climate of a school's collaboration (the mean of its scores), the spread of a person around it,
# of a statement (some are seen better than others everywhere), of an answer around the person's view,
# and a slight rise per school year (the approach settles in).
SCHOOL_MEAN, SCHOOL_SPREAD, PERSON_SPREAD, ITEM_SPREAD, ANSWER_SPREAD = 3.6, 0.45, 0.45, 0.35, 0.7
YEARLY_RISE = 0.06
# How each answering role (evaluations.selectors.RESPONDENT_ROLES) sees it, against the school's climate.
ROLE_OFFSET = {"ib": 0.15, "buurtteam": 0.0, "jgz": -0.25, "passend_onderwijs": 0.05, "leerplicht": -0.15}
NOISE_SIZE = 4096  # answers drawn from the normal distribution once (see build_evaluations)
# Made-up answers to the open questions, by the start of their key: no names, no digits.
OPEN_ANSWERS = {
    "open_gaat_goed": (
        "We weten elkaar snel te vinden en de lijnen zijn kort.",
        "Het overleg is goed voorbereid en iedereen komt.",
        "Er is vertrouwen in het team; we durven elkaar aan te spreken.",
        "De kernpartners zijn vaak op school en bekend bij de leerkrachten.",
    ),
    "open_kan_beter": (
        "Afspraken worden niet altijd nagekomen; we volgen ze beter op.",
        "Nieuwe collega's kennen de aanpak nog niet goed.",
        "We bespreken te weinig collectieve vragen.",
        "Het is niet altijd duidelijk wie wat doet.",
    ),
    "open_wens": (
        "Vaker een kernpartneroverleg, liefst elke zes weken.",
        "Een gezamenlijke studiedag met het hele team.",
        "Meer tijd om samen terug te kijken op wat werkt.",
    ),
    "open_collectieve": (
        "Hoe gaan we om met verzuim rond de vakanties?",
        "Wat kunnen we doen aan spanning en stress bij leerlingen?",
        "Hoe betrekken we ouders eerder bij zorgen?",
    ),
}


def _open_texts(key: str) -> tuple[str, ...]:
    for start, texts in OPEN_ANSWERS.items():
        if key.startswith(start):
            return texts
    return OPEN_ANSWERS["open_gaat_goed"]


# An asked item as the answer loop needs it: (pk, how much better or worse than the school's climate the
# statement is seen, the texts of an open question or None for a statement).
type Asked = tuple[int, float, tuple[str, ...] | None]


def _insert_plain(writer: Writer, label: str, columns: list[str], rows: list[tuple]) -> None:
    """Writer.insert for rows of plain ints, bools, None and str, which every backend takes as they are:
    on SQLite without Writer's preparation of each value through its field (three quarters of the time of
    the millions of answers), on PostgreSQL through Writer's COPY."""
    if writer.postgres or not rows:
        writer.insert(label, columns, rows)
        return
    table_model = model(label)
    quote = connection.ops.quote_name
    fields = [cast(Field, table_model._meta.get_field(name)) for name in columns]
    names = ", ".join(quote(str(field.column)) for field in fields)
    placeholders = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {quote(table_model._meta.db_table)} ({names}) VALUES ({placeholders})",  # noqa: S608  (names from the model)
            rows,
        )
    writer.report.counts[table_model._meta.model_name] += len(rows)


@contextlib.contextmanager
def _foreign_keys_checked_once(label: str) -> Iterator[None]:
    """On PostgreSQL, the table's foreign keys dropped while the block writes it and added again after, so
    they are checked in one pass over the table instead of row by row at commit (Django makes them
    DEFERRABLE INITIALLY DEFERRED: a trigger event per row and key, which for the millions of answers took
    longer than writing them; PostgreSQL's "Populating a Database" advises the same). The same names and
    definitions, read from the catalogue; all in the command's transaction. Elsewhere: nothing."""
    if connection.vendor != "postgresql":
        yield
        return
    table = connection.ops.quote_name(model(label)._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
            [model(label)._meta.db_table],
        )
        keys = cursor.fetchall()
        # ALTER TABLE refuses a table with checks still pending in this transaction (those of the rows
        # written before): run them now (they would run at commit anyway), then defer again.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for name, _definition in keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cursor:
        for name, definition in keys:
            cursor.execute(
                f"ALTER TABLE {table} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}"
            )


def build_evaluations(
    report: Report, *, seed: int = 2026, years: int = 5, now: dt.datetime | None = None
) -> None:
    """Rounds, responses and answers for the schools and seats already written (see the module
    docstring); counts go to `report`. Run in the transaction that built the rest."""
    from evaluations.models import Round
    from evaluations.services import default_version, moment_of
    from partners.models import Assignment
    from schools.models import Gemeente, School

    rng = random.Random(f"{seed}-evaluations")  # noqa: S311  (test data, not secrets)
    now = now or timezone.now()
    today = timezone.localdate(now, AMS)
    first_year = school_year_start(today).year - (years - 1)
    version = default_version()
    # Per role, the items of a full response and of a core one (see the module docstring).
    full: dict[str, list[Asked]] = {role: [] for role in RESPONDENT_ROLES}
    core: dict[str, list[Asked]] = {role: [] for role in RESPONDENT_ROLES}
    for pk, key, kind, roles in version.items.order_by("order").values_list("pk", "key", "kind", "roles"):
        asked: Asked = (pk, rng.gauss(0, ITEM_SPREAD), _open_texts(key) if kind == "open" else None)
        for role in RESPONDENT_ROLES:
            if not roles or role in roles:
                full[role].append(asked)
                if key in CORE_ITEMS:
                    core[role].append(asked)
    # The spread of an answer around the person's view, drawn once: an answer picks one by the same draw
    # that decides "weet niet" (one random() per answer instead of a gauss() on top: millions of them).
    noise = [rng.gauss(0, ANSWER_SPREAD) for _ in range(NOISE_SIZE)]
    schools_of: dict[int, list[int]] = defaultdict(list)
    for school_id, gemeente_id in (
        School.objects.filter(is_active=True).order_by("pk").values_list("pk", "gemeente")
    ):
        schools_of[gemeente_id].append(school_id)
    # The answering seats (evaluations.selectors.respondent_seats, for every day at once).
    seats: dict[tuple[int, str], list[tuple[dt.date, dt.date | None, int]]] = defaultdict(list)
    for holder_id, seat_school, seat_role, start, end in (
        Assignment.objects.filter(role__in=RESPONDENT_ROLES, is_stand_in=False, person__is_active=True)
        .order_by("start_date", "pk")
        .values_list("person", "school", "role", "start_date", "end_date")
    ):
        seats[(seat_school, seat_role)].append((start, end, holder_id))

    def holder(school: int, role: str, day: dt.date) -> int | None:
        for start, end, person in seats.get((school, role), ()):
            if start <= day and (end is None or day <= end):
                return person
        return None

    ids = next_ids(["evaluations.Round", "evaluations.Response"])
    climate: dict[int, float] = {}
    rounds: list[tuple] = []
    round_schools: list[tuple[int, int]] = []
    responses: list[tuple] = []
    answers: list[tuple[int, int, int | None, bool, str]] = []
    gemeenten = Gemeente.objects.select_related("evaluation_moment").order_by("pk")
    for index, gemeente in enumerate(gemeenten):
        if not schools_of.get(gemeente.pk):
            continue  # no active school: open_due_rounds opens nothing there either
        full_history = gemeente.code == UTRECHT_CODE or index % FULL_HISTORY_EVERY == 0
        dated = [(year, *moment_of(gemeente, year)) for year in range(first_year, first_year + years)]
        dated = [(year, opens, closes) for year, opens, closes in dated if opens <= today]
        for position, (year, opens_on, closes_on) in enumerate(dated):
            round_id = ids["evaluations.Round"]
            ids["evaluations.Round"] += 1
            created = dt.datetime.combine(opens_on, dt.time(0, 5), tzinfo=AMS)
            rounds.append((round_id, gemeente.pk, year, version.pk, opens_on, closes_on, True, None, created))
            asked_of = full if full_history or position >= len(dated) - DENSE_YEARS else core
            last_day = min(closes_on, today)
            days = (last_day - opens_on).days
            # A round open today has the responses of its days so far.
            rate = rng.uniform(*RESPONSE_RATE) * min(1.0, (days + 1) / ((closes_on - opens_on).days + 1))
            sent_share = SENT_SHARE if closes_on < today else 0.6
            rise = YEARLY_RISE * (year - first_year)
            for school in schools_of[gemeente.pk]:
                round_schools.append((round_id, school))
                mean = climate.setdefault(school, rng.gauss(SCHOOL_MEAN, SCHOOL_SPREAD)) + rise
                for role in RESPONDENT_ROLES:
                    if rng.random() >= rate:
                        continue
                    day = opens_on + dt.timedelta(days=rng.randint(0, days))
                    person = holder(school, role, day)
                    if person is None:
                        continue  # vacant that day
                    response_id = ids["evaluations.Response"]
                    ids["evaluations.Response"] += 1
                    at = dt.datetime.combine(day, dt.time(rng.randint(8, 21), rng.randint(0, 59)), tzinfo=AMS)
                    at = min(at, now)  # today's answers were given before now
                    sent = at if rng.random() < sent_share else None
                    responses.append((response_id, round_id, school, person, role, sent, at))
                    base = mean + ROLE_OFFSET[role] + rng.gauss(0, PERSON_SPREAD)
                    for pk, offset, texts in asked_of[role]:
                        draw = rng.random()
                        if texts is not None:
                            if draw < OPEN_SHARE:
                                text = texts[int(draw / OPEN_SHARE * len(texts))]
                                answers.append((response_id, pk, None, False, text))
                        elif draw < UNKNOWN_SHARE:
                            answers.append((response_id, pk, None, True, ""))
                        else:
                            score = round(base + offset + noise[int(draw * NOISE_SIZE)])
                            answers.append((response_id, pk, min(5, max(1, score)), False, ""))
    writer = Writer(report)
    writer.insert(
        "evaluations.Round",
        [
            "id",
            "gemeente",
            "school_year",
            "version",
            "opens_on",
            "closes_on",
            "automatic",
            "opened_by",
            "created_at",
        ],
        rounds,
    )
    _insert_plain(writer, "evaluations.Round_schools", ["round", "school"], round_schools)
    writer.insert(
        "evaluations.Response",
        ["id", "round", "school", "respondent", "role", "submitted_at", "updated_at"],
        responses,
    )
    with _foreign_keys_checked_once("evaluations.Answer"):
        _insert_plain(writer, "evaluations.Answer", ["response", "item", "score", "unknown", "text"], answers)
    statements = connection.ops.sequence_reset_sql(no_style(), [Round, model("evaluations.Response")])
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
