"""A school's evaluation results (issue 13), without naming anyone.

Per statement, over the sent responses of the school's team in the rounds of a school year: how many
scored it (a "weet niet" is no score), the mean, the spread (standard deviation) and whether the scores
lie two points or more apart (`diverges`; never whose). A figure of fewer than
settings.KPA_EVALUATION_MIN_GROUP scores (never below 3) is withheld (`shown` False) with its reason: on
one school each role is one person, so a figure of one or two people would name them. The page shows one
figure per statement, school and year and nothing per role or other subgroup, so no withheld figure can
be worked out by subtracting shown ones there. Figures per role across schools (wijk, city) are a later
part of the issue.

Only rounds that have closed count: while a round is open a figure would change as each person sends
or changes their answers, and two looks at the page could tell what one person answered.

Open answers are listed without names or roles, in alphabetical order (not the order they were sent,
which could tell who wrote what), and only when at least KPA_EVALUATION_MIN_GROUP people of the school
sent their answers that year.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Avg, Count, F, FloatField, Max, Min
from django.db.models.functions import Cast
from django.utils import timezone

from evaluations.models import Answer, Item, ItemKind, Response
from schools.models import School

DIVERGES = 2  # scores this many points or more apart are flagged


def minimum_group() -> int:
    return max(3, int(getattr(settings, "KPA_EVALUATION_MIN_GROUP", 3)))


@dataclass
class Figure:
    """One statement's scores in one school year: `shown` only for a group of minimum_group() or more."""

    count: int = 0
    mean: float | None = None
    spread: float | None = None
    diverges: bool = False
    shown: bool = False


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


def _counted(school: School, year: int, prefix: str = "") -> dict[str, object]:
    """The lookups of the responses that count, from Response (`prefix` "") or through a relation
    ("response__"): sent, for the school, in the year's rounds that have closed."""
    return {
        f"{prefix}school": school,
        f"{prefix}round__school_year": year,
        f"{prefix}round__closes_on__lt": timezone.localdate(),
        f"{prefix}submitted_at__isnull": False,
    }


def _figures(school: School, year: int) -> dict[str, Figure]:
    """Per item key: the figure of the sent statement answers of the school's responses in the year's
    rounds. One query."""
    score = Cast(F("score"), FloatField())
    rows = (
        Answer.objects.filter(
            **_counted(school, year, "response__"),
            item__kind=ItemKind.STATEMENT,
            score__isnull=False,
        )
        .values("item__key")
        .annotate(
            n=Count("pk"), mean=Avg(score), squares=Avg(score * score), low=Min("score"), high=Max("score")
        )
        .order_by()
    )
    minimum = minimum_group()
    found = {}
    for row in rows:
        shown = row["n"] >= minimum
        variance = max(0.0, row["squares"] - row["mean"] ** 2)
        found[row["item__key"]] = Figure(
            count=row["n"],
            mean=round(row["mean"], 1) if shown else None,
            spread=round(math.sqrt(variance), 1) if shown else None,
            diverges=shown and row["high"] - row["low"] >= DIVERGES,
            shown=shown,
        )
    return found


def _respondents(school: School, year: int) -> int:
    return (
        Response.objects.filter(
            **_counted(school, year, ""),
        )
        .values("respondent")
        .distinct()
        .count()
    )


def school_results(school: School, year: int) -> SchoolResults:
    """The school's results of the school year starting in August of `year`, with the year before beside
    it. The statements are those of the year's newest round (else the year before's). A fixed number of
    queries whatever the number of responses."""
    now, before = _figures(school, year), _figures(school, year - 1)
    results = SchoolResults(
        respondents=_respondents(school, year),
        respondents_before=_respondents(school, year - 1),
        minimum=minimum_group(),
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
