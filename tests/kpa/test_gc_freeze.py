"""A web worker moves its long-lived objects out of the collector's way after its first requests
(kpa.gc_freeze, installed by kpa.wsgi)."""

import subprocess
import sys
import threading

import pytest
from django.core.signals import request_finished

from kpa import gc_freeze


@pytest.fixture
def calls(monkeypatch):
    """What the receiver asks of the collector, without freezing the test process itself."""
    made: list[str] = []
    monkeypatch.setattr(gc_freeze.gc, "collect", lambda: made.append("collect"))
    monkeypatch.setattr(gc_freeze.gc, "freeze", lambda: made.append("freeze"))
    yield made
    request_finished.disconnect(dispatch_uid=gc_freeze.DISPATCH_UID)


def receivers() -> int:
    return sum(1 for key, _receiver, *_ in request_finished.receivers if key[0] == gc_freeze.DISPATCH_UID)


def test_it_collects_then_freezes_once_after_the_first_requests(client, db, calls):
    gc_freeze.install(3)
    for _ in range(2):
        client.get("/health/")
    assert calls == []
    client.get("/health/")
    assert calls == ["collect", "freeze"]  # the garbage first: what is frozen is never collected
    assert receivers() == 0
    client.get("/health/")
    assert calls == ["collect", "freeze"]


def test_threads_finishing_at_once_freeze_once(calls):
    """gunicorn's gthread workers (docker/gunicorn.conf.py) finish requests on several threads."""
    receiver = gc_freeze.install(200)
    threads = [threading.Thread(target=lambda: [receiver() for _ in range(50)]) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert calls == ["collect", "freeze"]
    assert receivers() == 0


def test_installing_again_starts_the_count_anew(db, calls):
    gc_freeze.install(2)
    gc_freeze.install(2)
    assert receivers() == 1
    request_finished.send(sender=None)
    assert calls == []
    request_finished.send(sender=None)
    assert calls == ["collect", "freeze"]


def test_the_wsgi_application_installs_it():
    """gunicorn (and runserver) import kpa.wsgi; the test client does not, so it is checked in a process
    of its own: after FREEZE_AFTER requests that process has frozen objects."""
    code = (
        "import gc, kpa.wsgi\n"
        "from django.core.signals import request_finished\n"
        "from kpa.gc_freeze import FREEZE_AFTER\n"
        "for n in range(FREEZE_AFTER):\n"
        "    assert gc.get_freeze_count() == 0, n\n"
        "    request_finished.send(sender=None)\n"
        "print(gc.get_freeze_count() > 0)\n"
    )
    env = {"DEBUG": "1", "PATH": "/usr/bin:/bin"}
    found = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, timeout=60
    )
    assert found.stdout.strip() == "True"
