"""The retention page: every policy of the register with its days, for administrators only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kpa import personal_data
from kpa.models import UserKind
from tests.conftest import with_totp
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = reverse("privacy:retention")


def test_it_shows_every_policy_with_its_days_and_setting(client, settings):
    settings.KPA_KEEP_ACCESS_LOG_DAYS = 123
    client.force_login(with_totp(UserFactory(kind=UserKind.ADMIN)))
    page = client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    for policy in personal_data.retentions():
        assert str(policy.label) in html
        assert policy.setting in html
    assert "123 dagen" in html
    assert "Bewaartermijnen" in html


@pytest.mark.parametrize("kind", [UserKind.SCHOOL, UserKind.KERNPARTNER, UserKind.COORDINATOR])
def test_others_are_refused(client, kind):
    client.force_login(with_totp(UserFactory(kind=kind)))
    assert client.get(URL).status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
