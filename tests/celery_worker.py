"""Starting and stopping a real Celery worker process for the tests that need one; the test database as
the worker reaches it, and kept whole across the flushes of the transactional tests that use one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.db import connection, transaction


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


@pytest.fixture(scope="module", autouse=True)
def _keep_migration_data(django_db_setup, django_db_blocker):
    """A transactional test ends with a flush, which also empties what data migrations seeded: save it
    before the first test of this module and put it back after the last. (Content types and permissions
    the flush makes again itself.)"""
    with django_db_blocker.unblock():
        saved = connection.creation.serialize_db_to_string()
    yield
    remade_by_flush = (ContentType, Permission)
    with django_db_blocker.unblock(), transaction.atomic(), connection.constraint_checks_disabled():
        for stored in serializers.deserialize("json", saved):
            if not isinstance(stored.object, remade_by_flush):
                stored.save()


def worker_database_url() -> str:
    """The test database, as a URL for the worker's DATABASE_URL."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        name = str(db["NAME"])
        assert name.startswith("/") and "mode=memory" not in name, (
            "The worker needs the SQLite test database as a file: "
            'set DATABASES["default"]["TEST"]["NAME"] in kpa/settings.py.'
        )
        return f"sqlite:///{name}"
    assert connection.vendor == "postgresql", connection.vendor
    auth = ""
    if db["USER"]:
        auth = quote(db["USER"], safe="") + (f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else "")
        auth += "@"
    return f"postgres://{auth}{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
