"""Benchmark of one beat run of the reminder jobs (`make bench-reminders`).

Builds a throwaway database with 10,000 meetings and their teams (bulk inserts: schools, people,
assignments, invitees, overdue agreements), then times one beat run exactly as the worker does it
(kpa.outbox.sender.sweep: meetings' planner plan_due, then send_due) with the in-memory mail backend, so
SMTP is not what is measured. Prints the mails sent per second and the queries per batch (each batch: one
claim, the kinds' context, one mark), and checks that the latter is a fixed number whatever the batch's
size, never a lookup per recipient, and that every mail of the run went out.

The database is SQLite in var/bench/ unless DATABASE_URL names another server (PostgreSQL): then a
database named after it with the suffix _bench is created and dropped afterwards; the database in
DATABASE_URL itself is never touched.

    uv run python -m benchmarks.reminders [--meetings 10000] [--due-share 0.1]
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DIR = BASE_DIR / "var" / "bench"
AMS = ZoneInfo("Europe/Amsterdam")
# A Monday just after the weekly digest moment, in winter time: the beat run plans all three rules.
BENCH_NOW = dt.datetime(2027, 1, 11, 8, 30, tzinfo=AMS)
TEAM_ROLES = ("ib", "buurtteam", "jgz", "passend_onderwijs", "leerplicht")
MEETINGS_PER_SCHOOL = 5
SCHOOLS_PER_PARTNER = 5
# Per batch at most: its transaction (BEGIN, COMMIT: logged as queries on PostgreSQL), 1 claim, meetings'
# context (meetings, team today, invitees, overdue agreements, a series' invitees and meetings), 1 mark as
# sent, 1 mark as skipped, 1 failures: 12, whatever the batch's size.
PER_BATCH = 12
TARGET_PER_SECOND = 1_000  # mails per second into the in-memory backend, on PostgreSQL


def configure() -> str:
    """Settings for a benchmark run; returns a description of the database."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kpa.settings")
    os.environ["KPA_TESTING"] = "1"  # no secrets needed, test broker folders, local-memory cache
    os.environ["EMAIL_URL"] = "memorymail://"  # django.core.mail.backends.locmem
    import django
    from django.conf import settings

    django.setup()
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        BENCH_DIR.mkdir(parents=True, exist_ok=True)
        database["TEST"]["NAME"] = str(BENCH_DIR / "reminders.sqlite3")
    else:
        database["TEST"]["NAME"] = f"{database['NAME']}_bench"
    return f"{database['ENGINE'].rsplit('.', 1)[-1]} {database['TEST']['NAME']}"


def build(meetings: int, due_share: float, seed: int = 20270111) -> dict[str, int]:
    """Schools with a team of five (an IB-er of their own, four kernpartners who each serve several
    schools), five meetings per school. Of the meetings, `due_share` have a reminder due in this beat
    run (half a week ahead, half a day ahead), 2% passed two days ago without a log; the rest lie
    further ahead or are held and logged. Some agreements are overdue."""
    from django.contrib.auth.hashers import make_password

    from kpa.models import User, UserKind
    from meetings.models import Agreement, Invitee, Meeting, MeetingStatus
    from partners.models import Assignment
    from schools.models import Gemeente, School, Sector, Wijk

    rng = random.Random(seed)  # noqa: S311  (test data, not secrets)
    unusable = make_password(None)  # nobody logs in to the benchmark
    schools_count = max(1, meetings // MEETINGS_PER_SCHOOL)
    gemeente = Gemeente.objects.create(code="0344", name="Utrecht")
    wijk = Wijk.objects.create(gemeente=gemeente, name="Benchmark")
    School.objects.bulk_create(
        [
            School(
                brin=f"{i // 100:04d}",
                vestiging=f"{i % 100:02d}",
                name=f"Basisschool {i:05d}",
                sector=Sector.PO,
                gemeente=gemeente,
                wijk=wijk,
            )
            for i in range(schools_count)
        ],
        batch_size=1000,
    )
    schools = list(School.objects.order_by("pk").values_list("pk", flat=True))
    partner_roles = TEAM_ROLES[1:]
    partners_per_role = max(1, schools_count // SCHOOLS_PER_PARTNER)
    people = [
        User(email=f"ib{i:05d}@school.example", first_name=f"IB{i}", kind=UserKind.SCHOOL, password=unusable)
        for i in range(schools_count)
    ] + [
        User(
            email=f"{role}{i:05d}@partner.example",
            first_name=role,
            kind=UserKind.KERNPARTNER,
            password=unusable,
        )
        for role in partner_roles
        for i in range(partners_per_role)
    ]
    User.objects.bulk_create(people, batch_size=1000)
    ids = dict(User.objects.values_list("email", "pk"))
    since = (BENCH_NOW - dt.timedelta(days=400)).date()
    teams: dict[int, list[int]] = {}
    assignments = []
    for index, school_id in enumerate(schools):
        team = [ids[f"ib{index:05d}@school.example"]] + [
            ids[f"{role}{index % partners_per_role:05d}@partner.example"] for role in partner_roles
        ]
        teams[school_id] = team
        assignments += [
            Assignment(person_id=person, school_id=school_id, role=role, start_date=since)
            for person, role in zip(team, TEAM_ROLES, strict=True)
        ]
    Assignment.objects.bulk_create(assignments, batch_size=1000)

    due_each = int(meetings * due_share / 2)
    unlogged = int(meetings * 0.02)
    plan: list[tuple[dt.datetime, str]] = []
    for _ in range(due_each):  # week-before and day-before reminders came due in the last 50 minutes
        plan.append((BENCH_NOW + dt.timedelta(days=7, minutes=-rng.randint(1, 50)), "planned"))
        plan.append((BENCH_NOW + dt.timedelta(days=1, minutes=-rng.randint(1, 50)), "planned"))
    for _ in range(unlogged):  # held two days ago, no log yet: the IB-er gets a nudge
        plan.append((BENCH_NOW - dt.timedelta(days=2, minutes=rng.randint(1, 50)), "unlogged"))
    while len(plan) < meetings:  # nothing due: later this school year, or held and logged
        if rng.random() < 0.5:
            plan.append((BENCH_NOW + dt.timedelta(days=rng.uniform(8, 250)), "planned"))
        else:
            plan.append((BENCH_NOW - dt.timedelta(days=rng.uniform(10, 150)), "logged"))
    rng.shuffle(plan)
    Meeting.objects.bulk_create(
        [
            Meeting(
                school_id=schools[i % len(schools)],
                starts_at=starts_at,
                ends_at=starts_at + dt.timedelta(minutes=90),
                location="Teamkamer",
                status=MeetingStatus.HELD if state == "logged" else MeetingStatus.PLANNED,
                logged_at=starts_at + dt.timedelta(hours=3) if state == "logged" else None,
            )
            for i, (starts_at, state) in enumerate(plan)
        ],
        batch_size=1000,
    )
    meeting_rows = list(Meeting.objects.values_list("pk", "school_id", "starts_at"))
    Invitee.objects.bulk_create(
        [
            Invitee(meeting_id=pk, person_id=person, role=role)
            for pk, school_id, _starts_at in meeting_rows
            for person, role in zip(teams[school_id], TEAM_ROLES, strict=True)
        ],
        batch_size=2000,
    )
    held = [(pk, school_id, s) for pk, school_id, s in meeting_rows if s < BENCH_NOW - dt.timedelta(days=10)]
    agreements = []
    for pk, school_id, starts_at in rng.sample(held, min(len(held), meetings // 10)):
        agreements.append(
            Agreement(
                school_id=school_id,
                meeting_id=pk,
                description="Contact opnemen met leerplicht over het verzuim",
                owner_id=rng.choice(teams[school_id]),
                due_date=(starts_at + dt.timedelta(days=rng.randint(7, 21))).date(),
            )
        )
    Agreement.objects.bulk_create(agreements, batch_size=1000)
    return {
        "schools": len(schools),
        "people": len(people),
        "assignments": len(assignments),
        "meetings": len(meeting_rows),
        "invitees": len(meeting_rows) * len(TEAM_ROLES),
        "agreements": len(agreements),
    }


def beat_run() -> dict:
    """One beat run as the worker does it, timed, its queries captured, and counted per batch."""
    from django.core import mail
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kpa.outbox import sender
    from kpa.outbox.models import Notification
    from meetings import reminders

    mail.outbox = []
    connection.queries_log = collections.deque()  # unbounded: more than the 9,000 Django keeps
    batches: list[tuple[int, int, int]] = []  # (claimed, sent, queries) per batch
    real_send_batch = sender.send_batch

    def counted_send_batch(size, **kwargs):
        with CaptureQueriesContext(connection) as queries:
            claimed, sent = real_send_batch(size, **kwargs)
        batches.append((claimed, sent, len(queries)))
        return claimed, sent

    sender.send_batch = counted_send_batch
    try:
        with CaptureQueriesContext(connection) as plan_queries:
            started = time.perf_counter()
            planned = reminders.plan_due()
            planned_at = time.perf_counter()
        with CaptureQueriesContext(connection) as send_queries:
            sent = sender.send_due(10**9, seconds=50)  # what sweep() does after planning
            finished = time.perf_counter()
    finally:
        sender.send_batch = real_send_batch
    kinds = collections.Counter(
        Notification.objects.filter(sent_at__isnull=False).values_list("kind", flat=True)
    )
    return {
        "planned": planned,
        "sent": sent,
        "kinds": dict(kinds),
        "left": Notification.objects.due().count(),
        "outbox": len(mail.outbox),
        "plan_seconds": planned_at - started,
        "send_seconds": finished - planned_at,
        "plan_queries": len(plan_queries),
        "send_queries": len(send_queries),
        "batches": [batch for batch in batches if batch[0]],  # the last claim found nothing
        "send_db_seconds": sum(float(query["time"]) for query in send_queries.captured_queries),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meetings", type=int, default=10_000)
    parser.add_argument("--due-share", type=float, default=0.1, help="share of meetings with a reminder due")
    args = parser.parse_args(argv)

    database = configure()
    import time_machine
    from django.db import connection

    old_name = connection.settings_dict["NAME"]
    print(f"KPA reminder benchmark on {database}")
    started = time.perf_counter()
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    print(f"  database created and migrated in {time.perf_counter() - started:.1f} s")
    try:
        with time_machine.travel(BENCH_NOW - dt.timedelta(days=30), tick=True):
            started = time.perf_counter()
            built = build(args.meetings, args.due_share)
        print(
            "  built {meetings:,} meetings, {schools:,} schools, {people:,} people, {assignments:,} "
            "assignments, {invitees:,} invitees, {agreements:,} agreements".format(**built)
            + f" in {time.perf_counter() - started:.1f} s"
        )
        with time_machine.travel(BENCH_NOW, tick=True):
            run = beat_run()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=False)

    sent, batches = run["sent"], run["batches"]
    print(f"One beat run at {BENCH_NOW:%A %Y-%m-%d %H:%M} Amsterdam on {connection.vendor}:")
    print(f"  plan_due:  {run['planned']} in {run['plan_seconds']:.2f} s, {run['plan_queries']} queries")
    print(
        f"  send_due:  {sent:,} mails ({run['kinds']}) in {run['send_seconds']:.2f} s, "
        f"{run['send_queries']:,} queries; {run['left']:,} left for the next run"
    )
    per_second = sent / run["send_seconds"] if run["send_seconds"] else 0.0
    sizes = sorted({claimed for claimed, _sent, _queries in batches})
    per_batch = sorted({queries for _claimed, _sent, queries in batches})
    print(
        f"  of the sending time, {run['send_db_seconds']:.2f} s in the database; the rest is rendering "
        "the mails and building their MIME messages (Python)"
    )
    print(
        f"  mails sent per second: {per_second:,.0f} "
        f"(target {TARGET_PER_SECOND:,} on PostgreSQL: "
        f"{'met' if per_second >= TARGET_PER_SECOND else 'NOT met'})"
    )
    print(
        f"  queries per batch: {'-'.join(map(str, per_batch[:1] + per_batch[-1:]))} over "
        f"{len(batches)} batches of {'-'.join(map(str, sizes[:1] + sizes[-1:]))} mails "
        f"(budget {PER_BATCH} per batch, whatever its size)"
    )
    bounded = bool(batches) and max(per_batch) <= PER_BATCH
    complete = sent > 0 and run["outbox"] == sent
    print(f"  {'OK' if bounded and complete else 'FAIL'}")
    return 0 if bounded and complete else 1


if __name__ == "__main__":
    sys.exit(main())
