"""The authenticator set-up and recovery-codes pages of a first sign-in read as KPA's other forms: each label
above its box, the secret whole and copyable, Dutch without allauth's split compounds."""

import datetime as dt
import re

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.urls import reverse
from django.utils import timezone

from kpa.models import UserKind
from tests.conftest import with_totp
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2027, 3, 10, 9, 0, 5, tzinfo=dt.UTC)  # 5 s into a 30-second TOTP window


@pytest.fixture
def set_up_page(client, gemeente):
    """The set-up page right after a coordinator's first password sign-in."""
    newcomer = UserFactory(kind=UserKind.COORDINATOR, gemeente=gemeente, email="nieuw@utrecht.example")
    with time_machine.travel(NOW, tick=False):
        client.post(reverse("account_login"), {"login": newcomer.email, "password": PASSWORD})
        response = client.get(reverse("mfa_activate_totp"))
        assert response.status_code == 200
        yield response.text


def secret_of(body: str) -> str:
    return re.search(r'<input id="authenticator_secret"[^>]*value="([A-Z2-7]+)"', body).group(1)


def test_it_shows_the_secret_whole_under_its_own_label_on_the_set_up_page(set_up_page):
    assert '<label for="authenticator_secret" class="form-label">Geheime sleutel</label>' in set_up_page
    secret_input = re.search(r'<input id="authenticator_secret"[^>]*>', set_up_page).group(0)
    assert 'class="form-control font-monospace"' in secret_input
    assert "readonly" in secret_input
    assert len(secret_of(set_up_page)) >= 16
    assert "Scan de QR-code hieronder met de authenticator-app" in set_up_page
    for split in ("QR code", "verificatie code", "Authenticator geheim", "authenticator app"):
        assert split not in set_up_page


def test_it_labels_the_code_field_in_dutch_on_the_set_up_page(set_up_page):
    """allauth's label 'Authenticator code' (English in its nl catalogue) reads 'Code uit de app'."""
    assert re.search(r'<label[^>]*for="id_code"[^>]*>\s*Code uit de app', set_up_page)
    assert "Authenticator code" not in set_up_page


def test_it_puts_the_label_of_the_recovery_codes_above_them(client, set_up_page):
    code = format_hotp_value(hotp_value(secret_of(set_up_page), int(timezone.now().timestamp()) // 30))
    body = client.post(reverse("mfa_activate_totp"), {"code": code}, follow=True).text
    assert '<label for="recovery_codes" class="form-label">Ongebruikte codes</label>' in body
    box = re.search(r"<textarea id=\"recovery_codes\"[^>]*>(.*?)</textarea>", body, re.S)
    assert 'class="form-control w-auto font-monospace"' in box.group(0)
    assert len(box.group(1).split("\n")) == 10
    assert all(re.fullmatch(r"\d{8}", code) for code in box.group(1).split("\n"))


def test_it_asks_for_the_code_with_je_at_the_second_step_of_signing_in(client, gemeente):
    admin = with_totp(UserFactory(kind=UserKind.ADMIN, gemeente=gemeente, email="beheer@utrecht.example"))
    response = client.post(
        reverse("account_login"), {"login": admin.email, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("mfa_authenticate")
    assert "alstublieft" not in response.text
    assert "Vul de code uit je authenticator-app in, of een van je herstelcodes" in response.text
