"""Starting and stopping a real Celery worker process for the tests that need one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from django.conf import settings


def start_worker(*, env: dict, log_path: Path, hostname: str, queue: str | None = None) -> subprocess.Popen:
    """A solo-pool worker of the kpa app, its output in `log_path`; on `queue` only when given."""
    command = [sys.executable, "-m", "celery", "-A", "kpa", "worker", "--pool=solo", "--loglevel=INFO"]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat", "--hostname", hostname]
    if queue:
        command += ["--queues", queue]
    with log_path.open("w") as log:
        return subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)


def stop_worker(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
