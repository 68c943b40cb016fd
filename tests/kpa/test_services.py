"""The real moving parts: the database and broker in use, and a Celery worker process running a task.

Under `make test` these run on the embedded defaults (SQLite, filesystem broker); in CI's second pass
(KPA_REQUIRE_SERVICES=1) they must run on PostgreSQL and Redis, and fail when those are missing."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from kpa.tasks import ping_task
from tests.celery_worker import start_worker, stop_worker

BASE_DIR = Path(settings.BASE_DIR)
REQUIRE_SERVICES = os.environ.get("KPA_REQUIRE_SERVICES") == "1"


@pytest.mark.django_db
def test_it_uses_the_services_the_environment_names():
    if REQUIRE_SERVICES:
        assert connection.vendor == "postgresql"
        assert settings.CELERY_BROKER_URL.startswith("redis://")
        assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
        import redis

        assert redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=5).ping()
    else:
        assert connection.vendor == "sqlite"
        assert settings.CELERY_BROKER_URL == "filesystem://"


def test_it_turns_postgresqls_jit_off(monkeypatch):
    """JIT compiling cost more than it saved on the dashboard's counts (docs/performance.md)."""
    import importlib

    import kpa.settings

    monkeypatch.setenv("DATABASE_URL", "postgres://kpa@db:5432/kpa")
    try:
        assert importlib.reload(kpa.settings).DATABASES["default"]["OPTIONS"]["options"] == "-c jit=off"
        monkeypatch.setenv("DATABASE_URL", "postgres://kpa@db:5432/kpa?options=-c%20work_mem%3D64MB")
        assert importlib.reload(kpa.settings).DATABASES["default"]["OPTIONS"]["options"] == "-c work_mem=64MB"
    finally:
        monkeypatch.undo()
        importlib.reload(kpa.settings)


@pytest.mark.django_db
def test_the_database_runs_without_jit():
    if REQUIRE_SERVICES:
        with connection.cursor() as cursor:
            cursor.execute("SHOW jit")
            assert cursor.fetchone()[0] == "off"


def test_it_keeps_the_cache_out_of_the_brokers_redis_database():
    from kpa.settings import _next_redis_db

    assert _next_redis_db("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/1"
    assert _next_redis_db("redis://127.0.0.1:6379") == "redis://127.0.0.1:6379/1"


@pytest.mark.real_clock  # the worker process runs on the real clock
def test_it_runs_a_task_in_a_real_worker_process(tmp_path):
    log_path = tmp_path / "worker.log"
    worker = start_worker(
        env={**os.environ, "KPA_TESTING": "1"}, log_path=log_path, hostname=f"test-{os.getpid()}@%h"
    )
    try:
        started = time.monotonic()
        result = ping_task.delay()
        assert result.get(timeout=90) == "pong", log_path.read_text()
        assert time.monotonic() - started < 90
    finally:
        stop_worker(worker)
