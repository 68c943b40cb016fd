"""`make run`: its processes get the links of the port they serve, its mails can be read in var/mail/, and
Ctrl-C stops the web server, worker and beat within seconds. The stop test runs `make serve` (what `make
run` does after migrating and loading the demo data) as a terminal would, and presses Ctrl-C: SIGINT to
its foreground process group."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from kpa.outbox.models import Notification
from meetings import services
from tests.celery_worker import _keep_migration_data, worker_database_url  # noqa: F401  (a fixture)
from tests.factories import AssignmentFactory, UserFactory

BASE_DIR = Path(settings.BASE_DIR)
START = 180  # seconds: three Python processes start on a machine that may be busy with other tests
# The tasks that send due mails: the save's own send_due, or the beat's sweep (which sends what it finds).
SENDER_RECEIVED = re.compile(r"Task kpa\.outbox\.(?:send_due|sweep)\[([0-9a-f-]+)\] received")
TASK_ENDED = re.compile(r"\[([0-9a-f-]+)\] (?:succeeded|failed|raised)")
TASK_DISCARDED = re.compile(r"Discarding revoked task: [\w.]+\[([0-9a-f-]+)\]")  # revoked by an earlier test
STOP = 10  # seconds: TERM, and KILL 4 s later for whatever still runs; a busy machine adds some


def settings_under(env: dict) -> dict:
    """SITE_URL and MAILERS as kpa/settings.py makes them in a fresh process with this environment (and
    nothing of the test run's own)."""
    clean = {
        k: v for k, v in os.environ.items() if k not in {"EMAIL_URL", "SITE_URL", "KPA_TESTING", "DEBUG"}
    }
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps({'SITE_URL': settings.SITE_URL, 'MAILERS': settings.MAILERS}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env={**clean, "DJANGO_SETTINGS_MODULE": "kpa.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_it_writes_the_mails_of_development_as_files_in_var_mail():
    mailer = settings_under({"DEBUG": "1"})["MAILERS"]["default"]
    assert mailer == {
        "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "OPTIONS": {"file_path": str(BASE_DIR / "var" / "mail")},
    }


def test_it_sends_through_the_email_url_when_one_is_given():
    mailer = settings_under({"DEBUG": "1", "EMAIL_URL": "smtp://127.0.0.1:2525"})["MAILERS"]["default"]
    assert mailer["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert mailer["OPTIONS"]["port"] == 2525


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def session_processes(sid: int) -> dict[int, str]:
    """pid -> command line of every live process of this session (Linux /proc)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()  # state, ppid, pgrp, session, ...
            if int(fields[3]) == sid and fields[0] != "Z":
                found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, ValueError):
            continue  # ended meanwhile
    return found


def environment_of(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(item.decode().split("=", 1) for item in raw if b"=" in item)


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5):  # noqa: S310  (a local http:// URL)
            return True
    except urllib.error.HTTPError:
        return True  # it answered
    except OSError:
        return False


def wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return condition()


@contextlib.contextmanager
def silent_smtp_server():
    """A port that takes connections and never says a word: a mail sent there hangs until its timeout."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        yield server.getsockname()[1]


@pytest.mark.real_clock  # starts processes
@pytest.mark.django_db(transaction=True)  # the worker reads what the test wrote
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the processes from Linux's /proc")
def test_it_serves_on_port_with_links_to_that_port_and_stops_everything_on_ctrl_c(tmp_path, school):
    """`PORT=… make serve` gives every process SITE_URL on that port. Ctrl-C while the worker is busy
    sending (to an SMTP server that never answers, so a warm shutdown would wait for the mail's timeout)
    stops everything within seconds, and the mail it was sending is still due: nothing is lost."""
    port = free_port()
    log_path = tmp_path / "make-serve.log"
    # A beat's sweep queued by an earlier test (a make serve stopped before its worker took it) would be
    # taken by this worker at its start and could claim the two invitations before the save's own task
    # does: the test wants the worker busy with that task. Nothing of this test is queued yet.
    from kpa.celery import app

    app.control.purge()
    with silent_smtp_server() as smtp_port:
        env = {k: v for k, v in os.environ.items() if k != "SITE_URL"}
        # The test database and the tests' broker folder; the rest as `make run` has it.
        env |= {
            "KPA_TESTING": "1",
            "PYTHONUNBUFFERED": "1",
            "DATABASE_URL": worker_database_url(),
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
            "EMAIL_TIMEOUT": "120",
        }
        # Ctrl-C handled as in a terminal even when the tests run in a shell's background job, which
        # starts with SIGINT ignored (and bash cannot trap a signal ignored when it started): the child
        # gets the default action from a parent that handles SIGINT while it starts it.
        ignoring = signal.signal(signal.SIGINT, signal.default_int_handler)
        with log_path.open("w") as log:
            make = subprocess.Popen(
                ["make", "--no-print-directory", "serve", f"PORT={port}"],
                cwd=BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own session and foreground group, as in a terminal
            )
        signal.signal(signal.SIGINT, ignoring)
        try:
            started = wait_for(
                lambda: answers(f"http://127.0.0.1:{port}/") and " ready." in log_path.read_text(), START
            )
            assert started, log_path.read_text()
            running = session_processes(make.pid)
            pythons = [pid for pid, cmd in running.items() if Path(cmd.split()[0]).name.startswith("python")]
            assert len(pythons) >= 3, running  # web server (and its reloader), worker, beat
            for pid in pythons:
                assert environment_of(pid)["SITE_URL"] == f"http://127.0.0.1:{port}", running[pid]

            # Two invitations due; saving queues the sender's task, which the worker takes and then hangs
            # on the silent server.
            for person in UserFactory.create_batch(2):
                AssignmentFactory(person=person, school=school, start_date=dt.date(2020, 8, 1))
            services.meeting_schedule(school=school, starts_at=timezone.now() + dt.timedelta(days=10))

            def taken() -> str | None:
                """The id of a sending task the worker took and has not finished: hanging on the silent
                server. Usually the one the save queued; but the beat sends a sweep as it starts and then
                every minute, and a sweep that runs just after the save's commit sends the invitations
                itself (CI, 2026-12-06: the save's task then found nothing). One that ran before the
                commit found nothing and has finished."""
                log = log_path.read_text()
                ended = set(TASK_ENDED.findall(log)) | set(TASK_DISCARDED.findall(log))
                hanging = [id_ for id_ in SENDER_RECEIVED.findall(log) if id_ not in ended]
                return hanging[0] if hanging else None

            assert wait_for(taken, START), log_path.read_text()
            time.sleep(1)
            kick = taken()  # (one that found nothing has finished by now)
            assert kick, log_path.read_text()

            pressed = time.monotonic()
            os.killpg(make.pid, signal.SIGINT)  # Ctrl-C
            stopped = wait_for(lambda: not session_processes(make.pid), STOP + 60)
            took = time.monotonic() - pressed
            print(f"make serve stopped {took:.1f} s after Ctrl-C")  # shown with -s
            assert stopped, f"Still running after {took:.1f} s: {session_processes(make.pid)}"
            assert took < STOP, f"Stopping took {took:.1f} s"
        finally:
            for pid in session_processes(make.pid):
                os.kill(pid, signal.SIGKILL)
            make.wait(timeout=15)
    assert f"{kick}] succeeded" not in log_path.read_text()  # stopped in the middle of sending
    assert Notification.objects.filter(sent_at=None, skipped_at=None).count() == 2  # still due
