import datetime as dt
import time

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from kpa.models import UserKind
from tests.conftest import TOTP_SECRET, totp_code, with_totp
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
LOGIN = reverse("account_login")
TOTP_SETUP = reverse("mfa_activate_totp")


def login(client, email, password=PASSWORD):
    return client.post(LOGIN, {"login": email, "password": password})


def test_it_offers_no_sign_up_on_the_login_page_but_explains_the_invitation(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert reverse("account_signup") not in response.text
    assert "Nog geen account? Je krijgt een uitnodiging per e-mail" in response.text


def test_it_logs_in_with_email_and_password(client, partner):
    response = login(client, "PARTNER@lokalis.example")
    assert response.status_code == 302
    assert client.get(reverse("kpa:home")).status_code == 200


def test_it_refuses_a_wrong_password_in_dutch(client, partner):
    response = login(client, partner.email, "wrong-password")
    assert response.status_code == 200
    assert "e-mailadres en/of wachtwoord is niet correct" in response.content.decode()
    assert client.get(reverse("kpa:home")).status_code == 302


def test_it_rotates_the_session_id_at_login(client, partner):
    session = client.session
    session["before"] = "login"
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    before = session.session_key
    login(client, partner.email)
    assert client.session.session_key != before
    assert client.session.get("_auth_user_id") == str(partner.pk)


def test_it_rate_limits_failed_logins(client, partner):
    for _ in range(5):
        login(client, partner.email, "wrong-password")
    response = login(client, partner.email)  # even the right password is refused for a while
    assert client.session.get("_auth_user_id") is None
    assert response.status_code == 200
    assert "Te veel inlogpogingen" in response.content.decode()


def test_it_counts_failed_logins_in_the_shared_cache(client, partner):
    """The counters live in Django's cache (Redis when REDIS_URL is set), which every web process shares:
    emptying the cache is the only thing that lifts the block."""
    from django.core.cache import cache

    for _ in range(5):
        login(client, partner.email, "wrong-password")
    login(client, partner.email)
    assert client.session.get("_auth_user_id") is None
    cache.clear()
    login(client, partner.email)
    assert client.session.get("_auth_user_id") == str(partner.pk)


def test_it_rate_limits_failed_logins_per_address_too(client, db):
    """Guessing across many accounts from one address is limited as well."""
    people = [UserFactory() for _ in range(6)]
    for person in people[:5]:
        login(client, person.email, "wrong-password")
    login(client, people[5].email)
    assert client.session.get("_auth_user_id") is None


def test_it_asks_for_the_totp_code_after_the_password(client, admin_user):
    response = login(client, admin_user.email)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.session.get("_auth_user_id") is None  # not logged in before the second factor
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(admin_user.pk)


@pytest.mark.parametrize("kind", [UserKind.ADMIN, UserKind.COORDINATOR])
def test_it_sends_admins_and_coordinators_to_mfa_setup_first(client, kind, gemeente):
    user = UserFactory(kind=kind, gemeente=gemeente, is_staff=kind == UserKind.ADMIN)
    login(client, user.email)
    for url in (reverse("kpa:home"), reverse("schools:list"), reverse("admin:index")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == TOTP_SETUP
    # Right after signing in with the password, the set-up shows at once (no second password prompt).
    response = client.get(TOTP_SETUP, follow=True)
    assert response.redirect_chain == []
    assert "authenticator-app" in response.content.decode()  # why they are here, in Dutch
    assert client.get(TOTP_SETUP).status_code == 200


def test_it_lets_them_in_once_mfa_is_set_up(client, gemeente):
    user = with_totp(UserFactory(kind=UserKind.ADMIN, is_staff=True, is_superuser=True))
    client.force_login(user)
    assert client.get(reverse("kpa:home")).status_code == 200
    assert client.get(reverse("admin:index")).status_code == 200


def test_it_does_not_force_mfa_on_kernpartners(client, partner, ib):
    for user in (partner, ib):
        client.force_login(user)
        assert client.get(reverse("kpa:home")).status_code == 200


def test_it_puts_the_admin_site_login_behind_allauth(client, admin_user):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_it_ends_a_session_after_30_minutes_idle(client, partner):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client.force_login(partner)
        assert client.get(reverse("kpa:home")).status_code == 200
        traveller.shift(dt.timedelta(minutes=29))
        assert client.get(reverse("kpa:home")).status_code == 200  # activity renews the session
        traveller.shift(dt.timedelta(minutes=31))
        response = client.get(reverse("kpa:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_it_ends_a_session_after_12_hours_however_active(client, partner):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client.force_login(partner)
        for _ in range(28):  # a request every 25 minutes: never idle, 11 h 40 in all
            traveller.shift(dt.timedelta(minutes=25))
            assert client.get(reverse("kpa:home")).status_code == 200
        traveller.shift(dt.timedelta(minutes=25))  # 12 h 05 after login, 25 minutes after the last request
        response = client.get(reverse("kpa:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert "next=/" in response["Location"]


def test_it_lists_and_ends_other_sessions(client, partner):
    from allauth.usersessions.models import UserSession
    from django.test import Client

    other = Client()
    login(other, partner.email)
    login(client, partner.email)
    assert UserSession.objects.filter(user=partner).count() == 2
    response = client.get(reverse("usersessions_list"))
    assert response.status_code == 200
    client.post(reverse("usersessions_list"))  # "log out other sessions"
    assert UserSession.objects.filter(user=partner).count() == 1
    assert other.get(reverse("kpa:home")).status_code == 302


def test_it_hashes_passwords_with_argon2(settings):
    from django.contrib.auth.hashers import check_password, make_password

    import kpa.settings

    assert kpa.settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    settings.PASSWORD_HASHERS = kpa.settings.PASSWORD_HASHERS  # the tests otherwise hash fast
    encoded = make_password("Kernpartner-2026!")
    assert encoded.startswith("argon2$")  # argon2-cffi is installed and used
    assert check_password("Kernpartner-2026!", encoded)


def test_it_offers_password_reset(client, partner):
    from django.core import mail

    response = client.post(reverse("account_reset_password"), {"email": partner.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_the_code_helper_never_hands_out_a_code_about_to_expire():
    """totp_code() near the end of a 30-second window waits for the next one, so a sign-in in a test
    cannot fail because the window turned between the code and the server's check (CI, 2026-12-06)."""
    end_of_window = dt.datetime(2027, 3, 10, 9, 0, 29, 500000, tzinfo=dt.UTC)
    with time_machine.travel(end_of_window, tick=True):
        code = totp_code()
        assert time.time() >= end_of_window.timestamp() + 0.5
    next_window = int(end_of_window.timestamp()) // 30 + 1
    assert code == format_hotp_value(hotp_value(TOTP_SECRET, next_window))
