"""The admin's national roster export (issue 15): time to first byte, total time, peak memory; CSV and XLSX.

Measured in this process with Django's test Client, signed in as the database's first active admin, on
a database already seeded (`make bench` leaves kpa_bench_100 and kpa_bench_10000; `seed_scale` makes
one). Each export is asked for twice: once timed (time to the first chunk of the response, and to its
last), once under tracemalloc for the peak of Python memory while the view runs and the response is
read to its end (tracemalloc slows Python down, so its run is not the timed one). The access log entry
each export writes is rolled back: the database is left as it was.

    DATABASE_URL=postgres://127.0.0.1/kpa_bench_10000 uv run python -m benchmarks.export
    DATABASE_URL=postgres://127.0.0.1 uv run python -m benchmarks.export --scales 100,10000

With --scales, each kpa_bench_<schools> of the server in DATABASE_URL is measured in a process of its own.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
FORMATS = ("csv", "xlsx")


@dataclass
class Measurement:
    fmt: str
    rows: int
    size: int  # bytes of the file
    first_byte_ms: float
    total_ms: float
    peak_bytes: int | None  # tracemalloc's peak; None when not traced


def configure() -> None:
    """Settings for an in-process run on the database in DATABASE_URL: no secrets needed (KPA_TESTING),
    and the test Client's host allowed."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kpa.settings")
    os.environ.setdefault("KPA_TESTING", "1")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def _read(response) -> tuple[float, int]:
    """Reads the response to its end: (seconds until its first chunk, bytes)."""
    started = time.perf_counter()
    chunks = iter(response.streaming_content if response.streaming else [response.content])
    first = next(chunks, b"")
    first_at = time.perf_counter() - started
    size = len(first) + sum(len(chunk) for chunk in chunks)  # at its end the test Client closes it
    return first_at, size


def measure(user, fmt: str, *, trace_memory: bool = False, query: str = "") -> Measurement:
    """One export of the roster of everything `user` sees, in `fmt`; the access log entry is rolled back."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections, transaction
    from django.test import Client
    from django.urls import reverse

    from kpa.models import AccessLog

    # As in Django's test runner: a request's end must not close the connection, whose transaction holds
    # the access log entry until it is rolled back.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    client = Client()
    client.force_login(user)
    url = reverse(f"schools:export-{fmt}") + (f"?{query}" if query else "")
    with transaction.atomic():
        if trace_memory:
            tracemalloc.start()
        started = time.perf_counter()
        response = client.get(url)
        answered = time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        first, size = _read(response)
        total = time.perf_counter() - started
        peak = None
        if trace_memory:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        rows = AccessLog.objects.filter(actor=user).latest("pk").detail["rows"]
        transaction.set_rollback(True)
    return Measurement(fmt, rows, size, (answered + first) * 1000, total * 1000, peak)


def run(user, formats=FORMATS) -> list[Measurement]:
    """Per format: the timed run, with the peak of the traced run beside it (after one warm-up export,
    so that imports and first connections are not what is measured)."""
    results = []
    for fmt in formats:
        measure(user, fmt)  # warm-up
        timed = measure(user, fmt)
        traced = measure(user, fmt, trace_memory=True)
        timed.peak_bytes = traced.peak_bytes
        results.append(timed)
    return results


def report(schools: int, results: list[Measurement]) -> None:
    print(f"\n{schools:,} schools   rows      size   first byte      total   peak memory (tracemalloc)")
    for m in results:
        peak = f"{m.peak_bytes / 2**20:8.1f} MiB" if m.peak_bytes is not None else "       -"
        print(
            f"  {m.fmt:<5} {m.rows:>10,} {m.size / 2**10:6,.0f} KiB {m.first_byte_ms:8.0f} ms "
            f"{m.total_ms:8.0f} ms   {peak}"
        )


def _one_database() -> int:
    configure()
    from django.db import connection

    from kpa.models import User, UserKind
    from schools.models import School

    admin = User.objects.filter(kind=UserKind.ADMIN, is_active=True).order_by("pk").first()
    if admin is None:
        raise SystemExit(f"No active admin in {connection.settings_dict['NAME']}: seed it with seed_scale.")
    report(School.objects.count(), run(admin))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scales",
        help="comma-separated numbers of schools: measure kpa_bench_<n> of the server in DATABASE_URL each",
    )
    args = parser.parse_args(argv)
    if not args.scales:
        return _one_database()
    from benchmarks.load import _server_url

    server = _server_url()
    status = 0
    for schools in sorted({int(n) for n in args.scales.split(",")}):
        env = {**os.environ, "DATABASE_URL": f"{server}/kpa_bench_{schools}"}
        result = subprocess.run(
            [sys.executable, "-m", "benchmarks.export"], env=env, cwd=BASE_DIR, timeout=1800, check=False
        )
        status = status or result.returncode
    return status


if __name__ == "__main__":
    sys.exit(main())
