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
never plans a key twice. Right before sending each row is checked again for the day it goes out: the
round still open, the person still holding an answering seat at a school of the round (a school they
left drops out of the mail; none left, no mail), and for a reminder a school still unsubmitted. What the
checks and mails of a batch need is read in at most three queries, whatever the batch's size. People
with the same schools get the same mail but for their name, rendered once per batch (Mail.merge_key).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from evaluations.models import Response, Round
from evaluations.selectors import RESPONDENT_ROLES
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


def _answering_seats(day: dt.date, round_ids: Iterable[int]) -> Iterable[tuple[int, int, int, str]]:
    """(round_id, person_id, school_id, school name) of every answering seat on `day` at a school of the
    rounds: the rule of evaluations.selectors.respondent_seats, for many rounds in one query."""
    return (
        Assignment.objects.active(day)
        .filter(
            school__evaluation_rounds__in=list(round_ids),
            role__in=RESPONDENT_ROLES,
            is_stand_in=False,
            person__is_active=True,
        )
        .values_list("school__evaluation_rounds", "person_id", "school_id", "school__name")
        .order_by()  # no default ordering: its columns would join the DISTINCT
        .distinct()
    )


def _submitted(round_ids: Iterable[int], people: Iterable[int] | None = None) -> set[tuple[int, int, int]]:
    """(round_id, school_id, person_id) of the submitted responses of the rounds."""
    responses = Response.objects.filter(round_id__in=list(round_ids), submitted_at__isnull=False)
    if people is not None:
        responses = responses.filter(respondent_id__in=list(people))
    return set(responses.values_list("round_id", "school_id", "respondent_id"))


def plan_evaluation_mails(now: dt.datetime | None = None) -> dict[str, int]:  # the outbox's planner
    """The prompt of each respondent of a round open today, and from a week before closing the reminder of
    each who has a school left to submit. Running it twice (or in two processes) plans nothing more."""
    now = now or timezone.now()
    today = timezone.localdate(now, _zone())
    rounds = dict(
        Round.objects.filter(opens_on__lte=today, closes_on__gte=today).values_list("pk", "closes_on")
    )
    if not rounds:
        return {"evaluation_prompts": 0, "evaluation_reminders": 0}
    schools_of: dict[tuple[int, int], set[int]] = defaultdict(set)  # (round, person) -> schools
    for round_id, person_id, school_id, _name in _answering_seats(today, rounds):
        schools_of[(round_id, person_id)].add(school_id)
    prefixes = Q()
    for round_id in rounds:
        for kind in KEY_FORMATS:
            prefixes |= Q(key__startswith=f"{kind}:{round_id}:")
    planned = dict(
        Notification.objects.filter(kind__in=list(KEY_FORMATS)).filter(prefixes).values_list("key", "due_at")
    )
    reminding = {
        pk: moment for pk, closes_on in rounds.items() if (moment := reminder_moment(closes_on)) <= now
    }
    submitted = _submitted(reminding) if reminding else set()
    # Prompts go out from REMINDER_TIME (08:00) on the day, not at the first sweep after midnight.
    prompt_due = max(now, timezone.make_aware(dt.datetime.combine(today, REMINDER_TIME), _zone()))

    prompts, reminders = [], []
    # Sorted by round, schools and person: the people of one school follow each other in the outbox, so a
    # batch renders their (identical) mail once.
    for (round_id, person_id), schools in sorted(
        schools_of.items(), key=lambda item: (item[0][0], sorted(item[1]), item[0][1])
    ):
        prompt_key = mail_key(PROMPT, round_id, person_id)
        if prompt_key not in planned:
            prompts.append(_row(PROMPT, prompt_key, round_id, person_id, prompt_due))
            continue  # just prompted: no reminder on top (see the module's docstring)
        moment = reminding.get(round_id)
        if moment is None or planned[prompt_key] >= moment:
            continue
        reminder_key = mail_key(REMINDER, round_id, person_id)
        if reminder_key in planned:
            continue
        if all((round_id, school_id, person_id) in submitted for school_id in schools):
            continue
        reminders.append(_row(REMINDER, reminder_key, round_id, person_id, moment))
    if prompts or reminders:
        Notification.objects.bulk_create([*prompts, *reminders], ignore_conflicts=True, batch_size=BULK_BATCH)
    return {"evaluation_prompts": len(prompts), "evaluation_reminders": len(reminders)}


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
        reminded = {r for row in rows if row.kind == REMINDER and (r := _round_of(row)) in rounds}
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


def render(notification: Notification, context: _BatchContext) -> Mail:
    """The mail of one row (it passed why_not_send): the schools that still apply, the closing date, the
    link to the answering page."""
    round_ = context.rounds[_round_of(notification) or 0]
    schools = context.open_schools(notification)
    mail_context = {
        "schools": [name for _pk, name in schools],
        "count": len(schools),
        "school_year": f"{round_.school_year}–{round_.school_year + 1}",
        "closes_on": round_.closes_on,
        "url": settings.SITE_URL + reverse("evaluations:mine"),
    }
    if notification.kind == REMINDER:
        mail_context["days"] = (round_.closes_on - context.today).days
    merge_key = (notification.kind, round_.pk, mail_context.get("days"), tuple(pk for pk, _name in schools))
    return Mail(notification.kind, mail_context, merge_key=merge_key)


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
