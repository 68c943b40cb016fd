"""Evaluation results (issue 13), without naming anyone: per school, and per wijk and city by role.

Per statement and cell (a school's team, a role in a wijk or the city, everyone in a wijk or the city;
evaluations.disclosure): how many scored it (a "weet niet" is no score), the mean, the spread (standard
deviation) and, for a school, whether the scores lie two points or more apart (`diverges`; never whose).

Which figures are shown is decided once per gemeente and school year on the sent responses, by
evaluations.disclosure.shown_cells: no group of fewer than settings.KPA_EVALUATION_MIN_GROUP people (never
below 3) is shown, and none can be worked out by subtracting shown figures from each other (a total minus
the other groups, a wijk minus its schools, the city minus its wijken, the figures after a round closed
minus those before). A withheld figure carries its reason: too few people (FEW), or withheld so that
another can't be worked out (COMPLEMENT). A shown group's statement figure is also left out when fewer than
the minimum of them scored that statement (SCORES): the group is large enough, the figure would still be
one or two people's scores.

Only rounds that have closed count: while a round is open a figure would change as each person sends or
changes their answers, and two looks at the page could tell what one person answered.

Open answers are listed without names or roles, in alphabetical order (not the order they were sent,
which could tell who wrote what), and only when at least KPA_EVALUATION_MIN_GROUP people of the school
sent their answers that year.

Not covered: a school moved to another wijk after its round closed changes that wijk's figures, so the
wijk's figures before and after the move differ by that school's; and a respondent knows their own
answers, so in a group of exactly the minimum they could work out the sum of the others'.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, F, FloatField, Max, Min, QuerySet, StringAgg, Sum, TextField, Value
from django.db.models.functions import MD5, Cast, Coalesce, Collate, Concat
from django.utils import timezone
from django.utils.translation import get_language, gettext, gettext_lazy

from evaluations.disclosure import ALL, COMPLEMENT, FEW, Cell, Decision, Group, shown_cells
from evaluations.models import (
    Answer,
    ArchivedTotal,
    Item,
    ItemKind,
    Response,
    ResponsesState,
    ResultsArchive,
    Round,
)
from evaluations.selectors import RESPONDENT_ROLES
from partners.models import Role
from schools.models import Gemeente, School, Wijk
from schools.years import school_year_start

DIVERGES = 2  # scores this many points or more apart are flagged


def minimum_group() -> int:
    return max(3, int(getattr(settings, "KPA_EVALUATION_MIN_GROUP", 3)))


SCORES = "scores"  # the group is shown, but fewer than the minimum of them scored this statement
DECISION_SECONDS = 24 * 3600  # a decision depends only on the responses: its cache key is their digest


@dataclass
class Figure:
    """One statement's scores in one cell: `shown` only when evaluations.disclosure lets it, with the
    reason it is withheld otherwise (disclosure.FEW, disclosure.COMPLEMENT or SCORES)."""

    count: int = 0
    mean: float | None = None
    spread: float | None = None
    diverges: bool = False
    shown: bool = False
    reason: str = ""


@dataclass
class StatementRow:
    key: str
    section: str
    text: str
    now: Figure
    before: Figure


@dataclass
class SchoolResults:
    respondents: int  # people who sent their answers this year
    respondents_before: int
    statements: list[StatementRow] = field(default_factory=list)
    open_answers: list[tuple[str, list[str]]] = field(default_factory=list)  # (question, answers)
    open_withheld: bool = False
    minimum: int = 3


def reason_text(reason: str, minimum: int) -> str:
    """Why a figure is withheld, in words (downloads; the pages say it with a numbered note)."""
    if reason == FEW:
        return gettext("fewer than %(minimum)s people") % {"minimum": minimum}
    if reason == COMPLEMENT:
        return gettext("it could be worked out from the other figures")
    if reason == SCORES:
        return gettext("fewer than %(minimum)s people gave a score") % {"minimum": minimum}
    return reason or gettext("no scores")


def _counted(
    school: School | None, year: int | list[int], prefix: str = "", gemeente_id: int | None = None
) -> dict:
    """The lookups of the responses that count, from Response (`prefix` "") or through a relation
    ("response__"): sent, for the school (or any school of the gemeente), in the year's rounds (or those
    of a list of years) that have closed."""
    where = (
        {f"{prefix}school": school} if school is not None else {f"{prefix}school__gemeente_id": gemeente_id}
    )
    years = (
        {f"{prefix}round__school_year__in": year}
        if isinstance(year, list)
        else {f"{prefix}round__school_year": year}
    )
    return {
        **where,
        **years,
        f"{prefix}round__closes_on__lt": timezone.localdate(),
        f"{prefix}submitted_at__isnull": False,
    }


_DIGESTED = ("school_id", "school__wijk_id", "role", "round__closes_on", "respondent_id")


def _key_of(minimum: int, rows: int, md5: str) -> str:
    return hashlib.sha256(f"{minimum}\n{rows}\n{md5}".encode()).hexdigest()


def _digest(gemeente_id: int, year: int) -> tuple[str, list[Group]]:
    """The responses a decision is made from (one query), and a digest of them: the same digest, the
    same responses, the same decision. The digest is that of `_digest_only`, taken here from the rows
    read: one line per response, "school wijk role closes_on respondent" (wijk -1 when none), in that
    order (text in code-point order, as PostgreSQL's "C" collation sorts it)."""
    rows = sorted(
        (school_id, -1 if wijk_id is None else wijk_id, role, closed, person)
        for school_id, wijk_id, role, closed, person in Response.objects.filter(
            **_counted(None, year, "", gemeente_id)
        )
        .values_list(*_DIGESTED)
        .order_by()
    )
    people: dict[tuple, set[int]] = defaultdict(set)
    for school_id, wijk_id, role, closed, person in rows:
        people[(school_id, None if wijk_id == -1 else wijk_id, role, closed)].add(person)
    groups = [Group(*key, frozenset(persons)) for key, persons in people.items()]
    text = "\n".join(
        f"{school_id} {wijk_id} {role} {closed.isoformat()} {person}"
        for school_id, wijk_id, role, closed, person in rows
    )
    md5 = hashlib.md5(text.encode(), usedforsecurity=False).hexdigest() if rows else ""
    return _key_of(minimum_group(), len(rows), md5), groups


def _digest_only(gemeente_id: int, year: int) -> tuple[str, int]:
    """The digest of `_digest` and the number of responses, without the responses: where the database can
    order an aggregate (PostgreSQL), it writes the same lines and their MD5 itself (one query, about 20 ms
    for the 5,300 responses of a year of the largest gemeente of the bench, where reading them into Python
    and digesting them there took 50-70 ms). A results page needs only this when its decision is cached.

    The MD5 tells one state of the responses from another (no one chooses the lines it is taken of: ids
    and dates are the database's, roles a fixed list). Correctness does not rest on the two writings being
    the same: a decision is kept under the digest of the very rows it was made from (`_digest`), so were
    they ever to differ, every visit would make the decision anew (slow, never wrong). A test on
    PostgreSQL checks that they are the same."""
    if not connection.features.supports_aggregate_order_by_clause:
        key, groups = _digest(gemeente_id, year)
        return key, sum(len(group.people) for group in groups)
    line = Concat(
        Cast("school_id", TextField()),
        Value(" "),
        Cast(Coalesce("school__wijk_id", Value(-1)), TextField()),
        Value(" "),
        "role",
        Value(" "),
        Cast("round__closes_on", TextField()),
        Value(" "),
        Cast("respondent_id", TextField()),
        output_field=TextField(),
    )
    order = (
        "school_id",
        Coalesce("school__wijk_id", Value(-1)),
        Collate("role", "C"),
        "round__closes_on",
        "respondent_id",
    )
    found = Response.objects.filter(**_counted(None, year, "", gemeente_id)).aggregate(
        rows=Count("pk"), md5=MD5(StringAgg(line, Value("\n"), order_by=order))
    )
    return _key_of(minimum_group(), found["rows"], found["md5"] or ""), found["rows"]


def _known_digest(gemeente_id: int, year: int) -> tuple[str, int]:
    """`_digest_only`, kept under the gemeente's stamp (evaluations.models.ResponsesState): while the
    stamp and the day stay the same, so do the responses that count (PostgreSQL's triggers give the
    gemeente a new stamp in the same transaction as any change to them), and a page asks one small query
    instead of a scan of the responses. Without a stamp (SQLite; a gemeente whose responses never
    changed since it was added) the responses are digested as before.

    The stamp is read before the responses: a digest kept under a stamp is then of responses at least as
    new as that stamp, and a change after it gives a new stamp, so a page that reads the new stamp never
    finds the older responses' digest. A stamp is random, not counted: a database restored from a backup
    (or seeded again) cannot give an old stamp to other responses."""
    stamp = _stamp(gemeente_id)
    if stamp is None:
        return _digest_only(gemeente_id, year)
    key = _digest_key(gemeente_id, year, stamp)
    found = cache.get(key)
    if found is None:
        found = _digest_only(gemeente_id, year)
        cache.set(key, found, DECISION_SECONDS)
    return found


def _stamp(gemeente_id: int):
    """The gemeente's stamp (evaluations.models.ResponsesState); None on SQLite, or without one."""
    if connection.vendor != "postgresql":
        return None
    return ResponsesState.objects.filter(gemeente_id=gemeente_id).values_list("stamp", flat=True).first()


def _digest_key(gemeente_id: int, year: int, stamp) -> str:
    return f"kpa:evaluations:digest:{gemeente_id}:{year}:{stamp}:{timezone.localdate()}:{minimum_group()}"


@dataclass(frozen=True)
class ArchivedDecision(Decision):
    """An archived year (evaluations.models.ResultsArchive): the decision its figures were shown under,
    with the totals and respondent counts they are made from, now that its answers are gone."""

    totals: dict[tuple, tuple] = field(default_factory=dict)  # as _totals gives them
    respondents: dict[str, int] = field(default_factory=dict)  # "school:<id>", "wijk:<id>", "city"


def may_be_archived(year: int, today: dt.date | None = None) -> bool:
    """Whether a school year (it ends on 31 July) is old enough for its scores to have been archived and
    deleted (KPA_KEEP_EVALUATION_SCORES_DAYS after it ended). Only such a year is looked for in the
    archive, so pages about recent years ask nothing more."""
    days = int(getattr(settings, "KPA_KEEP_EVALUATION_SCORES_DAYS", 1825))
    return dt.date(year + 1, 8, 1) < (today or timezone.localdate()) - dt.timedelta(days=days)


def _archived(gemeente_id: int, year: int) -> ArchivedDecision | None:
    archive = ResultsArchive.objects.filter(gemeente_id=gemeente_id, school_year=year).first()
    if archive is None:
        return None
    totals = {
        (t.item_key, t.school_id, t.wijk_id, t.role): (t.n, t.total, t.squares, t.low, t.high)
        for t in ArchivedTotal.objects.filter(archive=archive)
    }
    return ArchivedDecision(
        shown=frozenset(tuple(cell) for cell in archive.shown),
        withheld={tuple(cell): reason for cell, reason in archive.withheld},
        people={tuple(cell): number for cell, number in archive.people},
        totals=totals,
        respondents=archive.respondents,
    )


def decision(
    gemeente_id: int,
    year: int,
    found: tuple[str, list[Group]] | None = None,
    *,
    known: tuple[str, int] | None = None,
) -> Decision:
    """Which cells of the gemeente's school year may be shown (evaluations.disclosure). One query (none
    when given what _digest found) when the decision is kept: it is kept under the digest of the
    responses it is made from, so it is made once per state of the responses (a cache that is down only
    costs the time to make it again, and a second query: the responses themselves). On PostgreSQL that
    query is the gemeente's stamp, and the digest is found under it (`_known_digest`). A year whose answers
    were archived and deleted gives its archived decision, with its figures (two queries more, for such a
    year only). `known`: what _known_digest gave for this year, when the caller asked it already."""
    if found is None:
        digest, rows = known if known is not None else _known_digest(gemeente_id, year)
        if rows or not may_be_archived(year):  # (an archived year has no rows, and its own decision)
            made = cache.get(_decision_key(digest))
            if made is not None:
                return made
        found = _digest(gemeente_id, year) if rows else (digest, [])
    digest, groups = found
    if not groups and may_be_archived(year):
        archived = _archived(gemeente_id, year)
        if archived is not None:
            return archived
    key = _decision_key(digest)
    made = cache.get(key)
    if made is None:
        made = shown_cells(groups, minimum_group())
        cache.set(key, made, DECISION_SECONDS)
    return made


def _decision_key(digest: str) -> str:
    return f"kpa:evaluations:disclosure:{digest}"


def decisions(gemeente_id: int, years: list[int]) -> dict[int, Decision]:
    """decision() of several school years of one gemeente, as a school's results page shows a year and
    the year before side by side. On PostgreSQL the gemeente's stamp is read once, before the responses
    as _known_digest reads it, and the kept digests and then the kept decisions are asked of the cache
    together; a year whose digest or decision is not kept is found as decision() finds it, from the
    same stamp. Without a stamp (SQLite; a gemeente whose responses never changed) each year's responses
    are digested, as _known_digest does then."""
    stamp = _stamp(gemeente_id)
    if stamp is None:
        return {year: decision(gemeente_id, year, known=_digest_only(gemeente_id, year)) for year in years}
    keys = {year: _digest_key(gemeente_id, year, stamp) for year in years}
    kept = cache.get_many(list(keys.values()))
    digests: dict[int, tuple[str, int]] = {}
    for year, key in keys.items():
        if key in kept:
            digests[year] = tuple(kept[key])
        else:
            digests[year] = _digest_only(gemeente_id, year)
            cache.set(key, digests[year], DECISION_SECONDS)
    # As decision(): a year without rows that may have been archived has its own decision.
    wanted = {
        _decision_key(digest): year
        for year, (digest, rows) in digests.items()
        if rows or not may_be_archived(year)
    }
    made = {wanted[key]: value for key, value in cache.get_many(list(wanted)).items()}
    for year in years:
        if year not in made:
            made[year] = decision(gemeente_id, year, known=digests[year])
    return {year: made[year] for year in years}


def warm_decisions() -> int:
    """Make (or find in the cache) the decision of every gemeente and school year a results page shows
    without being asked twice: this school year's and last school year's (a school's page shows this year
    by default and last year on request) of every gemeente with a closed round in them, each with the
    year before it beside it; and the whole gemeente's results by role of each such year (the
    coordinator's results page and dashboard). By school year, not by how long ago a round closed: from
    a round's 400th day on, "the last 400 days" left last year's pages (and the year before them) to be
    decided at a person's first visit, seconds for a large gemeente."""

    today = timezone.localdate()
    current = school_year_start(today).year
    pairs = set(
        Round.objects.filter(closes_on__lt=today, school_year__gte=current - 1)
        .values_list("gemeente_id", "school_year")
        .distinct()
        .order_by("gemeente_id", "school_year")
    )
    done = {(gemeente_id, year - back) for gemeente_id, year in pairs for back in (0, 1)}
    for gemeente_id, year in sorted(done):
        decision(gemeente_id, year)
    gemeenten = Gemeente.objects.in_bulk({gemeente_id for gemeente_id, _year in pairs})
    for gemeente_id, year in sorted(pairs):
        area_results(gemeenten[gemeente_id], None, year)
    return len(done)


def _figure(totals: list[float], minimum: int, cell: Cell, made: Decision, *, school: bool = False) -> Figure:
    """The figure of a cell from its totals [n, sum, sum of squares, lowest, highest]."""
    n, total, squares, low, high = totals
    if cell not in made.shown:  # not even how many scored: that too is a sum over the group
        return Figure(reason=made.withheld.get(cell, FEW))
    if n < minimum:
        return Figure(count=int(n), reason=SCORES)
    mean = total / n
    variance = max(0.0, squares / n - mean**2)
    return Figure(
        count=int(n),
        mean=round(mean, 1),
        spread=round(math.sqrt(variance), 1),
        diverges=school and high - low >= DIVERGES,
        shown=True,
    )


def _totals(
    year: int, school: School | None, schools: QuerySet[School] | None = None, made: Decision | None = None
) -> dict:
    """Per item key, school and role: [n, sum, sum of squares, lowest, highest] of the sent scores of the
    year's closed rounds, for one school or a set of them. One query; of an archived year (`made`), its
    archived totals."""
    if isinstance(made, ArchivedDecision):
        wanted = {school.pk} if school is not None else set(schools.values_list("pk", flat=True))
        return {key: values for key, values in made.totals.items() if key[1] in wanted}
    where = (
        _counted(school, year, "response__")
        if school is not None
        else {
            "response__school__in": schools,
            "response__round__school_year": year,
            "response__round__closes_on__lt": timezone.localdate(),
            "response__submitted_at__isnull": False,
        }
    )
    return _score_sums(Answer.objects.filter(**where))


_SUMMED_BY = ("item__key", "response__school_id", "response__school__wijk_id", "response__role")


def _score_sums(answers: QuerySet[Answer], *first: str) -> dict:
    """[n, sum, sum of squares, lowest, highest] of the statements' scores among `answers`, per item key,
    school, wijk and role (after the fields in `first`, when given). One query."""
    score = Cast(F("score"), FloatField())
    rows = (
        answers.filter(item__kind=ItemKind.STATEMENT, score__isnull=False)
        .values(*first, *_SUMMED_BY)
        .annotate(
            n=Count("pk"), total=Sum(score), squares=Sum(score * score), low=Min("score"), high=Max("score")
        )
        .order_by()
        .values_list(*first, *_SUMMED_BY, "n", "total", "squares", "low", "high")
    )
    width = len(first) + len(_SUMMED_BY)
    return {tuple(row[:width]): tuple(row[width:]) for row in rows}


def _totals_by_year(years: list[int], school: School) -> dict:
    """_totals of a school for several school years, in one query: keyed (year, item key, school, wijk,
    role)."""
    answers = Answer.objects.filter(**_counted(school, years, "response__"))
    return _score_sums(answers, "response__round__school_year")


def _add(into: list[float], values: tuple) -> None:
    n, total, squares, low, high = values
    if into[0] == 0:
        into[3], into[4] = low, high
    else:
        into[3], into[4] = min(into[3], low), max(into[4], high)
    into[0] += n
    into[1] += total
    into[2] += squares


def _school_figures(
    school: School, years: list[int]
) -> tuple[dict[int, dict[str, Figure]], dict[int, Decision], dict[int, int]]:
    """Per school year: the school's figures per statement, the decision they were shown under, and the
    number of respondents. The years' scores in one query and their respondents in another (an archived
    year's from its archive)."""
    made = decisions(school.gemeente_id, years)
    minimum = minimum_group()
    counted = [year for year in years if not isinstance(made[year], ArchivedDecision)]
    totals: dict[int, dict] = {year: {} for year in counted}
    respondents: dict[int, int] = dict.fromkeys(counted, 0)
    if counted:
        for (year, key, school_id, wijk_id, role), values in _totals_by_year(counted, school).items():
            totals[year][(key, school_id, wijk_id, role)] = values
        for year, number in (
            Response.objects.filter(**_counted(school, counted, ""))
            .values("round__school_year")
            .annotate(number=Count("respondent", distinct=True))
            .values_list("round__school_year", "number")
        ):
            respondents[year] = number
    figures: dict[int, dict[str, Figure]] = {}
    cell = ("school", school.pk)
    for year in years:
        if isinstance(made[year], ArchivedDecision):
            totals[year] = _totals(year, school, made=made[year])
            respondents[year] = made[year].respondents.get(f"school:{school.pk}", 0)
        sums: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0, 0, 0])
        for (key, _school, _wijk, _role), values in totals[year].items():
            _add(sums[key], values)
        figures[year] = {
            key: _figure(totals_of_key, minimum, cell, made[year], school=True)
            for key, totals_of_key in sums.items()
        }
    return figures, made, respondents


def school_results(school: School, year: int) -> SchoolResults:
    """The school's results of the school year starting in August of `year`, with the year before beside
    it. The statements are those of the year's newest round (else the year before's). A fixed number of
    queries whatever the number of responses."""
    figures, _made, respondents = _school_figures(school, [year, year - 1])
    now, before = figures[year], figures[year - 1]
    results = SchoolResults(
        respondents=respondents[year], respondents_before=respondents[year - 1], minimum=minimum_group()
    )
    version_items = (
        Item.objects.filter(
            version__rounds__schools=school, version__rounds__school_year__in=[year, year - 1]
        )
        .order_by("-version__rounds__school_year", "-version__rounds__opens_on", "order")
        .distinct()
    )
    seen: set[str] = set()
    open_items = []
    for item in version_items:
        if item.key in seen:
            continue
        seen.add(item.key)
        if item.kind == ItemKind.STATEMENT:
            results.statements.append(
                StatementRow(
                    item.key,
                    item.section,
                    item.text,
                    now.get(item.key, Figure()),
                    before.get(item.key, Figure()),
                )
            )
        else:
            open_items.append(item)
    if results.respondents < results.minimum:
        results.open_withheld = bool(open_items)
        return results
    texts: dict[str, list[str]] = {}
    for key, text in (
        Answer.objects.filter(
            **_counted(school, year, "response__"),
            item__kind=ItemKind.OPEN,
        )
        .exclude(text="")
        .values_list("item__key", "text")
    ):
        texts.setdefault(key, []).append(text)
    results.open_answers = [
        (item.text, sorted(texts.get(item.key, []), key=str.casefold)) for item in open_items
    ]
    return results


# --- Per wijk and city, by role ----------------------------------------------------------------------


@dataclass
class AreaRow:
    key: str
    section: str
    text: str
    roles: list[Figure]  # in the order of AreaResults.roles
    everyone: Figure
    before: Figure  # everyone, the year before
    between_schools: float | None = None  # the spread of the shown schools' means
    schools_counted: int = 0


@dataclass
class LineRow:
    number: int
    now: Figure
    before: Figure


@dataclass
class AreaResults:
    roles: list[tuple[str, str]]  # (value, label)
    statements: list[AreaRow] = field(default_factory=list)
    lines: list[LineRow] = field(default_factory=list)
    respondents: int = 0
    minimum: int = 3
    reasons: set[str] = field(default_factory=set)  # the reasons of the withheld figures on the page


# Column heads of the results by role: seven columns of figures beside a statement leave no room for the
# roles' full names (the legend of the page does not need them: the reader knows the roles).
SHORT_ROLE_LABELS = {
    Role.IB: gettext_lazy("IB-er (short)"),
    Role.BUURTTEAM: gettext_lazy("Neighbourhood team (short)"),
    Role.JGZ: gettext_lazy("JGZ (short)"),
    Role.PASSEND_ONDERWIJS: gettext_lazy("Inclusive education (short)"),
    Role.LEERPLICHT: gettext_lazy("Attendance (short)"),
}


def _area_cell(wijk_id: int | None, role: str) -> Cell:
    return ("city", role) if wijk_id is None else ("wijk", wijk_id, role)


def area_results(gemeente: Gemeente, wijk: Wijk | None, year: int) -> AreaResults:
    """The results of a wijk (or, with `wijk` None, the whole gemeente) in the school year of `year`: per
    statement the figures per role and of everyone, the spread between the schools whose own figures are
    shown, everyone's the year before, and per action line the pooled figure of its statements where all
    of them are shown. A fixed number of queries whatever the number of schools or responses.

    Cached under the digests of both years' responses (and the area and language): what it reads cannot
    change while they stay the same (answers of a closed round are final, a used questionnaire version
    cannot be edited), so a page asks two queries (on PostgreSQL the gemeente's stamp, twice:
    `_known_digest`) and counts nothing until another round closes."""

    def key(digests: dict[int, str]) -> str:
        area = (
            gemeente.pk,
            wijk.pk if wijk else None,
            year,
            get_language(),
            digests[year],
            digests[year - 1],
        )
        return "kpa:evaluations:area:" + hashlib.sha256(repr(area).encode()).hexdigest()

    results = cache.get(key({when: _known_digest(gemeente.pk, when)[0] for when in (year, year - 1)}))
    if results is None:
        found = {when: _digest(gemeente.pk, when) for when in (year, year - 1)}
        results = _area_results(gemeente, wijk, year, found)
        cache.set(key({when: digest for when, (digest, _groups) in found.items()}), results, DECISION_SECONDS)
    return results


def _area_results(
    gemeente: Gemeente, wijk: Wijk | None, year: int, found: dict[int, tuple[str, list[Group]]]
) -> AreaResults:
    minimum = minimum_group()
    roles = [(str(role), str(SHORT_ROLE_LABELS.get(role, Role(role).label))) for role in RESPONDENT_ROLES]
    results = AreaResults(roles=roles, minimum=minimum)
    schools = School.objects.filter(gemeente=gemeente)
    if wijk is not None:
        schools = schools.filter(wijk=wijk)
    wijk_id = wijk.pk if wijk is not None else None
    per_year = {}
    for when in (year, year - 1):
        made = decision(gemeente.pk, when, found[when])
        by_role: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0, 0.0, 0.0, 0, 0])
        by_school: dict[tuple[str, int], list[float]] = defaultdict(lambda: [0, 0.0, 0.0, 0, 0])
        for (key, school_id, _wijk, role), values in _totals(when, None, schools, made).items():
            _add(by_role[(key, role)], values)
            _add(by_role[(key, ALL)], values)
            _add(by_school[(key, school_id)], values)
        per_year[when] = (made, by_role, by_school)
    made, by_role, by_school = per_year[year]
    made_before, by_role_before, _ = per_year[year - 1]
    empty = [0, 0.0, 0.0, 0, 0]
    items = (
        Item.objects.filter(
            version__rounds__gemeente=gemeente, version__rounds__school_year__in=[year, year - 1]
        )
        .order_by("-version__rounds__school_year", "-version__rounds__opens_on", "order")
        .distinct()
    )
    seen: set[str] = set()
    lines: dict[int, list[str]] = defaultdict(list)
    for item in items:
        if item.key in seen or item.kind != ItemKind.STATEMENT:
            continue
        seen.add(item.key)
        if item.action_line_number:
            lines[item.action_line_number].append(item.key)
        means = [
            totals[1] / totals[0]
            for (key, school_id), totals in by_school.items()
            if key == item.key and ("school", school_id) in made.shown and totals[0] >= minimum
        ]
        row = AreaRow(
            item.key,
            item.section,
            item.text,
            roles=[
                _figure(by_role.get((item.key, role), empty), minimum, _area_cell(wijk_id, role), made)
                for role, _label in roles
            ],
            everyone=_figure(by_role.get((item.key, ALL), empty), minimum, _area_cell(wijk_id, ALL), made),
            before=_figure(
                by_role_before.get((item.key, ALL), empty), minimum, _area_cell(wijk_id, ALL), made_before
            ),
            schools_counted=len(means),
        )
        if len(means) >= 2:
            average = sum(means) / len(means)
            row.between_schools = round(math.sqrt(sum((m - average) ** 2 for m in means) / len(means)), 1)
        results.statements.append(row)
        for figure in (*row.roles, row.everyone, row.before):
            if not figure.shown and figure.reason:
                results.reasons.add(figure.reason)
    for number in sorted(lines):
        results.lines.append(
            LineRow(
                number,
                _pooled(lines[number], by_role, made, minimum, _area_cell(wijk_id, ALL)),
                _pooled(lines[number], by_role_before, made_before, minimum, _area_cell(wijk_id, ALL)),
            )
        )
    if isinstance(made, ArchivedDecision):
        results.respondents = made.respondents.get(f"wijk:{wijk_id}" if wijk_id else "city", 0)
    else:
        results.respondents = (
            Response.objects.filter(**_counted(None, year, "", gemeente.pk), school__in=schools)
            .values("respondent")
            .distinct()
            .count()
        )
    return results


@transaction.atomic
def year_archive(gemeente_id: int, year: int) -> ResultsArchive:
    """Keep a gemeente's school year of results as figures (ResultsArchive), before its answers are deleted:
    the decision they are shown under, the totals per statement, school and role, and how many people sent
    their answers per school, wijk (as the schools lie now) and in all. Made again, it changes nothing."""
    existing = ResultsArchive.objects.filter(gemeente_id=gemeente_id, school_year=year).first()
    if existing is not None:
        return existing
    made = decision(gemeente_id, year)
    counted = Response.objects.filter(**_counted(None, year, "", gemeente_id)).order_by()
    respondents = {
        f"school:{school_id}": number
        for school_id, number in counted.values("school_id")
        .annotate(number=Count("respondent", distinct=True))
        .values_list("school_id", "number")
    }
    respondents |= {
        f"wijk:{wijk_id}": number
        for wijk_id, number in counted.exclude(school__wijk=None)
        .values("school__wijk_id")
        .annotate(number=Count("respondent", distinct=True))
        .values_list("school__wijk_id", "number")
    }
    respondents["city"] = counted.values("respondent").distinct().count()
    archive = ResultsArchive.objects.create(
        gemeente_id=gemeente_id,
        school_year=year,
        shown=sorted([list(cell) for cell in made.shown], key=repr),
        withheld=sorted([[list(cell), reason] for cell, reason in made.withheld.items()], key=repr),
        people=sorted([[list(cell), number] for cell, number in made.people.items()], key=repr),
        respondents=respondents,
    )
    totals = _totals(year, None, School.objects.filter(gemeente_id=gemeente_id))
    ArchivedTotal.objects.bulk_create(
        [
            ArchivedTotal(
                archive=archive,
                item_key=key,
                school_id=school_id,
                wijk_id=wijk_id,
                role=role,
                n=n,
                total=total,
                squares=squares,
                low=low,
                high=high,
            )
            for (key, school_id, wijk_id, role), (n, total, squares, low, high) in totals.items()
        ],
        batch_size=500,
    )
    return archive


def _pooled(keys: list[str], by_role: dict, made: Decision, minimum: int, cell: Cell) -> Figure:
    """An action line's figure: all scores of its statements together (those that have scores), only
    when every one of their figures is shown (then it is a sum of shown figures and tells nothing they
    don't)."""
    pooled = [0, 0.0, 0.0, 0, 0]
    for key in keys:
        totals = by_role.get((key, ALL))
        if totals is None:
            continue
        figure = _figure(totals, minimum, cell, made)
        if not figure.shown:
            return Figure(reason=figure.reason)
        _add(pooled, tuple(totals))
    if not pooled[0]:
        return Figure()
    return _figure(pooled, minimum, cell, made)
