"""Login limits behind a reverse proxy: counted per visitor and per account, never per proxy, and an
X-Forwarded-For header is believed only when KPA is told a proxy is in front of it."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
LOGIN = reverse("account_login")
PROXY = "10.0.0.2"  # every request reaches KPA from the proxy's address


def attempt(email, password, *, forwarded_for=None, remote_addr=PROXY, client=None):
    """One login through the form, from `remote_addr`, with the proxy's X-Forwarded-For if given."""
    client = client or Client()
    extra = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    response = client.post(LOGIN, {"login": email, "password": password}, **extra)
    return client, response


def logged_in(client) -> bool:
    return client.session.get("_auth_user_id") is not None


@pytest.fixture
def behind_proxy(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1


def test_it_does_not_lock_out_others_for_one_person_s_mistakes_behind_the_proxy(behind_proxy, partner):
    for n in range(6):  # one visitor mistypes on six accounts: that visitor is paused
        attempt(f"nobody{n}@example.org", "wrong-password", forwarded_for="203.0.113.5")
    client, response = attempt(partner.email, PASSWORD, forwarded_for="203.0.113.5")
    assert not logged_in(client)
    assert "Te veel inlogpogingen" in response.text
    # Someone else, through the same proxy, logs in as usual.
    client, _response = attempt(partner.email, PASSWORD, forwarded_for="198.51.100.7")
    assert logged_in(client)


def test_it_does_not_cap_everyone_s_logins_together_behind_the_proxy(behind_proxy, db):
    """allauth allows 30 logins a minute per address: behind the proxy that is per visitor."""
    people = [UserFactory() for _ in range(31)]
    for n, person in enumerate(people):
        client, _response = attempt(person.email, PASSWORD, forwarded_for=f"198.51.100.{n + 1}")
        assert logged_in(client), person.email


def test_it_takes_the_address_the_proxy_added_not_what_the_visitor_wrote(behind_proxy, partner):
    """The proxy appends the address it saw; whatever a visitor put in front of it is ignored."""
    for n in range(5):
        attempt(f"nobody{n}@example.org", "wrong-password", forwarded_for=f"192.0.2.{n}, 203.0.113.5")
    client, _response = attempt(partner.email, PASSWORD, forwarded_for="192.0.2.99, 203.0.113.5")
    assert not logged_in(client)


def test_it_ignores_a_spoofed_forwarded_for_without_a_trusted_proxy(partner):
    for n in range(5):
        attempt(
            f"nobody{n}@example.org",
            "wrong-password",
            remote_addr="203.0.113.9",
            forwarded_for=f"192.0.2.{n}",
        )
    client, response = attempt(
        partner.email, PASSWORD, remote_addr="203.0.113.9", forwarded_for="192.0.2.200"
    )
    assert not logged_in(client)
    assert "Te veel inlogpogingen" in response.text
    # The header does not make anyone else look like the attacker either.
    client, _response = attempt(
        partner.email, PASSWORD, remote_addr="198.51.100.7", forwarded_for="203.0.113.9"
    )
    assert logged_in(client)


def test_it_limits_failed_logins_per_account_whatever_the_address(behind_proxy, partner):
    for n in range(5):
        attempt(partner.email.upper(), "wrong-password", forwarded_for=f"198.51.100.{n + 1}")
    client, response = attempt(partner.email, PASSWORD, forwarded_for="198.51.100.99")
    assert not logged_in(client)
    assert "Te veel inlogpogingen" in response.text


def test_it_reads_the_proxy_settings_from_the_environment(monkeypatch):
    import importlib

    import kpa.settings

    monkeypatch.setenv("TRUSTED_PROXY_COUNT", "1")
    monkeypatch.setenv("TRUSTED_CLIENT_IP_HEADER", "X-Real-IP")
    try:
        reloaded = importlib.reload(kpa.settings)
        assert reloaded.ALLAUTH_TRUSTED_PROXY_COUNT == 1
        assert reloaded.ALLAUTH_TRUSTED_CLIENT_IP_HEADER == "X-Real-IP"
    finally:
        monkeypatch.delenv("TRUSTED_PROXY_COUNT")
        monkeypatch.delenv("TRUSTED_CLIENT_IP_HEADER")
        reloaded = importlib.reload(kpa.settings)
    assert reloaded.ALLAUTH_TRUSTED_PROXY_COUNT == 0
    assert reloaded.ALLAUTH_TRUSTED_CLIENT_IP_HEADER is None


def test_it_trusts_the_two_proxies_of_the_compose_stack():
    """The host's TLS proxy and the stack's load balancer (`proxy`, docker/Caddyfile) each append."""
    from pathlib import Path

    from django.conf import settings

    compose = (Path(settings.BASE_DIR) / "docker-compose.yml").read_text()
    assert "TRUSTED_PROXY_COUNT: ${TRUSTED_PROXY_COUNT:-2}" in compose
