"""The production stack's file (docker-compose.yml) as a national deployment scales it: several web
containers behind one load balancer, several workers, one beat. Docker Compose is not on the CI machine;
these tests read the file."""

from pathlib import Path

import yaml
from django.conf import settings

BASE = Path(settings.BASE_DIR)


def services() -> dict:
    return yaml.safe_load((BASE / "docker-compose.yml").read_text())["services"]


def test_it_lets_web_scale_behind_the_load_balancer():
    stack = services()

    assert "ports" not in stack["web"]  # a published host port would stop a second web container
    assert stack["web"]["expose"] == ["8000"]
    assert stack["proxy"]["ports"] == ["${KPA_BIND:-127.0.0.1}:${KPA_PORT:-8000}:8000"]
    assert "./docker/Caddyfile:/etc/caddy/Caddyfile:ro" in stack["proxy"]["volumes"]


def test_the_load_balancer_finds_every_web_container_and_keeps_the_tls_proxys_headers():
    caddyfile = (BASE / "docker" / "Caddyfile").read_text()

    assert "dynamic a {" in caddyfile and "name web" in caddyfile and "port 8000" in caddyfile
    assert "trusted_proxies static private_ranges" in caddyfile


def test_workers_scale_and_beat_does_not():
    stack = services()

    assert "container_name" not in stack["worker"] and "ports" not in stack["worker"]
    assert "Exactly one beat" in (BASE / "docker-compose.yml").read_text()
