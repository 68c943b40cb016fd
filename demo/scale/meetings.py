"""The meetings of the scale data set (demo.scale): the bulk of its rows."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from demo.scale.texts import AGREEMENTS, ANSWERS, LOCATIONS, MINUTES, QUESTIONS, THEMES
from meetings.services import DEFAULT_AGENDA
from schools.years import school_year_start

if TYPE_CHECKING:
    from demo.scale.builder import Builder

AMS = ZoneInfo("Europe/Amsterdam")
TEAM_ROLES = ("ib", "buurtteam", "jgz", "passend_onderwijs", "leerplicht")
# Six KPOs a school year: days after 1 August (mid-September to mid-June), and a process evaluation.
KPO_DAYS = (48, 97, 167, 216, 265, 314)
EVALUATION_DAY = 290
EVALUATION_SHARE = 0.7
# Start times of a meeting of 90 minutes within school hours (08:30-16:00, Amsterdam).
MEETING_HOURS = ((8, 30), (9, 0), (10, 0), (13, 0), (13, 30), (14, 0), (14, 30))


def _weekday(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=max(0, 7 - day.weekday()) if day.weekday() >= 5 else 0)


def build_meetings(b: Builder, schools: list[dict], action_lines: dict[tuple[int, str], list[int]]) -> None:
    """Five school years of meetings per school with their invitees (the team on the day), and for the
    held ones attendance, casework counts, collective questions (with a theme) and agreements; a question
    or agreement may serve a line of the programme of its school's gemeente and sector (`action_lines`)."""
    rng, now, today = b.rng, b.now, b.today
    current_year = school_year_start(today)
    meetings, invitees, counts, questions, agreements, agenda = [], [], [], [], [], []
    for s in schools:
        lines = action_lines.get((s["gemeente"], s["sector"]), [])
        for year in range(b.first_year, b.first_year + b.years):
            start = dt.date(year, 8, 1)
            plan = [(d, "kpo") for d in KPO_DAYS]
            if rng.random() < EVALUATION_SHARE:
                plan.append((EVALUATION_DAY, "procesevaluatie"))
            for offset, kind in plan:
                day = _weekday(start + dt.timedelta(days=offset + rng.randint(-7, 7)))
                hour, minute = rng.choice(MEETING_HOURS)
                starts = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=AMS)
                pk = b._id("meetings.Meeting")
                team = [(b.holder(s["id"], role, day), role) for role in TEAM_ROLES]
                team = [(person, role) for person, role in team if person is not None]
                status, logged_at, minutes = "planned", None, ""
                if starts <= now:
                    roll = rng.random()
                    recent = starts > now - dt.timedelta(days=21)
                    if roll < 0.04:
                        status = "cancelled"
                    elif roll < (0.5 if recent else 0.07):
                        status = "planned"  # held, but the IB-er has not logged it yet
                    else:
                        status, minutes = "held", rng.choice(MINUTES)
                        logged_at = min(now, starts + dt.timedelta(hours=rng.randint(3, 96)))
                created = starts - dt.timedelta(days=rng.randint(20, 60))
                meetings.append(
                    (
                        pk,
                        s["id"],
                        kind,
                        starts,
                        starts + dt.timedelta(minutes=90),
                        rng.choice(LOCATIONS),
                        "",
                        status,
                        uuid.UUID(int=rng.getrandbits(128), version=4),
                        0,
                        minutes,
                        logged_at,
                        team[0][0] if team and team[0][1] == "ib" else None,
                        created,
                        logged_at or created,
                        created,
                    )
                )
                held = status == "held"
                for person, role in team:
                    state, replaced = "unknown", ""
                    if held:
                        roll = rng.random()
                        state = "present" if roll < 0.85 else "absent" if roll < 0.95 else "replaced"
                        replaced = "Een collega van dezelfde organisatie" if state == "replaced" else ""
                    invitees.append((pk, person, role, state, replaced))
                if start >= current_year:
                    agenda += [(pk, position, title, "") for position, title in enumerate(DEFAULT_AGENDA, 1)]
                if not held:
                    continue
                for theme in rng.sample(THEMES, rng.randint(2, 5)):
                    counts.append((pk, theme, rng.randint(1, 8)))
                if rng.random() < 0.35:
                    answered = starts < now - dt.timedelta(days=90) and rng.random() < 0.8
                    questions.append(
                        (
                            s["id"],
                            pk,
                            rng.choice(QUESTIONS),
                            rng.choice(ANSWERS) if answered else "",
                            starts + dt.timedelta(days=rng.randint(30, 80)) if answered else None,
                            rng.choice(THEMES),
                            rng.choice(lines) if lines and rng.random() < 0.5 else None,
                        )
                    )
                for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
                    due = day + dt.timedelta(days=rng.randint(14, 56))
                    done = rng.random() < (
                        0.96 if due < today - dt.timedelta(days=14) else 0.5 if due < today else 0.1
                    )
                    done_at = min(now, starts + dt.timedelta(days=rng.randint(7, 50))) if done else None
                    agreements.append(
                        (
                            s["id"],
                            pk,
                            rng.choice(AGREEMENTS),
                            rng.choice(team)[0],
                            due,
                            rng.choice(lines) if lines and rng.random() < 0.4 else None,
                            "done" if done else "open",
                            done_at,
                            "Afgerond in het team" if done else "",
                            starts + dt.timedelta(hours=2),
                        )
                    )
    b.writer.insert(
        "meetings.Meeting",
        [
            "id",
            "school",
            "kind",
            "starts_at",
            "ends_at",
            "location",
            "online_url",
            "status",
            "uid",
            "sequence",
            "minutes",
            "logged_at",
            "created_by",
            "created_at",
            "updated_at",
            "rescheduled_at",
        ],
        meetings,
    )
    b.writer.insert("meetings.Invitee", ["meeting", "person", "role", "attendance", "replaced_by"], invitees)
    b.writer.insert("meetings.CaseworkCount", ["meeting", "theme", "count"], counts)
    b.writer.insert(
        "meetings.CollectiveQuestion",
        ["school", "meeting", "text", "answer", "answered_at", "theme", "action_line"],
        questions,
    )
    b.writer.insert(
        "meetings.Agreement",
        [
            "school",
            "meeting",
            "description",
            "owner",
            "due_date",
            "action_line",
            "status",
            "done_at",
            "done_note",
            "created_at",
        ],
        agreements,
    )
    b.writer.insert("meetings.AgendaItem", ["meeting", "position", "title", "notes"], agenda)
