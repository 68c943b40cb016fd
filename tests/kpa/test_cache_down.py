"""Redis down: the cache is an optimisation, never a dependency of a page. With the cache pointed at a
port where nothing listens, every role signs in (rate limits and used TOTP codes live in the cache) and
opens every page of its menu (the roster keeps its choice lists in the cache)."""

from __future__ import annotations

import importlib
import re

import pytest
from django.test import Client
from django.urls import reverse

import kpa.cache
from tests.conftest import totp_code
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
UNREACHABLE = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connection refused at once


@pytest.fixture
def redis_down(settings, monkeypatch):
    monkeypatch.setattr(kpa.cache, "_down_until", {})
    settings.CACHES = {
        "default": {
            "BACKEND": "kpa.cache.FallbackRedisCache",
            "LOCATION": UNREACHABLE,
            "OPTIONS": {"FALLBACK": "fallback"},
        },
        "fallback": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "kpa_cache_fallback",
        },
    }


def sign_in(user) -> Client:
    client = Client()
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response
    if response["Location"] == reverse("mfa_authenticate"):
        response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
        assert response.status_code == 302, response
    assert client.session.get("_auth_user_id") == str(user.pk)
    return client


def menu_pages(client) -> list[str]:
    """Every link of the main menu (and the account menu) as the start page shows it to this user."""
    page = client.get(reverse("kpa:home"))
    assert page.status_code == 200
    nav = re.search(r"<nav.*?</nav>", page.text, re.DOTALL).group(0)
    return sorted(set(re.findall(r'href="(/[^"#]*)"', nav)))


def test_it_signs_every_role_in_and_opens_every_menu_page_with_redis_down(
    redis_down, school, ib, partner, coordinator, wijk_coordinator, admin_user
):
    wrong = []
    for user in (ib, partner, coordinator, wijk_coordinator, admin_user):
        client = sign_in(user)
        pages = menu_pages(client)
        assert reverse("schools:list") in pages
        pages.append(reverse("schools:list") + "?gap=vacant")
        if user is admin_user:
            pages.append(reverse("admin:index"))
        for url in pages:
            status = client.get(url).status_code
            if status != 200:
                wrong.append(f"{user.email} {url}: {status}")
        assert client.post(reverse("account_logout")).status_code == 302
    assert not wrong, "\n".join(wrong)


def test_it_keeps_counting_failed_logins_with_redis_down(redis_down, partner):
    client = Client()
    for _ in range(5):
        client.post(reverse("account_login"), {"login": partner.email, "password": "wrong-password"})
    response = client.post(reverse("account_login"), {"login": partner.email, "password": PASSWORD})
    assert client.session.get("_auth_user_id") is None
    assert "Te veel inlogpogingen" in response.text


def test_it_tries_redis_again_after_a_while(redis_down, monkeypatch):
    from django.core.cache import cache

    calls = []
    real = kpa.cache.RedisCache.get

    def counting_get(self, *args, **kwargs):
        calls.append(args)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(kpa.cache.RedisCache, "get", counting_get)
    now = [1000.0]
    monkeypatch.setattr(kpa.cache.time, "monotonic", lambda: now[0])
    cache.set("k", "v")  # Redis refuses; the database cache keeps it
    assert cache.get("k") == "v"
    assert cache.get("k") == "v"
    assert calls == []  # within 30 seconds Redis is left alone
    now[0] += 31
    assert cache.get("k") == "v"
    assert len(calls) == 1  # tried once more, refused again, answered from the database


def test_it_uses_the_fallback_cache_whenever_redis_is_configured(monkeypatch):
    import kpa.settings

    monkeypatch.setenv("REDIS_URL", "redis://redis:6379/0")
    try:
        reloaded = importlib.reload(kpa.settings)
        assert reloaded.CACHES["default"]["BACKEND"] == "kpa.cache.FallbackRedisCache"
        assert reloaded.CACHES["default"]["LOCATION"] == "redis://redis:6379/1"
        fallback = reloaded.CACHES[reloaded.CACHES["default"]["OPTIONS"]["FALLBACK"]]
        assert fallback["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    finally:
        monkeypatch.delenv("REDIS_URL")
        importlib.reload(kpa.settings)


def test_it_has_the_fallback_table_after_migrate():
    from django.db import connection

    assert "kpa_cache_fallback" in connection.introspection.table_names()
