"""Benchmark of the yearly evaluation prompts at national scale (`make bench-prompts`, issue 13).

Seeds a throwaway database with `manage.py seed_scale` (10,000 schools: their teams, five school years of
meetings and four of evaluation rounds) on the eve of the evaluation moment, then, on the morning of the
moment, runs the outbox sweep's evaluation planners as the beat does (evaluations.services.open_due_rounds
opens every gemeente's round of the new school year, evaluations.notifications.plan_evaluation_mails plans
one prompt per respondent and round) and sends what they planned through the batched outbox
(kpa.outbox.sender.send_due) with the in-memory mail backend, so SMTP is not what is measured. The
meetings' planners are left out, so that every mail counted is a prompt. Prints the prompts, the planning
time, a second planning run (the next beat minute, with nothing new to plan: what every minute of the
round costs), the sending time, mails per second, and the queries per batch; checks that every prompt went
out, each to a respondent of a school of its round, and that a batch costs a fixed number of queries.

The database is SQLite in var/bench/ unless DATABASE_URL names another server (PostgreSQL): then a
database named after it with the suffix _prompts_bench is created and dropped afterwards; the database in
DATABASE_URL itself is never touched.

    uv run python -m benchmarks.evaluation_prompts [--schools 10000]
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import io
import os
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DIR = BASE_DIR / "var" / "bench"
AMS = ZoneInfo("Europe/Amsterdam")
# The default evaluation moment (settings.KPA_EVALUATION_MOMENT, 1 October) of school year 2026-2027: the
# data set is built the day before, the sweep runs after 08:00, when prompts go out.
SEED_AT = dt.datetime(2026, 9, 30, 12, 0, tzinfo=AMS)
BENCH_NOW = dt.datetime(2026, 10, 1, 8, 30, tzinfo=AMS)
# Per batch at most: its transaction (BEGIN, COMMIT: logged as queries on PostgreSQL), 1 claim, the
# evaluation kinds' context (rounds, seats; submitted responses only for reminders), 1 mark as sent, 1 as
# skipped, 1 failures: 8, whatever the batch's size.
PER_BATCH = 8
TARGET_PER_SECOND = 1_000  # prompts per second into the in-memory backend


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
        database["TEST"]["NAME"] = str(BENCH_DIR / "prompts.sqlite3")
    else:
        database["TEST"]["NAME"] = f"{database['NAME']}_prompts_bench"
    return f"{database['ENGINE'].rsplit('.', 1)[-1]} {database['TEST']['NAME']}"


def seed(schools: int) -> str:
    """seed_scale into the empty database; returns its first line (the size and time)."""
    from django.core.management import call_command

    out = io.StringIO()
    call_command("seed_scale", schools=schools, stdout=out)
    return out.getvalue().splitlines()[0]


def plan(now: dt.datetime) -> tuple[dict[str, int], float, int]:
    """The evaluation planners of the sweep, in the order they are registered; (counts, seconds, queries)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from evaluations.notifications import plan_evaluation_mails
    from evaluations.services import open_due_rounds

    connection.queries_log = collections.deque()  # unbounded: more than the 9,000 Django keeps
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        counts = open_due_rounds(now) | plan_evaluation_mails(now)
        seconds = time.perf_counter() - started
    return counts, seconds, len(queries)


def send() -> dict:
    """Send everything due as the sweeps do, timed, with the queries of each batch counted."""
    from django.core import mail
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kpa.outbox import sender

    mail.outbox = []
    batches: list[tuple[int, int, int]] = []  # (claimed, sent, queries) per batch
    real_send_batch = sender.send_batch

    def counted_send_batch(size, **kwargs):
        with CaptureQueriesContext(connection) as queries:
            claimed, sent = real_send_batch(size, **kwargs)
        batches.append((claimed, sent, len(queries)))
        return claimed, sent

    sender.send_batch = counted_send_batch
    connection.queries_log = collections.deque()  # unbounded: more than the 9,000 Django keeps
    try:
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            sent = sender.send_due(10**9)  # every sweep's sending, back to back
            seconds = time.perf_counter() - started
    finally:
        sender.send_batch = real_send_batch
    return {
        "sent": sent,
        "seconds": seconds,
        "db_seconds": sum(float(query["time"]) for query in queries.captured_queries),
        "batches": [batch for batch in batches if batch[0]],  # the last claim found nothing
        "outbox": list(mail.outbox),
    }


def check(sent_mails: list) -> list[str]:
    """What must hold after the run; returns what does not."""
    from evaluations.models import Round
    from evaluations.notifications import PROMPT, _answering_seats
    from kpa.outbox.models import Notification

    problems = []
    today = BENCH_NOW.date()
    rows = Notification.objects.filter(kind=PROMPT)
    if rows.filter(sent_at=None).exists():
        problems.append(f"{rows.filter(sent_at=None).count():,} prompts not sent")
    if Notification.objects.exclude(kind=PROMPT).exists():
        problems.append("rows of other kinds in the outbox")
    rounds = list(Round.objects.filter(opens_on=today).values_list("pk", flat=True))
    expected = {(round_id, person) for round_id, person, _school, _name in _answering_seats(today, rounds)}
    planned = {(row.payload["round"], row.recipient_id) for row in rows}
    if planned != expected:
        problems.append(f"{len(planned ^ expected):,} prompts differ from the respondents of the rounds")
    if len(sent_mails) != len(planned):
        problems.append(f"{len(sent_mails):,} mails in the outbox for {len(planned):,} prompts")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=10_000)
    args = parser.parse_args(argv)

    database = configure()
    import time_machine
    from django.db import connection

    old_name = connection.settings_dict["NAME"]
    print(f"KPA evaluation prompt benchmark on {database}")
    started = time.perf_counter()
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    print(f"  database created and migrated in {time.perf_counter() - started:.1f} s")
    try:
        with time_machine.travel(SEED_AT, tick=True):
            started = time.perf_counter()
            print(f"  {seed(args.schools)} (seed_scale; {time.perf_counter() - started:.1f} s in all)")
        with time_machine.travel(BENCH_NOW, tick=True):
            planned, plan_seconds, plan_queries = plan(BENCH_NOW)
            again, again_seconds, again_queries = plan(BENCH_NOW + dt.timedelta(minutes=1))
            run = send()
            problems = check(run["outbox"])
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=False)

    sent, batches = run["sent"], run["batches"]
    print(f"The evaluation moment, {BENCH_NOW:%A %Y-%m-%d %H:%M} Amsterdam, on {connection.vendor}:")
    print(
        f"  planning:  {planned['evaluation_rounds']:,} rounds opened, {planned['evaluation_prompts']:,} "
        f"prompts planned in {plan_seconds:.2f} s, {plan_queries:,} queries"
    )
    print(
        f"  the next minute's planning: {again['evaluation_rounds'] + again['evaluation_prompts']} new, "
        f"{again_seconds:.2f} s, {again_queries} queries"
    )
    per_second = sent / run["seconds"] if run["seconds"] else 0.0
    print(
        f"  sending:   {sent:,} prompt mails in {run['seconds']:.2f} s "
        f"({run['db_seconds']:.2f} s of it in the database)"
    )
    print(
        f"  mails sent per second: {per_second:,.0f} (target {TARGET_PER_SECOND:,}: "
        f"{'met' if per_second >= TARGET_PER_SECOND else 'NOT met'})"
    )
    sizes = sorted({claimed for claimed, _sent, _queries in batches})
    per_batch = sorted({queries for _claimed, _sent, queries in batches})
    print(
        f"  queries per batch: {'-'.join(map(str, per_batch[:1] + per_batch[-1:]))} over {len(batches)} "
        f"batches of {'-'.join(map(str, sizes[:1] + sizes[-1:]))} mails (budget {PER_BATCH} per batch)"
    )
    bounded = bool(batches) and max(per_batch) <= PER_BATCH
    for problem in problems:
        print(f"  FAIL: {problem}")
    ok = bounded and not problems and sent > 0
    print(f"  {'OK' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
