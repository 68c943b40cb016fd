"""The DUO import across real processes, as a national deployment runs it: two web servers (gunicorn, on
two ports) and Celery workers, sharing only the database and the broker (Redis in CI's second pass, the
filesystem broker under `make test`). The file is uploaded through one web server, previewed and
confirmed through the other, imported by a worker, and its progress read from the first. And a worker
killed (SIGKILL) halfway through an import leaves it to the next worker, which finishes it with the same
schools and figures as an uninterrupted run.

These tests commit (the servers and workers read what they wrote), so the database is flushed after each;
tests.celery_worker puts back what the migrations had put in."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
from django.conf import settings

from benchmarks.sessions import _session
from kpa.models import UserKind
from schools import import_jobs
from schools.models import DuoImport, DuoImportStatus, School
from schools.tasks import duo_import_run_task
from tests.celery_worker import (  # noqa: F401  (_keep_migration_data: a fixture of this module)
    _keep_migration_data,
    start_worker,
    stop_worker,
    worker_database_url,
)
from tests.conftest import with_totp
from tests.factories import UserFactory
from tests.schools.duo_files import duo_file

# The servers and workers run on the real clock; so does this module (CI's clock passes leave it out).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.real_clock]

WAIT = 120  # seconds: processes start in a few; CI machines can be slow
ROWS = 10_000  # a national file has about 9,400 locations


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Deployment:
    """Web servers and workers of one test, on a queue of their own (no other worker on this broker takes
    its tasks), with their output in files."""

    def __init__(self, tmp_path: Path, **extra_env: str):
        self.tmp_path = tmp_path
        self.queue = f"test-duo-{uuid.uuid4().hex[:12]}"
        self.env = {
            **os.environ,
            "KPA_TESTING": "1",
            "DEBUG": "0",
            "SECURE_COOKIES": "0",  # plain http on 127.0.0.1
            "DATABASE_URL": worker_database_url(),
            "SECRET_KEY": settings.SECRET_KEY,
            "KPA_CELERY_QUEUE": self.queue,
            **extra_env,
        }
        self.processes: list[subprocess.Popen] = []
        self.logs: list[Path] = []

    def web(self) -> str:
        port = free_port()
        log_path = self.tmp_path / f"web-{port}.log"
        command = [sys.executable, "-m", "gunicorn", "kpa.wsgi", "--bind", f"127.0.0.1:{port}"]
        command += ["--workers", "1", "--timeout", "120"]
        with log_path.open("w") as log:
            process = subprocess.Popen(
                command, cwd=settings.BASE_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        self.processes.append(process)
        self.logs.append(log_path)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            with contextlib.suppress(requests.ConnectionError):
                requests.get(f"{base}/accounts/login/", timeout=60)
                return base
            assert process.poll() is None, self.output()
            time.sleep(0.2)
        raise AssertionError(f"web server on {port} did not start\n{self.output()}")

    def worker(self) -> subprocess.Popen:
        n = len(self.processes)
        process = start_worker(
            env=self.env, log_path=self.tmp_path / f"worker-{n}.log", hostname=f"{self.queue}-{n}@%h"
        )
        self.processes.append(process)
        self.logs.append(self.tmp_path / f"worker-{n}.log")
        return process

    def output(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text()[-4000:]}" for path in self.logs if path.exists()
        )

    def stop(self) -> None:
        for process in self.processes:
            stop_worker(process)


@pytest.fixture
def deployment(tmp_path):
    started: list[Deployment] = []

    def _deployment(**extra_env: str) -> Deployment:
        made = Deployment(tmp_path, **extra_env)
        started.append(made)
        return made

    yield _deployment
    for made in started:
        made.stop()


def browser_of(admin) -> requests.Session:
    """An admin's browser: the session cookie a sign-in (with TOTP) leaves, valid on every web server."""
    browser = requests.Session()
    browser.cookies.set(settings.SESSION_COOKIE_NAME, _session(admin))
    return browser


def csrf_post(browser: requests.Session, base: str, path: str, **kwargs) -> requests.Response:
    page = browser.get(base + path, timeout=60)
    assert page.status_code == 200, page.status_code
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, page.text[:500]
    data = {"csrfmiddlewaretoken": token.group(1), **kwargs.pop("data", {})}
    return browser.post(
        base + path, data=data, headers={"Referer": base + path}, allow_redirects=False, timeout=120, **kwargs
    )


def wait_for(condition, what: str, deployment: Deployment, timeout: float = WAIT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.2)
    raise AssertionError(f"waited {timeout} s for {what}\n{deployment.output()}")


def admin():
    return with_totp(UserFactory(kind=UserKind.ADMIN, email=f"admin-{uuid.uuid4().hex[:6]}@example.org"))


def test_it_uploads_on_one_web_server_previews_on_another_and_imports_on_a_worker(deployment):
    stack = deployment(KPA_DUO_IMPORT_BATCH="500")
    first, second = stack.web(), stack.web()
    stack.worker()
    browser = browser_of(admin())

    uploaded = csrf_post(
        browser,
        first,
        "/schools/import/",
        files={"file": ("vestigingen.csv", duo_file(ROWS), "text/csv")},
        data={"sector": "PO"},
    )
    assert uploaded.status_code == 302, uploaded.text[:2000]
    job_path = uploaded.headers["Location"]

    preview = browser.get(second + job_path, timeout=120)
    assert preview.status_code == 200
    assert not School.objects.exists()
    confirmed = csrf_post(browser, second, job_path, data={"action": "confirm"})
    assert confirmed.status_code == 302

    seen = []

    def finished():
        progress = browser.get(f"{first}{job_path}progress/", timeout=30).json()
        seen.append(progress["percent"])
        return progress if progress["finished"] else None

    progress = wait_for(finished, "the import to finish", stack, timeout=600)
    assert progress["status"] == DuoImportStatus.DONE and progress["rows_done"] == ROWS
    assert School.objects.count() == ROWS
    job = DuoImport.objects.get()
    assert (job.created_count, job.rejected_count, bytes(job.data)) == (ROWS, 0, b"")
    result = browser.get(first + job_path, timeout=30)
    assert f"{ROWS}" in result.text and "data-import-progress" not in result.text


def test_a_worker_killed_halfway_leaves_an_import_the_next_worker_finishes(deployment, monkeypatch):
    data = duo_file(2_000, bad_every=13)
    stack = deployment(
        KPA_DUO_IMPORT_BATCH="100", KPA_DUO_IMPORT_PAUSE_SECONDS="0.3", KPA_DUO_IMPORT_LEASE_SECONDS="3"
    )
    web = stack.web()
    doomed = stack.worker()
    browser = browser_of(admin())
    job_path = csrf_post(
        browser, web, "/schools/import/", files={"file": ("v.csv", data, "text/csv")}, data={"sector": "PO"}
    ).headers["Location"]
    assert csrf_post(browser, web, job_path, data={"action": "confirm"}).status_code == 302
    job = DuoImport.objects.get()

    def halfway():
        job.refresh_from_db()
        return 300 <= job.rows_done <= 1_500

    wait_for(halfway, "the worker to be halfway", stack)
    os.kill(doomed.pid, signal.SIGKILL)
    doomed.wait(timeout=30)
    job.refresh_from_db()
    assert job.status == DuoImportStatus.RUNNING and job.rows_done < job.rows_total
    assert School.objects.count() == job.rows_done  # every committed batch, and nothing of the one it was in

    stack.worker()
    time.sleep(3.5)  # the dead worker's lease runs out; then the sweep asks again, as beat does every minute
    sent = []

    def to_this_stack(pk) -> None:  # the sweep's own sending, onto this test's queue
        sent.append(pk)
        duo_import_run_task.apply_async(args=[str(pk)], queue=stack.queue)

    monkeypatch.setattr(import_jobs, "_enqueue", to_this_stack)
    assert import_jobs.duo_imports_resume() == 1
    assert sent == [job.pk]

    def done():
        job.refresh_from_db()
        return job.status == DuoImportStatus.DONE

    wait_for(done, "the next worker to finish", stack, timeout=300)
    interrupted = sorted(School.objects.values_list("brin", "vestiging", "name", "postcode"))
    figures = (job.rows_total, job.rows_done, job.created_count, job.unchanged_count, job.rejected_count)
    expected_rows = 2_000 - 2_000 // 13
    assert figures == (expected_rows, expected_rows, expected_rows, 0, 2_000 // 13)
    assert len(interrupted) == len(set(interrupted)) == expected_rows

    # The same file again, uninterrupted, on what the interrupted run left: nothing to change.
    again = csrf_post(
        browser, web, "/schools/import/", files={"file": ("v.csv", data, "text/csv")}, data={"sector": "PO"}
    ).headers["Location"]
    csrf_post(browser, web, again, data={"action": "confirm"})
    rerun = DuoImport.objects.exclude(pk=job.pk).get()
    wait_for(lambda: DuoImport.objects.get(pk=rerun.pk).status == DuoImportStatus.DONE, "the rerun", stack)
    rerun.refresh_from_db()
    assert (rerun.created_count, rerun.updated_count, rerun.unchanged_count) == (0, 0, expected_rows)
    assert sorted(School.objects.values_list("brin", "vestiging", "name", "postcode")) == interrupted
