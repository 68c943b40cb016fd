"""The load bench's own logic (benchmarks.load, benchmarks.pages): who is in the mix and which targets it
checks. The bench itself needs PostgreSQL, Redis and minutes: `make bench`."""

import datetime as dt
import subprocess
import sys
import time
from pathlib import Path

import pytest
import time_machine

from benchmarks import load
from benchmarks.pages import (
    ADMIN_MEETINGS,
    ADMIN_PAGES,
    ADMIN_PEOPLE,
    ADMIN_ROSTER,
    ADMIN_WIJKEN,
    FLOOR,
    FLOOR_PROBES,
    ONLY_ADMIN_ENV,
    ROSTER,
    in_mix,
    last_school_year,
)
from kpa import gc_freeze


def stats(name: str, p95: float, failures: int = 0) -> load.PageStats:
    return load.PageStats(name=name, requests=100, failures=failures, rps=1.0, p50=p95 / 2, p95=p95, p99=p95)


def test_the_admin_is_always_in_the_mix_and_alone_with_admin():
    assert all(in_mix(pool, {}) for pool in ("ib", "partner", "coordinator", "admin", "floor"))
    alone = {ONLY_ADMIN_ENV: "1"}
    assert [pool for pool in ("ib", "partner", "coordinator", "admin", "floor") if in_mix(pool, alone)] == [
        "admin",
        "floor",
    ]
    assert set(ADMIN_PAGES) == {ADMIN_ROSTER, ADMIN_MEETINGS, ADMIN_WIJKEN, ADMIN_PEOPLE}


def test_the_admin_pages_are_targets():
    run = [stats(FLOOR, 20), stats(ROSTER, 60), stats(ADMIN_ROSTER, 60), stats(ADMIN_PEOPLE, 81)]

    lines = load.check({100: run, 10_000: run})

    missed = [text for ok, text in lines if not ok]
    assert len(missed) == 2 and all(ADMIN_PEOPLE in text for text in missed)  # 81 > 4 x 20, at both scales


def test_the_admin_roster_must_scale_like_the_coordinators():
    small = [stats(FLOOR, 20), stats(ROSTER, 50), stats(ADMIN_ROSTER, 40)]
    large = [stats(FLOOR, 20), stats(ROSTER, 50), stats(ADMIN_ROSTER, 70)]

    lines = load.check({100: small, 10_000: large})

    assert [text for ok, text in lines if not ok] == [
        "admin roster (national) p95 at 10,000 schools 70 ms vs 40 ms at 100: 1.75x "
        "(limit 1.5x; the floor's p95 20 ms vs 20 ms)"
    ]


def test_the_scale_lines_name_the_floor_of_both_scales():
    """The scales are measured minutes apart: a busier machine in the second moves the floor as well, and
    the line says so (the check itself stays the roster's own p95 at both scales)."""
    small = [stats(FLOOR, 15), stats(ROSTER, 40), stats(ADMIN_ROSTER, 40)]
    large = [stats(FLOOR, 23), stats(ROSTER, 50), stats(ADMIN_ROSTER, 62)]

    lines = {text.split(" p95")[0]: (ok, text) for ok, text in load.check({100: small, 10_000: large})}

    ok, text = lines["admin roster (national)"]
    assert not ok
    assert text.endswith("1.55x (limit 1.5x; the floor's p95 23 ms vs 15 ms)")
    assert lines["coordinator roster"][0]


def test_a_run_of_the_admin_alone_checks_no_coordinator_roster():
    run = [stats(FLOOR, 20), stats(ADMIN_ROSTER, 40)]

    lines = load.check({100: run, 10_000: run})

    assert all(ok for ok, _text in lines)
    assert not any("coordinator roster" in text for _ok, text in lines)


def test_last_school_year_follows_the_calendar_in_amsterdam():
    """The results page refuses a year more than four school years ago: a fixed year would turn every
    such request into an error one day. A school year starts on 1 August, in Amsterdam."""
    with time_machine.travel(dt.datetime(2031, 7, 31, 22, 30, tzinfo=dt.UTC), tick=False):  # 1 Aug, 00:30
        assert last_school_year() == 2030
    with time_machine.travel(dt.datetime(2031, 7, 31, 21, 30, tzinfo=dt.UTC), tick=False):
        assert last_school_year() == 2029


def test_the_bench_writes_bytecode_as_the_production_image_has_it(tmp_path, monkeypatch):
    """The venv's packages and every app of the project (a folder with an __init__.py), nothing else."""
    app, venv, other = tmp_path / "kpa", tmp_path / "venv", tmp_path / "notes"
    for folder in (app, venv, other):
        folder.mkdir()
        (folder / "module.py").write_text("VALUE = 1\n")
    (app / "__init__.py").write_text("")
    monkeypatch.setattr(load, "BASE_DIR", tmp_path)
    monkeypatch.setattr("sysconfig.get_paths", lambda: {"purelib": str(venv)})
    load.compile_bytecode()
    assert sorted(p.name.split(".")[0] for p in (app / "__pycache__").iterdir()) == ["__init__", "module"]
    assert [p.name.split(".")[0] for p in (venv / "__pycache__").iterdir()] == ["module"]
    assert not (other / "__pycache__").exists()
    dockerfile = (Path(__file__).resolve().parent.parent / "Dockerfile").read_text()
    assert "UV_COMPILE_BYTECODE=1" in dockerfile
    assert "python -m compileall -q -x '/app/\\.venv/' /app" in dockerfile


def test_a_gunicorn_worker_imports_the_redis_client_as_it_starts():
    """Not at the first cached page it serves (kpa.wsgi)."""
    code = "import sys, kpa.wsgi; print('redis' in sys.modules)"
    env = {"DEBUG": "1", "REDIS_URL": "redis://127.0.0.1:6379/14", "PATH": "/usr/bin:/bin"}
    found = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, timeout=60
    )
    assert found.stdout.strip() == "True"


SESSIONS = {
    "floor": [{"session": "f"}],
    "partner": [{"session": "p", "schools": [7]}],
    "ib": [{"session": "i", "meeting": 9}],
    "coordinator": [{"session": "w", "city": False}, {"session": "c", "city": True}],
    "admin": [{"session": "a", "gemeente": 3}],
}


def _warm_up_asks(tmp_path, monkeypatch, **options) -> list[tuple[str, str]]:
    """What the warm-up asks, as (path, session), without a server."""
    import json

    sessions_file = tmp_path / "sessions.json"
    sessions_file.write_text(json.dumps(SESSIONS))
    asked = []

    class Answer:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    def urlopen(request, timeout):
        session = request.get_header("Cookie").removeprefix("sessionid=")
        asked.append((request.full_url.removeprefix("http://bench"), session))
        return Answer()

    monkeypatch.setattr(load.urllib.request, "urlopen", urlopen)
    load._warm_up("http://bench", sessions_file, rounds=1, workers=3, **options)
    return asked


def test_the_warm_up_asks_every_page_the_mix_reads(tmp_path, monkeypatch):
    """A page left out of the warm-up compiles its templates in each worker's first request of it, inside
    the measured minutes: with 60-130 requests of a page in a run, those three are its p95."""
    import re

    from benchmarks import pages

    asked = _warm_up_asks(tmp_path, monkeypatch)
    names = [value for key, value in vars(pages).items() if key.isupper() and isinstance(value, str)]
    read = [name for name in names if " GET " in name]
    assert len(read) == 14
    # Who asks: the page as that person sees it (an admin's meetings list is the country's).
    who = {"admin": {"a"}, "coordinator": {"c", "w"}, "kernpartner": {"p"}, "IB-er": {"i"}, "floor": {"f"}}
    for name in read:
        path = re.escape(name.split(" GET ")[1]).replace("<pk>", r"\d+").replace(r"\?filters", r"\?.+")
        allowed = who[name.split(":")[0].split(" (")[0]]
        warmed = [url for url, session in asked if re.fullmatch(path, url) and session in allowed]
        assert len(warmed) >= 3, name  # as many at once as there are workers


def test_the_warm_up_takes_every_worker_past_its_garbage_collectors_freeze(tmp_path, monkeypatch):
    """kpa.gc_freeze collects once (80 ms at 10,000 schools) at a worker's 50th request: a cost of each
    process, like its templates, so the warm-up ends with twice that many floor requests per worker (16
    pages three times over are 48 per worker on average: workers froze inside the measured minutes)."""
    pages_only = len(_warm_up_asks(tmp_path, monkeypatch, freeze_after=0))
    asked = _warm_up_asks(tmp_path, monkeypatch, freeze_after=50)
    assert len(asked) - pages_only == 300
    assert set(asked[pages_only:]) == {("/bench/floor/", "f")}
    assert gc_freeze.AFTER == 50  # what the bench and the settings take without KPA_GC_FREEZE_AFTER


# Run apart: importing locust patches the standard library for gevent (sockets, threads) in its process.
_MIX = """
import importlib.util, json, sys
from locust.dispatch import UsersDispatcher
from locust.runners import WorkerNode
from locust.util.load_locustfile import is_user_class
spec = importlib.util.spec_from_file_location("bench_locustfile", "benchmarks/locustfile.py")
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
classes = [value for value in vars(module).values() if is_user_class(value)]
dispatcher = UsersDispatcher(worker_nodes=[WorkerNode("local")], user_classes=classes)
users = int(sys.argv[1])
dispatcher.new_dispatch(target_user_count=users, spawn_rate=users)
spawned = next(dispatcher)["local"]
module.KpaUser.first_wait = lambda self: None  # whom it spawns, not when they start
people = []
for name, count in spawned.items():
    cls = getattr(module, name)
    for _ in range(count):
        person = cls.__new__(cls)
        person.client = type("Client", (), {"cookies": type("Jar", (), {"set": lambda *a: None})()})()
        cls.on_start(person)
        people.append([name, person.account["session"]])
print(json.dumps({"spawned": spawned, "people": people}))
"""


def _locust_script(tmp_path, script: str, *args: str, **environ: str):
    """What `script` prints last (JSON), run apart with benchmarks/locustfile.py's sessions file."""
    import json

    sessions = {**SESSIONS, "floor": [{"session": f"f{n}"} for n in range(5)]}
    sessions_file = tmp_path / "sessions.json"
    sessions_file.write_text(json.dumps(sessions))
    env = {"PATH": "/usr/bin:/bin", "KPA_BENCH_SESSIONS": str(sessions_file), **environ}
    found = subprocess.run(
        [sys.executable, "-c", script, *args],
        env=env,
        cwd=Path(load.BASE_DIR),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(found.stdout.splitlines()[-1])


def _spawned(tmp_path, users: int, **environ: str) -> dict:
    """Whom locust spawns from benchmarks/locustfile.py for `users`, and the session each one starts with,
    as benchmarks.load runs it."""
    return _locust_script(tmp_path, _MIX, str(users), **environ)


def test_the_floor_is_asked_by_three_people_of_its_own_beside_the_mix(tmp_path):
    """The floor's p95 is every page's yardstick, so its noise moves every line of a run at once: from one
    person's 240 requests in 150 s it is (at 95% confidence) anywhere between their 92nd and 98th
    percentile. Three people of its own, and the same nine people of the mix as when the floor was one of
    ten."""
    spawned = _spawned(tmp_path, load.PEOPLE + FLOOR_PROBES)

    assert FLOOR_PROBES == 3
    assert spawned["spawned"] == {
        "FloorUser": 3,
        "PartnerUser": 3,
        "IbUser": 2,
        "AdminUser": 2,
        "CoordinatorUser": 1,
        "AdminDashboardUser": 1,
    }
    floor_sessions = [session for name, session in spawned["people"] if name == "FloorUser"]
    assert sorted(floor_sessions) == ["f0", "f1", "f2"]  # a session each


_FIRST_WAIT = """
import importlib.util, json
spec = importlib.util.spec_from_file_location("bench_locustfile", "benchmarks/locustfile.py")
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
waits = []
module.gevent.sleep = waits.append
for cls in (module.PartnerUser, module.IbUser, module.CoordinatorUser, module.FloorUser):
    person = cls.__new__(cls)
    person.client = type("Client", (), {"cookies": type("Jar", (), {"set": lambda *a: None})()})()
    cls.on_start(person)
print(json.dumps(waits))
"""


def test_every_person_waits_before_the_first_request_as_between_two(tmp_path):
    """A round spawns everyone at once: without a first wait their first requests came in the same
    instant and queued behind each other, slow samples of the bench's own making."""
    waits = _locust_script(tmp_path, _FIRST_WAIT)
    assert len(waits) == 4  # one each, the floor's people too
    assert all(0.2 <= wait <= 1.0 for wait in waits), waits


def test_the_floor_is_asked_by_three_people_with_the_admin_alone(tmp_path):
    spawned = _spawned(tmp_path, load.PEOPLE + FLOOR_PROBES, **{ONLY_ADMIN_ENV: "1"})

    assert spawned["spawned"] == {"FloorUser": 3, "AdminUser": 6, "AdminDashboardUser": 3}


@pytest.mark.django_db
@time_machine.travel(dt.datetime(2027, 3, 9, 10, 0, tzinfo=dt.UTC), tick=False)
def test_the_floors_people_sign_in_with_sessions_of_their_own():
    """A floor request saves its session (SESSION_SAVE_EVERY_REQUEST): on a person's session row it would
    now and then wait for that person's save."""
    from django.contrib.sessions.backends.db import SessionStore

    from benchmarks.sessions import prepare
    from tests.factories import AssignmentFactory

    partners = {AssignmentFactory().person_id for _ in range(3)}

    sessions = prepare(per_kind=3, seed=1)

    floor = [entry["session"] for entry in sessions["floor"]]
    assert len(floor) == 3
    assert not set(floor) & {entry["session"] for entry in sessions["partner"]}
    assert {int(SessionStore(session_key=key)["_auth_user_id"]) for key in floor} == partners


def test_a_scale_is_loaded_there_and_back_in_turns():
    """One scale after the other, the floor's p95 moved from 15 to 23 ms between their windows a few
    minutes apart (docs/performance.md): in turns, a drift of the machine weighs on both scales alike."""
    assert load.rounds([100, 10_000]) == [100, 10_000, 10_000, 100]
    assert load.rounds([100]) == [100, 100]


def test_each_scale_has_redis_databases_of_its_own():
    """Both servers are up at once, and a cache key names a gemeente by its id, the same in both bench
    databases: with one cache the national dashboard of 100 schools would be served at 10,000."""
    urls = [load.scale_redis_url("redis://127.0.0.1:6379/14", index) for index in (0, 1)]

    assert urls == ["redis://127.0.0.1:6379/14", "redis://127.0.0.1:6379/12"]
    broker_and_cache = [set(load._redis_dbs(url)) for url in urls]
    assert broker_and_cache == [
        {"redis://127.0.0.1:6379/14", "redis://127.0.0.1:6379/15"},
        {"redis://127.0.0.1:6379/12", "redis://127.0.0.1:6379/13"},
    ]
    with pytest.raises(SystemExit, match="no room for 2 scales"):
        load.scale_redis_url("redis://127.0.0.1:6379/1", 1)
    with pytest.raises(SystemExit, match="must name a database number"):
        load.scale_redis_url("redis://127.0.0.1:6379", 0)


def test_the_percentiles_come_from_the_samples_of_both_rounds(tmp_path):
    """A p95 of two halves is not the mean or the larger of their p95s: it is taken from every sample."""
    samples = tmp_path / "samples.csv"
    first = [("page", 10.0, 0)] * 95 + [("page", 100.0, 0)] * 5  # p95 10 ms
    second = [("page", 20.0, 0)] * 90 + [("page", 30.0, 1)] * 10  # p95 30 ms
    samples.write_text("".join(f"{name},{ms:.3f},{failed}\n" for name, ms, failed in [*first, *second]))
    samples.write_text(samples.read_text() + '"floor, trivial",2.500,0\n')

    pages = {s.name: s for s in load.read_samples(samples, seconds=50)}

    page = pages["page"]
    assert (page.requests, page.failures, page.rps) == (200, 10, 4.0)
    assert (page.p50, page.p95, page.p99) == (20.0, 30.0, 100.0)
    assert pages["floor, trivial"].p95 == 2.5  # a name with a comma survives the file


def test_the_slow_requests_are_found_by_the_moment_they_ended(tmp_path, capsys):
    """A stretch that holds many slow requests is a moment of the machine's (a background count). The
    stretches slide: a burst across a whole second is one stretch, not two halves. A sample written
    without its end time is left out, not counted at second zero."""
    samples = tmp_path / "samples.csv"
    rows = [f"page,10.000,0,{1000 + n * 0.5:.3f}" for n in range(200)]  # 100 s of fast requests
    rows += [f"page,90.000,0,{1042.6 + n * 0.3:.3f}" for n in range(5)]  # five slow ones, 42.6-43.8 s
    rows += ["page,95.000,0,1080.000", "page,99.000,0,1090.000", "page,500.000,0"]
    samples.write_text("\n".join(rows) + "\n")

    slow, busiest = load.slow_moments(samples, limit_ms=80.0)

    assert slow == 7
    assert busiest == [(1042.6, 5), (1080.0, 1), (1090.0, 1)]
    load.print_slow_moments(samples, 80.0)
    assert "7 requests; the 2 s that held most of them (UTC): 5 from 00:17:22" in capsys.readouterr().out


def test_samples_without_their_end_say_nothing_of_slow_moments(tmp_path, capsys):
    samples = tmp_path / "samples.csv"
    samples.write_text("page,90.000,0\npage,10.000,0\n")

    assert load.slow_moments(samples, limit_ms=80.0) is None
    load.print_slow_moments(samples, 80.0)
    assert "not known (the samples do not say when they ended)" in capsys.readouterr().out


def test_the_percentile_is_the_nearest_rank():
    ordered = [float(n) for n in range(1, 21)]  # 1..20 ms

    assert load.percentile(ordered, 0.95) == 19.0
    assert load.percentile(ordered, 0.50) == 10.0
    assert load.percentile([7.0], 0.99) == 7.0
    assert load.percentile([], 0.95) == 0.0


_SAMPLES = """
import importlib.util, sys
from locust import events
spec = importlib.util.spec_from_file_location("locustfile", "benchmarks/locustfile.py")
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
events.request.fire(request_type="GET", name="floor (trivial view)", response_time=3.25, response_length=2,
                    exception=None, context={})
events.request.fire(request_type="GET", name="a page", response_time=120.5, response_length=0,
                    exception=RuntimeError("500"), context={})
events.quitting.fire(environment=None)
"""


def test_the_locustfile_writes_every_request_to_the_samples_file(tmp_path):
    """Locust's own CSV holds one run's percentiles only; the bench needs every sample of both rounds."""
    import json

    from benchmarks.pages import SAMPLES_ENV

    sessions_file = tmp_path / "sessions.json"
    sessions_file.write_text(json.dumps(SESSIONS))
    samples = tmp_path / "samples.csv"
    samples.write_text("floor (trivial view),5.000,0\n")  # the round before
    env = {"PATH": "/usr/bin:/bin", "KPA_BENCH_SESSIONS": str(sessions_file), SAMPLES_ENV: str(samples)}

    subprocess.run(
        [sys.executable, "-c", _SAMPLES], env=env, cwd=Path(load.BASE_DIR), check=True, timeout=120
    )

    pages = {s.name: s for s in load.read_samples(samples, seconds=1)}
    assert (pages[FLOOR].requests, pages[FLOOR].p99) == (2, 5.0)
    assert (pages["a page"].requests, pages["a page"].failures, pages["a page"].p95) == (1, 1, 120.5)
    # And when each ended, to find the slow requests of one moment together (the round before had none).
    import csv

    ended = [float(row[3]) for row in csv.reader(samples.read_text().splitlines()) if len(row) == 4]
    assert len(ended) == 2
    # Seconds since the epoch of the process that ran locust, not of this test's clock (which a test run
    # may have pinned to another date): a time after 2020, the second request no earlier than the first.
    assert ended[0] > 1_577_836_800 and ended[1] >= ended[0]


class FakeStack:
    def __init__(self, schools, events, tmp_path):
        self.schools, self.events, self.base, self.sessions_file = schools, events, f"http://{schools}", None
        self.seeded, self.seconds = None, 0.0
        self.env = {"REDIS_URL": f"redis://fake/{schools}"}
        self.samples = tmp_path / f"samples_{schools}.csv"
        self.samples.write_text(f"{FLOOR},10.000,0\n{ROSTER},20.000,0\n{ADMIN_ROSTER},25.000,0\n")

    def stop(self):
        self.events.append(("stop", self.schools))


@pytest.fixture
def fake_bench(tmp_path, monkeypatch):
    """benchmarks.load.main with stacks, rounds and Redis faked: what it starts, loads, stops and empties."""
    events = []

    def start_stack(schools, index, args, base_env):
        events.append(("start", schools, index))
        return FakeStack(schools, events, tmp_path)

    def load_round(stack, seconds, args):
        events.append(("round", stack.schools, seconds))
        stack.seconds += seconds

    def wait_until_idle(stacks, seconds):
        events.append(("idle", sorted(stack.schools for stack in stacks)))
        return 0.0

    monkeypatch.setattr(load, "start_stack", start_stack)
    monkeypatch.setattr(load, "load_round", load_round)
    monkeypatch.setattr(load, "wait_until_idle", wait_until_idle)
    monkeypatch.setattr(load, "time_fresh_counts", lambda base, sessions_file: {})
    monkeypatch.setattr(load, "compile_bytecode", lambda: 0.0)
    monkeypatch.setattr(load, "_redis_dbs_empty", lambda url: True)
    monkeypatch.setattr(load, "_redis_flush", lambda url: events.append(("flush", url)))
    monkeypatch.setattr(load, "OUT_DIR", tmp_path)
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/14")
    return events


FLUSHED = [("flush", "redis://127.0.0.1:6379/14"), ("flush", "redis://127.0.0.1:6379/12")]


def test_every_scale_is_up_before_the_first_round_and_stopped_after_the_last(fake_bench):
    """The rounds alternate between servers that stay up (a server started anew for each round would
    measure its warm-up); before each round the workers of both have finished their work."""
    assert load.main(["--duration", "149"]) == 0

    both = [100, 10_000]
    assert fake_bench == [
        ("start", 100, 0),
        ("start", 10_000, 1),
        ("idle", both),
        ("round", 100, 75),
        ("idle", both),
        ("round", 10_000, 75),
        ("idle", both),
        ("round", 10_000, 75),
        ("idle", both),
        ("round", 100, 75),
        ("stop", 10_000),
        ("stop", 100),
        *FLUSHED,
    ]


def test_every_stack_is_stopped_and_redis_emptied_when_a_round_fails(fake_bench, monkeypatch):
    def failing_round(stack, seconds, args):
        fake_bench.append(("round", stack.schools, seconds))
        raise KeyboardInterrupt

    monkeypatch.setattr(load, "load_round", failing_round)

    with pytest.raises(KeyboardInterrupt):
        load.main(["--duration", "150"])

    assert fake_bench[-5:] == [("round", 100, 75), ("stop", 10_000), ("stop", 100), *FLUSHED]


def test_the_first_stack_is_stopped_when_the_second_does_not_start(fake_bench, monkeypatch, tmp_path):
    def start_stack(schools, index, args, base_env):
        if schools == 10_000:
            raise SystemExit("gunicorn did not answer")
        fake_bench.append(("start", schools, index))
        return FakeStack(schools, fake_bench, tmp_path)

    monkeypatch.setattr(load, "start_stack", start_stack)

    with pytest.raises(SystemExit, match="did not answer"):
        load.main([])

    assert fake_bench == [("start", 100, 0), ("stop", 100), *FLUSHED]


def test_redis_is_left_alone_when_it_held_data_before_the_run(fake_bench, monkeypatch):
    monkeypatch.setattr(load, "_redis_dbs_empty", lambda url: url.endswith("/14"))

    load.main([])

    assert not [event for event in fake_bench if event[0] == "flush"]


def test_a_stack_has_its_own_redis_for_broker_and_cache_and_stops_when_it_does_not_start(
    tmp_path, monkeypatch
):
    """Also a REDIS_CACHE_URL in the environment (or .env) must not make the scales share a cache."""
    started, stopped = [], []

    class Process:
        def __init__(self, cmd, env, **kwargs):
            self.env = env
            started.append(self)

        def poll(self):
            return None

    monkeypatch.setattr(
        load, "prepare_database", lambda schools, env, reseed: (f"postgres:///{schools}", None)
    )
    monkeypatch.setattr(load, "_run", lambda *args, **kwargs: "")
    monkeypatch.setattr(load, "warm_evaluation_results", lambda env: None)
    monkeypatch.setattr(load.subprocess, "Popen", Process)
    monkeypatch.setattr(load, "_stop", stopped.append)
    monkeypatch.setattr(load, "_warm_up", lambda *args, **kwargs: None)
    monkeypatch.setattr(load, "_wait_for", lambda url, seconds: None)
    monkeypatch.setattr(load, "OUT_DIR", tmp_path)
    args = load.argparse.Namespace(reseed=False, workers=3, threads=1)
    base_env = {"REDIS_URL": "redis://127.0.0.1:6379/14", "REDIS_CACHE_URL": "redis://127.0.0.1:6379/9"}

    stack = load.start_stack(10_000, 1, args, base_env)

    assert {(p.env["REDIS_URL"], p.env["REDIS_CACHE_URL"]) for p in started} == {
        ("redis://127.0.0.1:6379/12", "redis://127.0.0.1:6379/13")
    }
    assert stack.env["DATABASE_URL"] == "postgres:///10000"
    assert stopped == []

    def no_answer(url, seconds):
        raise SystemExit("gunicorn did not answer")

    monkeypatch.setattr(load, "_wait_for", no_answer)
    started.clear()
    with pytest.raises(SystemExit):
        load.start_stack(100, 0, args, base_env)
    assert sorted(map(id, stopped)) == sorted(map(id, started)) and len(started) == 2


def test_a_round_waits_until_no_worker_has_work():
    """A recount of the national dashboard asked for at the end of one scale's round takes its worker
    seconds at 10,000 schools; it must not run during the other scale's round."""
    answers = {"redis://a/12": [True, True, False], "redis://a/14": [False, True, False, False]}
    stacks = [FakeStack.__new__(FakeStack) for _ in range(2)]
    stacks[0].env, stacks[1].env = {"REDIS_URL": "redis://a/14"}, {"REDIS_URL": "redis://a/12"}
    asked, slept = [], []

    def busy(url):
        asked.append(url)
        return answers[url].pop(0)

    load.wait_until_idle(stacks, seconds=60, busy=busy, sleep=slept.append)

    assert asked[-2:] == ["redis://a/14", "redis://a/12"]  # the last look found both idle
    assert len(slept) == 3
    with pytest.raises(SystemExit, match="still busy"):
        load.wait_until_idle(stacks, seconds=0, busy=lambda url: True, sleep=lambda s: time.sleep(0.01))


def test_a_worker_is_busy_while_a_task_runs_or_waits(monkeypatch):
    class Broker:
        def __init__(self, unacked, lists):
            self.unacked, self.lists = unacked, lists

        def hlen(self, key):
            return self.unacked if key == "unacked" else 0

        def scan_iter(self, count):
            return iter([b"_kombu.binding.kpa-bench-100", *self.lists])

        def type(self, key):
            return b"set" if key.startswith(b"_kombu") else b"list"

        def llen(self, key):
            return self.lists[key]

    import redis

    for broker, busy in (
        (Broker(0, {}), False),
        (Broker(0, {b"kpa-bench-100": 0}), False),
        (Broker(1, {}), True),  # running (acknowledged late)
        (Broker(0, {b"kpa-bench-100": 2}), True),  # waiting
    ):
        monkeypatch.setattr(redis.Redis, "from_url", lambda url, socket_timeout, broker=broker: broker)
        assert load._worker_busy("redis://127.0.0.1:6379/14") is busy
