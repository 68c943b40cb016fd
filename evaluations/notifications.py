"""The evaluation's mails, registered with the outbox (kpa.outbox): the prompt when a round opens and the
reminder a week before it closes (issue 13).

- **Prompt** ("eval_prompt:{round}:{person}"): every respondent of a round open today (the answering seats
  of evaluations.selectors: IB-ers and kernpartners of the round's schools, no stand-ins, no school
  leaders, active accounts) gets ONE mail per round, listing every school of the round they answer for.
  Someone who joins a team while the round is open gets theirs on the next sweep.
- **Reminder** ("eval_reminder:{round}:{person}"): from closes_on minus REMINDER_DAYS_BEFORE days at
  REMINDER_TIME Amsterdam, and while the round is open, to each respondent with a school of the round not
  yet submitted (no Response, or one without submitted_at). Only to someone whose prompt was due before
  that moment: a round shorter than a week, or a person who joined in its last week, gets the prompt
  alone (it says until when the round is open), never a prompt and a reminder within minutes.

The planner reads what it needs in a fixed number of queries per sweep (one when no round is open) and
never plans a key twice: whether a mail was planned is asked of the database, so a sweep with nothing new
to plan reads no seats. Right before sending each row is checked again for the day it goes out: the
round still open, the person still holding an answering seat at a school of the round (a school they
left drops out of the mail; none left, no mail), and for a reminder a school still unsubmitted. What the
checks and mails of a batch need is read in at most three queries, whatever the batch's size. People
with the same schools get the same mail but for their name, rendered once per batch (Mail.merge_key).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import CharField, Exists, F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils import timezone

from evaluations.models import Response, Round
from evaluations.selectors import RESPONDENT_ROLES
from kpa.emails import fill_mark
from kpa.outbox import registry
from kpa.outbox.models import Notification
from kpa.outbox.registry import Kind, Mail
from partners.models import Assignment

PROMPT = "eval_prompt"
REMINDER = "eval_reminder"
KEY_FORMATS = {
    PROMPT: "eval_prompt:{round}:{person}",
    REMINDER: "eval_reminder:{round}:{person}",
}
REMINDER_DAYS_BEFORE, REMINDER_TIME = 7, dt.time(8, 0)  # a week before closing, 08:00 Amsterdam
BULK_BATCH = 1000


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def mail_key(kind: str, round_id: int, person_id: int) -> str:
    return KEY_FORMATS[kind].format(round=round_id, person=person_id)


def reminder_moment(closes_on: dt.date) -> dt.datetime:
    """From when a round's reminders are due: REMINDER_TIME Amsterdam, REMINDER_DAYS_BEFORE days before it
    closes."""
    day = closes_on - dt.timedelta(days=REMINDER_DAYS_BEFORE)
    return timezone.make_aware(dt.datetime.combine(day, REMINDER_TIME), _zone())


def _seats(day: dt.date, round_ids: Iterable[int]) -> QuerySet[Assignment]:
    """Every answering seat on `day` at a school of the rounds: the rule of evaluations.selectors.
    respondent_seats, for many rounds in one query; a seat once per round of its school, named
    `round_pk` (an annotation, so that subqueries refer to this join and not a new one)."""
    return (
        Assignment.objects.active(day)
        .filter(
            school__evaluation_rounds__in=list(round_ids),
            role__in=RESPONDENT_ROLES,
            is_stand_in=False,
            person__is_active=True,
        )
        .annotate(round_pk=F("school__evaluation_rounds"))
    )


def _answering_seats(
    day: dt.date, round_ids: Iterable[int]
) -> QuerySet[Assignment, tuple[int, int, int, str]]:
    """(round_id, person_id, school_id, school name) of every answering seat on `day` at a school of the
    rounds."""
    return (
        _seats(day, round_ids)
        .values_list("school__evaluation_rounds", "person_id", "school_id", "school__name")
        .order_by()  # no default ordering: its columns would join the DISTINCT
        .distinct()
    )


def _key_of(kind: str) -> Concat:
    """A seat's key of `kind` (KEY_FORMATS: kind, round, person) as SQL, for the database to look up in the
    outbox's unique keys."""
    return Concat(Value(f"{kind}:"), "round_pk", Value(":"), "person_id", output_field=CharField())


def _submitted(round_ids: Iterable[int], people: Iterable[int]) -> set[tuple[int, int, int]]:
    """(round_id, school_id, person_id) of the people's submitted responses of the rounds."""
    responses = Response.objects.filter(
        round_id__in=list(round_ids), submitted_at__isnull=False, respondent_id__in=list(people)
    )
    return set(responses.values_list("round_id", "school_id", "respondent_id"))


def _by_schools(found: dict[tuple[int, int], set[int]]) -> list[tuple[int, int]]:
    """The (round, person) pairs by round, schools and person: the people of one school follow each other
    in the outbox, so a batch renders their (identical) mail once."""
    return sorted(found, key=lambda pair: (pair[0], sorted(found[pair]), pair[1]))


def plan_evaluation_mails(now: dt.datetime | None = None) -> dict[str, int]:  # the outbox's planner
    """The prompt of each respondent of a round open today, and from a week before closing the reminder of
    each who has a school left to submit. Running it twice (or in two processes) plans nothing more.

    Whether a mail was planned already is asked of the database (NOT EXISTS on the outbox's unique key),
    so a sweep reads only the seats that still need a mail: while the rounds of every gemeente are open
    (four weeks, a sweep a minute) that is none, where reading all seats and all planned keys each minute
    took about a second at 10,000 schools (docs/performance.md, "Evaluation prompts")."""
    now = now or timezone.now()
    today = timezone.localdate(now, _zone())
    rounds = dict(
        Round.objects.filter(opens_on__lte=today, closes_on__gte=today).values_list("pk", "closes_on")
    )
    if not rounds:
        return {"evaluation_prompts": 0, "evaluation_reminders": 0}
    unprompted: dict[tuple[int, int], set[int]] = defaultdict(set)  # (round, person) -> schools
    for round_id, person_id, school_id in (
        _seats(today, rounds)
        .annotate(prompt_key=_key_of(PROMPT))
        .filter(~Exists(Notification.objects.filter(key=OuterRef("prompt_key"))))
        .values_list("round_pk", "person_id", "school_id")
        .order_by()
        .distinct()
    ):
        unprompted[(round_id, person_id)].add(school_id)
    # Prompts go out from REMINDER_TIME (08:00) on the day, not at the first sweep after midnight.
    prompt_due = max(now, timezone.make_aware(dt.datetime.combine(today, REMINDER_TIME), _zone()))
    prompts = [
        _row(PROMPT, mail_key(PROMPT, round_id, person_id), round_id, person_id, prompt_due)
        for round_id, person_id in _by_schools(unprompted)
    ]
    reminders = _plan_reminders(now, today, rounds)
    if prompts or reminders:
        Notification.objects.bulk_create([*prompts, *reminders], ignore_conflicts=True, batch_size=BULK_BATCH)
    return {"evaluation_prompts": len(prompts), "evaluation_reminders": len(reminders)}


def _plan_reminders(now: dt.datetime, today: dt.date, rounds: dict[int, dt.date]) -> list[Notification]:
    """The reminders of the rounds whose reminder moment has come, in one query: the seats with no
    submitted response and no reminder yet, with the due time of their holder's prompt. Someone not
    prompted before this sweep is prompted by it and gets no reminder on top; nor does someone whose
    prompt was due only after the reminder moment (see the module's docstring)."""
    reminding = {
        pk: moment for pk, closes_on in rounds.items() if (moment := reminder_moment(closes_on)) <= now
    }
    if not reminding:
        return []
    submitted = Response.objects.filter(
        round_id=OuterRef("round_pk"),
        school_id=OuterRef("school_id"),
        respondent_id=OuterRef("person_id"),
        submitted_at__isnull=False,
    )
    prompted = Notification.objects.filter(key=OuterRef("prompt_key")).values("due_at")[:1]
    open_schools: dict[tuple[int, int], set[int]] = defaultdict(set)  # (round, person) -> schools
    for round_id, person_id, school_id, prompt_due in (
        _seats(today, reminding)
        .annotate(prompt_key=_key_of(PROMPT), reminder_key=_key_of(REMINDER))
        .filter(~Exists(submitted), ~Exists(Notification.objects.filter(key=OuterRef("reminder_key"))))
        .annotate(prompt_due=Subquery(prompted))
        .values_list("round_pk", "person_id", "school_id", "prompt_due")
        .order_by()
        .distinct()
    ):
        if prompt_due is not None and prompt_due < reminding[round_id]:
            open_schools[(round_id, person_id)].add(school_id)
    return [
        _row(REMINDER, mail_key(REMINDER, round_id, person_id), round_id, person_id, reminding[round_id])
        for round_id, person_id in _by_schools(open_schools)
    ]


def _row(kind: str, key: str, round_id: int, person_id: int, due_at: dt.datetime) -> Notification:
    return Notification(
        key=key, kind=kind, recipient_id=person_id, due_at=due_at, payload={"round": round_id}
    )


def _round_of(notification: Notification) -> int | None:
    value = (notification.payload or {}).get("round")
    return value if isinstance(value, int) else None


@dataclasses.dataclass
class _BatchContext:
    """What the checks and mails of one batch need, read in at most three queries."""

    today: dt.date
    rounds: dict[int, Round]
    # (round_id, person_id) -> [(school_id, school name)] where the person answers today, by name
    schools: dict[tuple[int, int], list[tuple[int, str]]]
    submitted: set[tuple[int, int, int]]  # (round_id, school_id, person_id)

    @classmethod
    def load(cls, batch: Sequence[Notification], now: dt.datetime) -> _BatchContext:
        today = timezone.localdate(now, _zone())
        rows = [row for row in batch if row.kind in KEY_FORMATS]
        round_ids = {r for row in rows if (r := _round_of(row)) is not None}
        rounds = Round.objects.in_bulk(round_ids) if round_ids else {}
        people = {row.recipient_id for row in rows}
        schools: dict[tuple[int, int], list[tuple[int, str]]] = defaultdict(list)
        if rounds:
            seats = _answering_seats(today, rounds).filter(person_id__in=people)
            for round_id, person_id, school_id, name in seats.order_by("school__name", "school_id"):
                schools[(round_id, person_id)].append((school_id, name))
        reminded = {
            r for row in rows if row.kind == REMINDER and (r := _round_of(row)) is not None and r in rounds
        }
        submitted = _submitted(reminded, people) if reminded else set()
        return cls(today=today, rounds=rounds, schools=schools, submitted=submitted)

    def open_schools(self, notification: Notification) -> list[tuple[int, str]]:
        """The schools of the row's round the person still answers for today; for a reminder, those not
        yet submitted."""
        round_id, person_id = _round_of(notification), notification.recipient_id
        if round_id is None:
            return []
        schools = self.schools.get((round_id, person_id), [])
        if notification.kind == REMINDER:
            schools = [s for s in schools if (round_id, s[0], person_id) not in self.submitted]
        return schools


def why_not_send(notification: Notification, context: _BatchContext, now: dt.datetime) -> str:
    """Why this mail must not go out any more ("" when it may), checked for the day it goes out."""
    if not notification.recipient.is_active:
        return "The person is deactivated."
    round_ = context.rounds.get(_round_of(notification) or 0)
    if round_ is None:
        return "The round no longer exists."
    if context.today > round_.closes_on:
        return "The round has closed."
    if context.today < round_.opens_on:
        return "The round is not open yet."
    if not context.schools.get((round_.pk, notification.recipient_id)):
        return "No longer answers for any school of the round."
    if not context.open_schools(notification):
        return "Every school of the round has been submitted."
    return ""


@functools.lru_cache(maxsize=4)
def _answering_url(site_url: str) -> str:
    """The link to the answering page (reversed once, not per mail)."""
    return site_url + reverse("evaluations:mine")


def render(notification: Notification, context: _BatchContext) -> Mail:
    """The mail of one row (it passed why_not_send): the schools that still apply, the closing date, the
    link to the answering page. The school names are fills (kpa.emails.fill_mark), so everyone of a round
    with as many schools to answer shares one rendering of the mail."""
    round_ = context.rounds[_round_of(notification) or 0]
    schools = context.open_schools(notification)
    marks = [fill_mark(f"school{i}") for i in range(len(schools))]
    mail_context = {
        "schools": marks,
        "count": len(schools),
        "school_year": f"{round_.school_year}–{round_.school_year + 1}",
        "closes_on": round_.closes_on,
        "url": _answering_url(settings.SITE_URL),
    }
    if notification.kind == REMINDER:
        mail_context["days"] = (round_.closes_on - context.today).days
    merge_key = (notification.kind, round_.pk, mail_context.get("days"), len(schools))
    fills = {mark: name for mark, (_pk, name) in zip(marks, schools, strict=True)}
    return Mail(notification.kind, mail_context, merge_key=merge_key, fills=fills)


def register_kinds() -> None:
    """Called from EvaluationsConfig.ready(): the prompt and reminder kinds and their planner."""
    registry.register(
        *(
            Kind(
                name=name,
                key_format=key_format,
                load=_BatchContext.load,
                why_not_send=why_not_send,
                render=render,
            )
            for name, key_format in KEY_FORMATS.items()
        )
    )
    registry.register_planner(plan_evaluation_mails)
