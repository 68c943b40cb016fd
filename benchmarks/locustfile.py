"""The load of `make bench` (started by benchmarks.load): who does what, how often.

Each simulated person reuses one signed-in session from the JSON file in KPA_BENCH_SESSIONS and waits
0.2-1 s between requests, so the server is busy but not saturated: the figures are latency, not queueing.
It waits as long before its first request: a round spawns everyone at once, and their first requests,
all in the same instant, queued behind each other (a fifth of a run's slow requests were those).
Any answer other than the expected one (200 for a page, the 302 after a saved log) is an error; a
redirect is never followed, so a lost session cannot pass as a 200 of the login page.
"""

from __future__ import annotations

import csv
import json
import os
import random
import re
import time
from pathlib import Path
from urllib.parse import urlencode

import gevent
from locust import HttpUser, between, events, task

from benchmarks.pages import (
    ADMIN_DASHBOARD,
    ADMIN_MEETINGS,
    ADMIN_NATIONAL,
    ADMIN_PEOPLE,
    ADMIN_ROSTER,
    ADMIN_WIJKEN,
    DASHBOARD,
    EVAL_AREA,
    EVAL_SCHOOL,
    FLOOR,
    FLOOR_PROBES,
    IB_LOG,
    IB_SAVE,
    PARTNER_AGREEMENTS,
    PARTNER_HOME,
    PARTNER_SCHOOL,
    ROSTER,
    SAMPLES_ENV,
    in_mix,
    last_school_year,
)

SESSIONS: dict[str, list[dict]] = json.loads(Path(os.environ["KPA_BENCH_SESSIONS"]).read_text())
ENVIRON = dict(os.environ)
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PARTNER_ROLES = ("buurtteam", "jgz", "passend_onderwijs", "leerplicht")


class SampleFile:
    """Every request of this run appended to the file in KPA_BENCH_SAMPLES: page, milliseconds, 1 when it
    failed, and when it ended (seconds since the epoch, to find the slow ones of one moment together).
    benchmarks.load takes the percentiles of a scale from the samples of both its rounds."""

    def __init__(self, path: str) -> None:
        self.handle = open(path, "a", newline="")  # noqa: SIM115  (closed when locust quits)
        self.writer = csv.writer(self.handle)

    def record(self, name: str, response_time: float, exception: BaseException | None = None, **_) -> None:
        ended = f"{time.time():.3f}"
        self.writer.writerow((name, f"{response_time:.3f}", 1 if exception else 0, ended))

    def close(self, **_) -> None:
        self.handle.close()


if ENVIRON.get(SAMPLES_ENV):
    SAMPLES = SampleFile(ENVIRON[SAMPLES_ENV])
    events.request.add_listener(SAMPLES.record)
    events.quitting.add_listener(SAMPLES.close)


class KpaUser(HttpUser):
    abstract = True
    wait_time = between(0.2, 1.0)
    pool = ""

    def on_start(self) -> None:
        self.account = random.choice(SESSIONS[self.pool])  # noqa: S311
        self.client.cookies.set("sessionid", self.account["session"])
        self.first_wait()

    def first_wait(self) -> None:
        """A wait as between two requests, before the first: the people of a round, spawned together, then
        ask at moments of their own from the start, as they do later on."""
        gevent.sleep(self.wait_time())

    def get(self, url: str, name: str) -> str:
        with self.client.get(url, name=name, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} {response.headers.get('Location', '')}")
            return response.text or ""


class IbUser(KpaUser):
    """Logs a meeting: opens its log page, and now and then saves it."""

    weight = 3
    pool = "ib"
    abstract = not in_mix(pool, ENVIRON)  # an abstract class is never spawned

    def on_start(self) -> None:
        super().on_start()
        self.token = ""

    @task(3)
    def log_page(self) -> None:
        body = self.get(f"/meetings/{self.account['meeting']}/log/", IB_LOG)
        match = CSRF_RE.search(body)
        if match:
            self.token = match.group(1)

    @task(1)
    def save_log(self) -> None:
        if not self.token:
            return self.log_page()
        url = f"/meetings/{self.account['meeting']}/log/"
        data = {**self.account["form"], "csrfmiddlewaretoken": self.token}
        with self.client.post(url, data=data, name=IB_SAVE, allow_redirects=False, catch_response=True) as r:
            if r.status_code != 302:
                r.failure(f"{r.status_code}: the log was not saved")
        return None


class PartnerUser(KpaUser):
    """Reads: the start page with all their schools, one school's page, their open agreements."""

    weight = 4
    pool = "partner"
    abstract = not in_mix(pool, ENVIRON)  # an abstract class is never spawned

    @task(3)
    def home(self) -> None:
        self.get("/", PARTNER_HOME)

    @task(2)
    def school(self) -> None:
        schools = self.account["schools"]
        if schools:
            self.get(f"/schools/{random.choice(schools)}/", PARTNER_SCHOOL)  # noqa: S311

    @task(2)
    def agreements(self) -> None:
        self.get("/meetings/agreements/", PARTNER_AGREEMENTS)

    @task(1)
    def evaluation(self) -> None:
        """A school's process-evaluation results, of this school year or (now and then) an earlier one."""
        schools = self.account["schools"]
        if schools:
            year = "" if random.random() < 0.7 else f"?year={last_school_year()}"  # noqa: S311
            self.get(f"/evaluaties/results/{random.choice(schools)}/{year}", EVAL_SCHOOL)  # noqa: S311


def roster_query(wijken: list[int]) -> str:
    """A coordinator's filter: a wijk, a vacant role, a gap, a sector, or a combination; sometimes page 2."""
    rng = random  # the module RNG: the bench needs variety, not secrets (no S311 for module calls)
    params: dict[str, str] = {}
    choice = rng.randrange(5)
    if choice == 0 and wijken:
        params["wijk"] = str(rng.choice(wijken))
    elif choice == 1:
        params["missing_role"] = rng.choice(PARTNER_ROLES)
    elif choice == 2:
        params["gap"] = rng.choice(("vacant", "ending"))
    elif choice == 3:
        params.update(sector=rng.choice(("PO", "VO")), gap="vacant")
        if wijken:
            params["wijk"] = str(rng.choice(wijken))
    if rng.random() < 0.2:
        params["page"] = "2"
    return "/schools/?" + urlencode(params)


class CoordinatorUser(KpaUser):
    """Filters the roster; the city's coordinator now and then opens the dashboard (issue 12). The first
    coordinator to start (after its first wait) is always the city's, so that every run measures the
    dashboard (a random pick among Utrecht's eleven coordinators left it out of some runs)."""

    weight = 2
    pool = "coordinator"
    abstract = not in_mix(pool, ENVIRON)  # an abstract class is never spawned
    spawned = 0

    def on_start(self) -> None:
        super().on_start()
        if CoordinatorUser.spawned == 0:
            self.account = next(a for a in SESSIONS[self.pool] if a.get("city"))
            self.client.cookies.set("sessionid", self.account["session"])
        CoordinatorUser.spawned += 1

    @task(3)
    def roster(self) -> None:
        self.get(roster_query(self.account["wijken"]), ROSTER)

    @task(2)  # one visit in three of the city's: enough for a p95 that is not its one count anew
    def dashboard(self) -> None:
        if not self.account.get("city"):
            return self.roster()
        self.get("/dashboard/", DASHBOARD)
        return None

    @task(1)
    def evaluation(self) -> None:
        """The results by role: their wijk (a wijk coordinator), the whole gemeente (the city's)."""
        self.get("/evaluaties/results/", EVAL_AREA)


class AdminUser(KpaUser):
    """An admin who manages the whole country (issue 15): the national roster with a filter, the meetings
    of every school, the wijken and the people. Always in the mix; `benchmarks.load --admin` runs it alone
    (with the floor)."""

    weight = 2
    pool = "admin"
    abstract = not in_mix(pool, ENVIRON)  # an abstract class is never spawned

    @task(3)
    def roster(self) -> None:
        self.get(roster_query([]), ADMIN_ROSTER)

    @task(2)
    def meetings(self) -> None:
        self.get("/meetings/", ADMIN_MEETINGS)

    @task(1)
    def wijken(self) -> None:
        self.get("/manage/wijken/", ADMIN_WIJKEN)

    @task(1)
    def people(self) -> None:
        self.get("/people/", ADMIN_PEOPLE)


class AdminDashboardUser(KpaUser):
    """An admin's dashboard (issue 12): Utrecht picked out of every gemeente in the country (the picker
    lists them all), and the national view of every gemeente at once."""

    weight = 1
    pool = "admin"
    abstract = not in_mix(pool, ENVIRON)  # an abstract class is never spawned

    @task
    def dashboard(self) -> None:
        self.get("/dashboard/?" + urlencode({"gemeente": self.account["gemeente"]}), ADMIN_DASHBOARD)

    @task
    def national(self) -> None:
        self.get("/dashboard/?gemeente=all", ADMIN_NATIONAL)


class FloorUser(KpaUser):
    """Asks only the floor. FLOOR_PROBES of them, whatever --users says (locust spawns a fixed_count class
    first and shares the rest among the weights), each with a session of its own."""

    fixed_count = FLOOR_PROBES
    pool = "floor"
    abstract = not in_mix(pool, ENVIRON)  # an abstract class is never spawned
    spawned = 0

    def on_start(self) -> None:
        floor = SESSIONS[self.pool]
        self.account = floor[FloorUser.spawned % len(floor)]
        FloorUser.spawned += 1
        self.client.cookies.set("sessionid", self.account["session"])
        self.first_wait()

    @task
    def floor(self) -> None:
        self.get("/bench/floor/", FLOOR)
