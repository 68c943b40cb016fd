"""`manage.py seed_scale --schools 10000`: a national-scale data set for load tests (see demo.scale)."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from demo import scale
from demo.scale.evaluations import build_evaluations
from partners.seat_summary import summaries_ensure
from schools.models import School


class Command(BaseCommand):
    help = (
        "Build a national-scale data set (schools, teams, five school years of meetings and of process "
        "evaluation rounds with their responses) with bulk inserts. The answers are bounded: the last two "
        "rounds of every gemeente are answered in full, older ones in full in Utrecht and one gemeente in "
        "five and elsewhere on eight core statements only (demo/scale/evaluations.py)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--schools", type=int, default=10_000, help="school locations (default 10,000)")
        parser.add_argument("--seed", type=int, default=2026, help="seed of the random choices")
        parser.add_argument(
            "--years",
            type=int,
            default=5,
            help="school years of meetings and evaluation rounds, ending with this one",
        )
        parser.add_argument(
            "--force", action="store_true", help="run although DEBUG is off (the load bench's databases)"
        )
        parser.add_argument(
            "--flush",
            action="store_true",
            help="first delete all schools, people, teams and meetings (and what points at them)",
        )

    def handle(self, *args, **options) -> None:
        schools, years = options["schools"], options["years"]
        if not (settings.DEBUG or settings.TESTING or options["force"]):
            raise CommandError(
                "seed_scale creates accounts with a published password (and --flush deletes everyone): "
                "it only runs with DEBUG=1, or with --force on a throwaway database."
            )
        if schools < 1 or not 1 <= years <= 20:
            raise CommandError("--schools must be at least 1 and --years between 1 and 20.")
        started = time.perf_counter()
        # One transaction: a run that fails half-way leaves nothing, so "there are schools" means "complete".
        with transaction.atomic():
            if School.objects.exists():
                if not options["flush"]:
                    raise CommandError(
                        "This database already holds schools; seed_scale builds into an empty one. "
                        "Add --flush to delete all schools, people, teams and meetings first."
                    )
                scale.clear()
            report = scale.build(schools=schools, seed=options["seed"], years=years)
            build_evaluations(report, seed=options["seed"], years=years)
            # The seats went in by bulk inserts, past the writes that keep the roster's seat summaries: count
            # them all now, as the nightly job would (partners.seat_summary).
            summaries_ensure(School.objects.all())
        if connection.vendor == "postgresql":
            # Fresh planner statistics (or the first queries plan for empty tables), and the visibility map
            # that autovacuum keeps in a database in use: without it a count over an index reads every row
            # it counts from the table (the admin's national meetings list: 70 ms instead of 10).
            # VACUUM cannot run inside a transaction: inside one (a test's), the statistics only.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        seconds = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(f"Built a data set of {schools:,} schools in {seconds:.1f} s:"))
        for name, count in sorted(report.counts.items()):
            self.stdout.write(f"  {name:<24} {count:>10,}")
        self.stdout.write(
            f"Bench accounts (password for all: {scale.BENCH_PASSWORD}; coordinators and admins"
        )
        self.stdout.write(f"have an authenticator app with TOTP secret {scale.BENCH_TOTP_SECRET}):")
        for label, email in report.accounts:
            self.stdout.write(f"  {label:<34} {email}")
