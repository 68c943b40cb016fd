"""First sign-in of an administrator or coordinator is one straight path: password, the authenticator
set-up (no second password prompt right after signing in), the recovery codes, then on to the start page.
Whoever had an authenticator before, or signed in a while ago, is still asked for the password."""

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
TOTP_SETUP = reverse("mfa_activate_totp")
REAUTH = reverse("account_reauthenticate")
NOW = dt.datetime(2027, 3, 10, 9, 0, 5, tzinfo=dt.UTC)  # 5 s into a 30-second TOTP window


def sign_in(client, user):
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302


def code_for(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(timezone.now().timestamp()) // 30))


@pytest.fixture
def newcomer(gemeente):
    return UserFactory(kind=UserKind.COORDINATOR, gemeente=gemeente, email="nieuw@utrecht.example")


def test_it_goes_straight_from_the_password_to_the_start_page(client, newcomer):
    with time_machine.travel(NOW, tick=False):
        sign_in(client, newcomer)
        response = client.get(reverse("kpa:home"), follow=True)
        assert response.redirect_chain == [(TOTP_SETUP, 302)]  # no password prompt on the way
        assert response.status_code == 200
        secret = re.search(r'id="authenticator_secret"[^>]*value="([A-Z2-7]+)"', response.text).group(1)
        response = client.post(TOTP_SETUP, {"code": code_for(secret)}, follow=True)
        assert response.redirect_chain == [(reverse("mfa_view_recovery_codes"), 302)]
        assert "Herstelcodes" in response.text
        assert f'href="{reverse("kpa:home")}"' in response.text
        assert "Verder" in response.text
        assert client.get(reverse("kpa:home")).status_code == 200
    assert newcomer.authenticator_set.filter(type="totp").exists()


def test_it_asks_for_the_password_when_the_sign_in_was_a_while_ago(client, newcomer):
    with time_machine.travel(NOW, tick=False) as traveller:
        sign_in(client, newcomer)
        traveller.shift(dt.timedelta(minutes=16))
        response = client.get(TOTP_SETUP)
    assert response.status_code == 302
    assert response["Location"].startswith(REAUTH)


def test_it_still_asks_whoever_had_an_authenticator_before(client, gemeente):
    """Changing an existing second factor right after signing in still needs the password again."""
    from tests.conftest import TOTP_SECRET

    with time_machine.travel(NOW - dt.timedelta(days=1), tick=False):  # set up the day before, not today
        user = with_totp(UserFactory(kind=UserKind.ADMIN, is_staff=True, gemeente=gemeente))
    with time_machine.travel(NOW, tick=False):
        sign_in(client, user)
        client.post(reverse("mfa_authenticate"), {"code": code_for(TOTP_SECRET)})
        assert client.session.get("_auth_user_id") == str(user.pk)
        for url in (reverse("mfa_deactivate_totp"), reverse("mfa_generate_recovery_codes")):
            response = client.get(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith(REAUTH), url


def test_it_does_not_waive_the_prompt_for_people_without_the_duty(client, partner):
    """Kernpartners may add an app of their own; allauth's usual password prompt stays for them."""
    with time_machine.travel(NOW, tick=False):
        sign_in(client, partner)
        response = client.get(TOTP_SETUP)
    assert response.status_code == 302
    assert response["Location"].startswith(REAUTH)
