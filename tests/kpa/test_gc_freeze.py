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
    """gunicorn's gthread workers (docker/gunicorn.conf.py) finish requests on several threads. The threads
    start together and switch as often as the interpreter lets them, so that they interleave as much as
    they can; a test cannot force the one bad interleaving (the count taken from 1 to -1 by two threads
    before either checks it), which the lock rules out."""
    receiver = gc_freeze.install(400)
    start = threading.Barrier(8)

    def finish_requests():
        start.wait()
        for _ in range(50):
            receiver()

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=finish_requests) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
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


def test_installing_none_freezes_never(calls):
    assert gc_freeze.install(0) is None
    assert receivers() == 0


@pytest.mark.parametrize(("setting", "frozen_after"), [("", 50), ("3", 3), ("0", None)])
def test_the_wsgi_application_installs_it(setting, frozen_after):
    """gunicorn (and runserver) import kpa.wsgi; the test client does not, so it is checked in a process
    of its own: after KPA_GC_FREEZE_AFTER requests (50 unless set; 0 never) that process has frozen
    objects, and not before."""
    code = (
        "import gc, kpa.wsgi\n"
        "from django.core.signals import request_finished\n"
        "for n in range(1, 101):\n"
        "    request_finished.send(sender=None)\n"
        "    if gc.get_freeze_count():\n"
        "        print(n)\n"
        "        break\n"
        "else:\n"
        "    print('never')\n"
    )
    env = {"DEBUG": "1", "PATH": "/usr/bin:/bin"}
    if setting:
        env["KPA_GC_FREEZE_AFTER"] = setting
    found = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, timeout=60
    )
    assert found.stdout.strip() == str(frozen_after or "never")
