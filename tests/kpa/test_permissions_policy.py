"""The Permissions-Policy header (kpa.middleware.PermissionsPolicyMiddleware): on every response, pages,
errors and static files alike; set from KPA_PERMISSIONS_POLICY."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

FEATURES = (
    "accelerometer",
    "browsing-topics",
    "camera",
    "geolocation",
    "gyroscope",
    "magnetometer",
    "microphone",
    "payment",
    "usb",
)


def features(header: str) -> dict[str, str]:
    return dict(part.strip().split("=", 1) for part in header.split(","))


def test_it_switches_off_every_feature_kpa_does_not_use(client):
    response = client.get(reverse("account_login"))
    assert response.status_code == 200
    assert features(response["Permissions-Policy"]) == dict.fromkeys(FEATURES, "()")


def test_it_is_on_a_signed_in_page(client, partner):
    client.force_login(partner)
    response = client.get(reverse("kpa:home"))
    assert response.status_code == 200
    assert "camera=()" in response["Permissions-Policy"]


def test_it_is_on_the_health_check(client):
    response = client.get(reverse("kpa:health"))
    assert "Permissions-Policy" in response


def test_it_is_on_a_404(client, partner):
    client.force_login(partner)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "geolocation=()" in response["Permissions-Policy"]


def test_it_is_on_a_redirect_to_the_login(client):
    response = client.get(reverse("kpa:home"))
    assert response.status_code == 302
    assert "Permissions-Policy" in response


def test_it_is_on_a_static_file_whitenoise_serves(settings):
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    response = Client().get(f"{settings.STATIC_URL}favicon.svg")  # a new client: whitenoise reads settings
    assert response.status_code == 200
    assert response.get("Content-Type", "").startswith("image/svg")
    assert "microphone=()" in response["Permissions-Policy"]
    response.close()


def test_it_sends_the_policy_the_setting_gives(client, settings):
    settings.KPA_PERMISSIONS_POLICY = "camera=(self)"
    assert client.get(reverse("account_login"))["Permissions-Policy"] == "camera=(self)"


def test_an_empty_setting_sends_no_header(client, settings):
    settings.KPA_PERMISSIONS_POLICY = ""
    assert "Permissions-Policy" not in client.get(reverse("account_login"))
