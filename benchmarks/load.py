"""The load bench (`make bench`): KPA under gunicorn on PostgreSQL and Redis, driven by locust.

For each scale (100 and 10,000 schools by default) it makes sure a seeded database kpa_bench_<schools>
exists (created, migrated and filled by `seed_scale` the first time; reused afterwards unless --reseed),
writes signed-in sessions for the simulated people (benchmarks.sessions), starts gunicorn on a free port
of 127.0.0.1 with benchmarks.settings and a Celery worker, each scale with Redis databases of its own, and
warms it up. With every scale's server up, locust (benchmarks.locustfile) loads them in turns, half the
time each, there and back (100, 10,000, 10,000, 100): a steady drift of the machine weighs on both alike.
Before each round it waits until no Celery worker has work left (a recount one round asked for).
Then it stops the servers and prints per page, from the raw samples of both halves: requests per second,
p50/p95/p99 latency and errors, next to the floor (a trivial view served by the same stack in the same
rounds) and the ratio.
Then it checks the targets of issue 6 and prints a PASS or MISS line for each:

- no errors;
- every page's p95 within 4x the floor's p95 and under 250 ms;
- the coordinator roster's p95, and the admin's national roster's, at the largest scale within 1.5x its
  p95 at the smallest (issue 15 made the admin's pages targets: roster, meetings, wijken, people).

Only 127.0.0.1 is used. Every wait is bounded; gunicorn and locust are stopped by the ids this process
started. The exit status is 0 when every target passes.

    uv run python -m benchmarks.load [--scales 100,10000] [--duration 150] [--threads 4] [--reseed]
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import csv
import hashlib
import math
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from benchmarks.pages import FLOOR_PROBES, ONLY_ADMIN_ENV, SAMPLES_ENV, last_school_year
from kpa import gc_freeze

BASE_DIR = Path(__file__).resolve().parent.parent
OUT_DIR = BASE_DIR / "var" / "bench"
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
P95_LIMIT_MS = 250.0
FLOOR_FACTOR = 4.0
SCALE_FACTOR = 1.5
PEOPLE = 9  # simulated people at once, besides the floor's (9 keep 2 cores below saturation)


@dataclass
class PageStats:
    name: str
    requests: int
    failures: int
    rps: float
    p50: float
    p95: float
    p99: float


def _server_url() -> str:
    """The PostgreSQL server (without a database name) from DATABASE_URL, or the local default."""
    url = os.environ.get("DATABASE_URL", PG_SERVER)
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit(f"The load bench needs PostgreSQL; DATABASE_URL is {url!r}.")
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{rest.split('/', 1)[0]}"


def _run(cmd: list[str], env: dict[str, str], timeout: float, quiet: bool = False) -> str:
    result = subprocess.run(cmd, env=env, cwd=BASE_DIR, capture_output=True, text=True, timeout=timeout)  # noqa: S603
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"{' '.join(cmd[:4])} failed with status {result.returncode}")
    if not quiet:
        sys.stdout.write("".join(f"    {line}\n" for line in result.stdout.splitlines()))
    return result.stdout


def _admin_sql(server: str, sql: str) -> list[tuple]:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True, connect_timeout=5) as conn:
        cursor = conn.execute(sql)  # type: ignore[arg-type]  (names below are generated, not user input)
        return cursor.fetchall() if cursor.description else []


def _schools_in(url: str) -> int:
    """How many schools a bench database holds (0 when it is not migrated yet)."""
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=5) as conn:
            return conn.execute("SELECT count(*) FROM schools_school").fetchone()[0]  # type: ignore[index]
    except psycopg.errors.UndefinedTable:
        return 0


def prepare_database(schools: int, env: dict[str, str], reseed: bool) -> tuple[str, float | None]:
    """A migrated and seeded database kpa_bench_<schools>; returns its URL and the seeding time (None when
    an existing one was reused)."""
    server = _server_url()
    name = f"kpa_bench_{schools}"
    url = f"{server}/{name}"
    exists = bool(_admin_sql(server, f"SELECT 1 FROM pg_database WHERE datname = '{name}'"))  # noqa: S608
    if exists and reseed:
        _admin_sql(server, f'DROP DATABASE "{name}" WITH (FORCE)')
        exists = False
    if not exists:
        _admin_sql(server, f'CREATE DATABASE "{name}"')
    env = {**env, "DATABASE_URL": url}
    manage = [sys.executable, "manage.py"]
    _run([*manage, "migrate", "--no-input", "--verbosity", "0"], env, timeout=600)
    held = _schools_in(url)
    if held == schools:
        print(f"  reusing {name} ({held:,} schools; --reseed builds it anew)")
        return url, None
    started = time.perf_counter()
    print(f"  seeding {name} with {schools:,} schools ...")
    _run([*manage, "seed_scale", "--schools", str(schools), "--flush", "--force"], env, timeout=1800)
    return url, time.perf_counter() - started


def _redis_number(url: str) -> tuple[str, int]:
    """A Redis URL's server and database number."""
    base, _, db = url.rpartition("/")
    if not db.isdigit():
        raise SystemExit(
            f"REDIS_URL must name a database number, e.g. redis://127.0.0.1:6379/14 (got {url!r})."
        )
    return base, int(db)


def _redis_dbs(url: str) -> list[str]:
    """The broker's Redis database and the cache's: the next one, as kpa.settings derives it (not imported
    here: this process has no Django settings of its own)."""
    base, number = _redis_number(url)
    return [url, f"{base}/{number + 1}"]


def _redis_dbs_empty(url: str) -> bool:
    import redis

    return all(redis.Redis.from_url(db, socket_timeout=5).dbsize() == 0 for db in _redis_dbs(url))


def _redis_flush(url: str) -> None:
    """Empty the broker's and the cache's database (after the run, and only when they were empty before
    it)."""
    import redis

    for db in _redis_dbs(url):
        redis.Redis.from_url(db, socket_timeout=5).flushdb()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310  (http://127.0.0.1 only)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer {url} within {seconds:.0f} s")


def _warm_up(base: str, sessions_file: Path, rounds: int, workers: int, freeze_after: int = 0) -> None:
    """Every page a few times per worker before measuring: imports, template compilation and database
    connections happen once per process, and are not what the bench measures. As many requests at once
    as there are workers: one at a time, the same idle worker may take them all, and the others would
    pay their first requests inside the measured minute. Then the floor, 2 x `freeze_after` times per
    worker: a worker collects its garbage once and freezes it at its `freeze_after`-th request
    (kpa.gc_freeze; 80 ms at 10,000 schools), and until then makes full collections of everything it
    holds, both once per process, as template compilation is. gunicorn does not share requests out
    evenly, so twice the count makes it very likely, not certain, that every worker froze before the
    measured minutes."""
    import json
    from concurrent.futures import ThreadPoolExecutor

    sessions = json.loads(sessions_file.read_text())
    floor = ("/bench/floor/", sessions["floor"][0]["session"])
    urls = [floor, ("/", sessions["partner"][0]["session"])]
    urls.append(("/meetings/agreements/", sessions["partner"][0]["session"]))
    urls.append((f"/schools/{sessions['partner'][0]['schools'][0]}/", sessions["partner"][0]["session"]))
    urls.append((f"/meetings/{sessions['ib'][0]['meeting']}/log/", sessions["ib"][0]["session"]))
    urls.append(("/schools/?gap=vacant", sessions["coordinator"][0]["session"]))
    partner = sessions["partner"][0]
    results = f"/evaluaties/results/{partner['schools'][0]}/"
    urls.append((results, partner["session"]))
    urls.append((f"{results}?year={last_school_year()}", partner["session"]))
    urls.append(("/evaluaties/results/", sessions["coordinator"][0]["session"]))
    urls.append(("/schools/?gap=ending", sessions["admin"][0]["session"]))
    urls.append(("/manage/wijken/", sessions["admin"][0]["session"]))
    urls.append(("/people/", sessions["admin"][0]["session"]))
    urls.append(("/meetings/", sessions["admin"][0]["session"]))
    # The dashboards of Utrecht counted once too (the admin's and the city coordinator's, as the mix asks).
    gemeente = urlencode({"gemeente": sessions["admin"][0]["gemeente"]})
    urls.append((f"/dashboard/?{gemeente}", sessions["admin"][0]["session"]))
    city = next(s for s in sessions["coordinator"] if s.get("city"))
    urls.append(("/dashboard/", city["session"]))
    # The national dashboard counted once, as an earlier visit would have: from then on a visit that finds
    # the figures old shows them and a worker counts them again (front.views_dashboard).
    urls.append(("/dashboard/?gemeente=all", sessions["admin"][0]["session"]))

    def get(path: str, session: str) -> None:
        request = urllib.request.Request(base + path, headers={"Cookie": f"sessionid={session}"})  # noqa: S310
        with urllib.request.urlopen(request, timeout=30):  # noqa: S310
            pass

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for _ in range(rounds):
            for path, session in urls:
                list(pool.map(get, [path] * workers, [session] * workers))
        times = 2 * freeze_after * workers
        list(pool.map(get, [floor[0]] * times, [floor[1]] * times))


def time_fresh_counts(base: str, sessions_file: Path, times: int = 3) -> dict[str, float]:
    """The dashboards' figures counted anew (?fresh=1, past the cache), one request at a time: the median
    milliseconds of `times` requests each. In the load run most dashboard visits are served from the
    cache (KPA_DASHBOARD_CACHE_SECONDS); this is what a visit costs when the figures are counted."""
    import json
    import statistics

    sessions = json.loads(sessions_file.read_text())
    city = next(s for s in sessions["coordinator"] if s.get("city"))
    pages = {
        "coordinator, Utrecht": ("/dashboard/?fresh=1", city["session"]),
        "admin, national": ("/dashboard/?gemeente=all&fresh=1", sessions["admin"][0]["session"]),
    }
    result = {}
    for name, (path, session) in pages.items():
        spent = []
        for _ in range(times):
            request = urllib.request.Request(base + path, headers={"Cookie": f"sessionid={session}"})  # noqa: S310
            started = time.perf_counter()
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                response.read()
            spent.append((time.perf_counter() - started) * 1000)
        result[name] = statistics.median(spent)
    return result


def warm_evaluation_results(env: dict[str, str]) -> None:
    """What the nightly beat jobs do, before the pages are asked: make the evaluation results' disclosure
    decisions (evaluations.warm_results) and count the roster's seat summaries for the day
    (partners.seat_summaries_count), as in production. Prints how long each took."""
    code = (
        "import time; from evaluations.results import warm_decisions; t = time.perf_counter(); "
        "n = warm_decisions(); print(f'  evaluation decisions made (the nightly job): {n} "
        "in {time.perf_counter() - t:,.1f} s'); "
        "from partners.tasks import seat_summaries_count_task; t = time.perf_counter(); "
        "n = seat_summaries_count_task(); print(f'  seat summaries counted (the nightly job): {n:,} "
        "in {time.perf_counter() - t:,.1f} s')"
    )
    _run([sys.executable, "manage.py", "shell", "-c", code], env, timeout=3600)


def compile_bytecode() -> float:
    """Write the bytecode of the venv and the app, as the production image has it (the Dockerfile: the
    venv by UV_COMPILE_BYTECODE, the app by compileall). Without it (a machine with
    PYTHONDONTWRITEBYTECODE, as CI's) a module first imported inside a request is compiled there, by every
    gunicorn worker: the Redis client took 400 ms of a first results page. Seconds it took (about 8 the
    first time, 1 after)."""
    import compileall
    import sysconfig

    started = time.perf_counter()
    packages = [path for path in BASE_DIR.iterdir() if (path / "__init__.py").exists()]  # the apps
    for path in [Path(sysconfig.get_paths()["purelib"]), *packages]:
        compileall.compile_dir(path, quiet=2, workers=0)
    return time.perf_counter() - started


def _stop(process: subprocess.Popen, seconds: float = 10) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=seconds)


def percentile(ordered: list[float], share: float) -> float:
    """The nearest-rank percentile of sorted milliseconds: the smallest value at or below which `share`
    of them lie (0 for none)."""
    if not ordered:
        return 0.0
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def read_samples(path: Path, seconds: float) -> list[PageStats]:
    """The raw samples the locustfile wrote (benchmarks.locustfile.SampleFile), every round of one scale
    in one file: one PageStats per page, its percentiles from all its samples at once (a p95 of two halves
    cannot be made from the two halves' own p95s), its requests per second over `seconds` of load."""
    times: dict[str, list[float]] = {}
    failures: dict[str, int] = {}
    with path.open(newline="") as handle:
        for name, ms, failed, *_ended in csv.reader(handle):
            times.setdefault(name, []).append(float(ms))
            failures[name] = failures.get(name, 0) + (failed == "1")
    stats = []
    for name, values in times.items():
        values.sort()
        stats.append(
            PageStats(
                name=name,
                requests=len(values),
                failures=failures[name],
                rps=len(values) / seconds if seconds else 0.0,
                p50=percentile(values, 0.50),
                p95=percentile(values, 0.95),
                p99=percentile(values, 0.99),
            )
        )
    return stats


def slow_moments(
    path: Path, limit_ms: float, window: float = 2.0, top: int = 3
) -> tuple[int, list[tuple[float, int]]] | None:
    """How many requests of a scale took longer than `limit_ms`, and the `window`-second stretches that
    held most of them: (when the stretch began, in seconds since the epoch, how many), the busiest first,
    no two overlapping. A tail of the machine's making (a background count, a burst of other work) shows
    as one stretch holding many; a page's own tail as few, spread over the run. By when each request
    ended; None when no sample says that (a file written before the bench recorded it)."""
    slow: list[float] = []
    ended_any = False
    with path.open(newline="") as handle:
        for _name, ms, _failed, *ended in csv.reader(handle):
            if not ended:
                continue
            ended_any = True
            if float(ms) > limit_ms:
                slow.append(float(ended[0]))
    if not ended_any:
        return None
    slow.sort()
    left = list(slow)
    busiest: list[tuple[float, int]] = []
    while left and len(busiest) < top:
        # The stretch that starts at a slow request and holds the most of those left (two pointers).
        best_start, best_count, last = 0, 0, 0
        for first in range(len(left)):
            last = max(last, first)
            while last < len(left) and left[last] < left[first] + window:
                last += 1
            if last - first > best_count:
                best_start, best_count = first, last - first
        busiest.append((left[best_start], best_count))
        del left[best_start : best_start + best_count]
    return len(slow), busiest


def rounds(scales: list[int]) -> list[int]:
    """The order in which the scales are loaded, half their time each: there and back (100, 10,000,
    10,000, 100), so that a steady drift of the machine weighs on every scale alike. One after the other,
    the floor's p95 moved from 15 to 23 ms between two scales' windows a few minutes apart, and with it
    the line that compares the scales."""
    return [*scales, *reversed(scales)]


def scale_redis_url(url: str, index: int) -> str:
    """The broker's Redis database for the index-th scale: two numbers below the one before (its cache
    takes the next number, as kpa.settings derives it). The stacks run side by side, and the cache keys
    name a gemeente by its id, the same in every bench database: a shared cache would serve one scale's
    dashboards from another's figures."""
    base, number = _redis_number(url)
    number -= 2 * index
    if number < 0:
        raise SystemExit(f"REDIS_URL's database number leaves no room for {index + 1} scales (got {url!r}).")
    return f"{base}/{number}"


@dataclass
class Stack:
    """One scale's server: its database, gunicorn and Celery worker, up for the whole run."""

    schools: int
    env: dict[str, str]
    base: str
    sessions_file: Path
    samples: Path
    seeded: float | None
    processes: list[subprocess.Popen]
    seconds: float = 0.0  # of load so far

    def stop(self) -> None:
        """Every process stopped, also when stopping one of them fails."""
        with contextlib.ExitStack() as stopping:
            for process in self.processes:
                stopping.callback(_stop, process)


def start_stack(schools: int, index: int, args: argparse.Namespace, base_env: dict[str, str]) -> Stack:
    """The scale's database (seeded the first time), sessions, nightly jobs, then gunicorn and a worker on
    its own port, Redis databases and queue, warmed up."""
    print(f"\n== {schools:,} schools ==")
    url, seeded = prepare_database(schools, base_env, args.reseed)
    broker, cache = _redis_dbs(scale_redis_url(base_env["REDIS_URL"], index))
    # The cache named too: a REDIS_CACHE_URL of the shell or of .env would otherwise serve every scale.
    env = {**base_env, "DATABASE_URL": url, "REDIS_URL": broker, "REDIS_CACHE_URL": cache}
    sessions_file = OUT_DIR / f"sessions_{schools}.json"
    _run([sys.executable, "-m", "benchmarks.sessions", "--out", str(sessions_file)], env, timeout=300)
    warm_evaluation_results(env)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    # A Celery worker on a queue of its own, as in production: it counts the national dashboard again when
    # its figures are old (front.tasks) and sends what a saved log queued (to the console backend).
    env = {**env, "KPA_CELERY_QUEUE": f"kpa-bench-{schools}"}
    samples = OUT_DIR / f"samples_{schools}.csv"
    samples.unlink(missing_ok=True)
    stack = Stack(schools, env, base, sessions_file, samples, seeded, processes=[])
    worker = [sys.executable, "-m", "celery", "-A", "kpa", "worker", "-Q", env["KPA_CELERY_QUEUE"]]
    worker += ["--concurrency", "1", "--pool", "solo", "--loglevel", "WARNING", "--without-heartbeat"]
    gunicorn = [sys.executable, "-m", "gunicorn", "kpa.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    gunicorn += ["--workers", str(args.workers), "--log-level", "warning", "--timeout", "30"]
    if args.threads > 1:
        gunicorn += ["--worker-class", "gthread", "--threads", str(args.threads)]
    try:
        stack.processes.append(subprocess.Popen(worker, env=env, cwd=BASE_DIR, stdout=subprocess.DEVNULL))  # noqa: S603
        stack.processes.append(subprocess.Popen(gunicorn, env=env, cwd=BASE_DIR))  # noqa: S603
        _wait_for(f"{base}/health/", 60)
        if stack.processes[0].poll() is not None:
            raise SystemExit(f"the Celery worker stopped (exit code {stack.processes[0].returncode})")
        # As kpa.settings reads it, from the environment (a value only in a .env file is not seen here).
        freeze_after = int(env.get("KPA_GC_FREEZE_AFTER") or gc_freeze.AFTER)
        _warm_up(base, sessions_file, rounds=3, workers=args.workers, freeze_after=freeze_after)
    except BaseException:
        stack.stop()
        raise
    return stack


def _worker_busy(redis_url: str) -> bool:
    """Whether a stack's Celery worker has work: a task running (tasks are acknowledged late, so a running
    one is in kombu's `unacked` hash) or waiting in a queue (a list) of its broker database."""
    import redis

    broker = redis.Redis.from_url(redis_url, socket_timeout=5)
    if broker.hlen("unacked"):
        return True
    return any(broker.type(key) == b"list" and broker.llen(key) for key in broker.scan_iter(count=100))


def wait_until_idle(stacks: list[Stack], seconds: float, busy=_worker_busy, sleep=time.sleep) -> float:
    """Wait (at most `seconds`) until no stack's worker has work; returns how long it waited. A recount of
    the national dashboard that one scale's last visits asked for takes its worker seconds at 10,000
    schools: it must not run during the other scale's round."""
    started = time.monotonic()
    while any(busy(stack.env["REDIS_URL"]) for stack in stacks):
        if time.monotonic() - started > seconds:
            raise SystemExit(f"the Celery workers were still busy after {seconds:.0f} s")
        sleep(0.2)
    return time.monotonic() - started


def load_round(stack: Stack, seconds: int, args: argparse.Namespace) -> None:
    """Locust against one stack for `seconds`, its samples added to the stack's file."""
    for process in stack.processes:
        if process.poll() is not None:
            raise SystemExit(f"a server process of {stack.schools:,} schools stopped ({process.args[:3]})")
    print(
        f"  {stack.schools:,} schools, {seconds} s, from {time.strftime('%H:%M:%S', time.gmtime())} UTC",
        flush=True,
    )
    locust = [sys.executable, "-m", "locust", "-f", str(BASE_DIR / "benchmarks" / "locustfile.py")]
    users = args.users + FLOOR_PROBES  # the people of the mix, and the floor's own (locustfile.FloorUser)
    locust += ["--headless", "--users", str(users), "--spawn-rate", str(users)]
    locust += ["--run-time", f"{seconds}s", "--host", stack.base]
    locust += ["--only-summary", "--stop-timeout", "5", "--loglevel", "WARNING", "--exit-code-on-error", "0"]
    locust_env = {**stack.env, "KPA_BENCH_SESSIONS": str(stack.sessions_file)}
    locust_env[SAMPLES_ENV] = str(stack.samples)
    if args.admin:
        locust_env[ONLY_ADMIN_ENV] = "1"
    _run(locust, locust_env, timeout=seconds + 120, quiet=True)
    stack.seconds += seconds


def print_table(schools: int, stats: list[PageStats]) -> PageStats:
    from benchmarks.pages import FLOOR

    floor = next(s for s in stats if s.name == FLOOR)
    print(f"\n{schools:,} schools{'':<44}  req/s    p50    p95    p99  errors  p95/floor")
    for s in sorted(stats, key=lambda s: (s.name == FLOOR, s.name)):
        ratio = s.p95 / floor.p95 if floor.p95 else float("inf")
        print(
            f"  {s.name:<56} {s.rps:6.1f} {s.p50:6.0f} {s.p95:6.0f} {s.p99:6.0f} "
            f"{s.failures:6d}/{s.requests:<6d} {ratio:5.1f}x"
        )
    return floor


def print_slow_moments(path: Path, limit: float, window: float = 2.0) -> None:
    """The line under a scale's table: its slow requests, and the stretches that held most of them, at
    their time of day (UTC), which the rounds' start lines and a worker's log can be read against."""
    found = slow_moments(path, limit, window)
    head = f"  slower than {FLOOR_FACTOR:.0f}x the floor's p95 ({limit:.0f} ms):"
    if found is None:
        print(f"{head} not known (the samples do not say when they ended)")
        return
    slow, busiest = found
    stretches = [f"{n} from {time.strftime('%H:%M:%S', time.gmtime(start))}" for start, n in busiest if n > 1]
    print(
        f"{head} {slow} requests; the {window:.0f} s that held most of them (UTC): "
        f"{', '.join(stretches) or 'none held more than one'}"
    )


def check(results: dict[int, list[PageStats]]) -> list[tuple[bool, str]]:
    from benchmarks.pages import ADMIN_ROSTER, FLOOR, ROSTER

    lines = []
    for schools, stats in results.items():
        errors = sum(s.failures for s in stats)
        lines.append(
            (errors == 0, f"{schools:,} schools: no errors ({errors} of {sum(s.requests for s in stats):,})")
        )
        floor = next(s for s in stats if s.name == FLOOR)
        for s in stats:
            if s.name == FLOOR:
                continue
            ok = s.p95 <= FLOOR_FACTOR * floor.p95 and s.p95 < P95_LIMIT_MS
            lines.append(
                (
                    ok,
                    f"{schools:,} schools: {s.name}: p95 {s.p95:.0f} ms, "
                    f"{s.p95 / floor.p95:.1f}x the floor's {floor.p95:.0f} ms "
                    f"(limit {FLOOR_FACTOR:.0f}x and {P95_LIMIT_MS:.0f} ms)",
                )
            )
    small, large = min(results), max(results)
    if small != large:
        # Both floors are shown: they come from the same rounds as the pages, and tell how alike the
        # machine was for both scales.
        floors = {n: next((s.p95 for s in results[n] if s.name == FLOOR), None) for n in (small, large)}
        context = (
            f"; the floor's p95 {floors[large]:.0f} ms vs {floors[small]:.0f} ms"
            if None not in floors.values()
            else ""
        )
        for name, label in ((ROSTER, "coordinator roster"), (ADMIN_ROSTER, "admin roster (national)")):
            before = next((s.p95 for s in results[small] if s.name == name), None)
            after = next((s.p95 for s in results[large] if s.name == name), None)
            if before is None and after is None:
                continue  # not in this run's mix (--admin runs the admin alone)
            if before is None or after is None:
                lines.append((False, f"{label}: not measured at both scales"))
                continue
            lines.append(
                (
                    after <= SCALE_FACTOR * before,
                    f"{label} p95 at {large:,} schools {after:.0f} ms vs {before:.0f} ms at {small:,}: "
                    f"{after / before:.2f}x (limit {SCALE_FACTOR}x{context})",
                )
            )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="100,10000", help="comma-separated numbers of schools")
    parser.add_argument(
        "--duration",
        type=int,
        default=150,
        help="seconds of load per scale (at 60 s a page had 20-140 requests, its p95 its slowest one or two)",
    )
    parser.add_argument(
        "--users",
        type=int,
        default=PEOPLE,
        help=f"people at once, besides the floor's {FLOOR_PROBES} ({PEOPLE} leave 2 cores unsaturated)",
    )
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per gunicorn worker (gthread; production has 4)"
    )
    parser.add_argument("--reseed", action="store_true", help="drop and rebuild the bench databases")
    parser.add_argument(
        "--admin",
        action="store_true",
        help="only the admin's pages (and the floor): the admin is always in the mix, this runs it alone",
    )
    args = parser.parse_args(argv)
    scales = sorted({int(n) for n in args.scales.split(",")})
    started = time.perf_counter()
    (OUT_DIR / "static").mkdir(parents=True, exist_ok=True)
    base_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(48),  # the same for the sessions and the server
        # Fixed, not random: the seeded bench databases (kept between runs) hold secrets encrypted with it.
        "MFA_ENCRYPTION_KEYS": base64.urlsafe_b64encode(hashlib.sha256(b"kpa load bench").digest()).decode(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "http://127.0.0.1",
        # Plain http on loopback: cookies without the Secure flag, no redirect to https, no HSTS.
        "SECURE_COOKIES": "0",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14"),
        "EMAIL_URL": "consolemail://",  # a saved log may queue mails; the bench sends none out
        "LOG_LEVEL": "WARNING",
        "STATIC_ROOT": str(OUT_DIR / "static"),  # empty: whitenoise wants the folder, the bench no files
    }
    base_env.pop("KPA_TESTING", None)
    redis_urls = [scale_redis_url(base_env["REDIS_URL"], index) for index in range(len(scales))]
    redis_was_empty = all(_redis_dbs_empty(url) for url in redis_urls)
    half = max(1, math.ceil(args.duration / 2))
    print(
        f"KPA load bench: {args.users} users and {FLOOR_PROBES} on the floor, {2 * half} s per scale in two "
        f"halves, {args.workers} gunicorn workers"
    )
    print("  (other work on this machine inflates every figure: see the load average before the load)")
    print(f"  bytecode written, as in the production image: {compile_bytecode():.0f} s")
    if not redis_was_empty:
        dbs = " ".join(db.rpartition("/")[2] for url in redis_urls for db in _redis_dbs(url))
        print(
            f"  (the Redis databases {dbs} were not empty and are left alone: a dashboard may then be served"
        )
        print("   from figures an earlier run left in the cache; `redis-cli -n N flushdb` empties one)")
    stacks: dict[int, Stack] = {}
    try:
        with contextlib.ExitStack() as stopping:  # every stack stopped, whatever fails
            for index, schools in enumerate(scales):
                stacks[schools] = start_stack(schools, index, args, base_env)
                stopping.callback(stacks[schools].stop)
            order = rounds(scales)
            print(f"\n== load, in turns: {', '.join(f'{n:,}' for n in order)} schools ==")
            print(f"  load average before the load: {os.getloadavg()[0]:.2f}")
            for schools in order:
                waited = wait_until_idle(list(stacks.values()), seconds=120)
                if waited >= 1:
                    print(f"  (waited {waited:.0f} s for the Celery workers to finish their work)")
                load_round(stacks[schools], half, args)
            fresh = {n: time_fresh_counts(stack.base, stack.sessions_file) for n, stack in stacks.items()}
    finally:
        if redis_was_empty:
            # Saved logs queue a mail task, and the cache keeps figures: emptied after every run, also a
            # failed one, so that the next finds them empty again. Nobody else's data is touched.
            for url in redis_urls:
                _redis_flush(url)
    results = {}
    for schools, stack in stacks.items():
        results[schools] = read_samples(stack.samples, stack.seconds)
        floor = print_table(schools, results[schools])
        limit = FLOOR_FACTOR * floor.p95
        print_slow_moments(stack.samples, limit)
        seeded = stack.seeded
        print(f"  seeding: {'reused an existing database' if seeded is None else f'{seeded:.0f} s'}")
        for name, ms in fresh[schools].items():
            print(f"  dashboard counted anew (?fresh=1), {name}: median {ms:,.0f} ms of 3")
    print()
    lines = check(results)
    for ok, text in lines:
        print(f"{'PASS' if ok else 'MISS'}  {text}")
    print(f"\nmake bench took {time.perf_counter() - started:.0f} s")
    return 0 if all(ok for ok, _ in lines) else 1


if __name__ == "__main__":
    sys.exit(main())
