"""Second factors encrypted at rest: no TOTP secret or recovery-code seed readable in the database or
the admin, sign-in with the app still works, and keys rotate."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from cryptography.fernet import Fernet
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from kpa import mfa_keys
from tests.conftest import TOTP_SECRET, totp_code, with_totp
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
OLD_KEY, NEW_KEY = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def stored_data(authenticator) -> str:
    """The data column as the database holds it (what a dump shows)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT data FROM mfa_authenticator WHERE id = %s", [authenticator.pk])
        (raw,) = cursor.fetchone()
    return raw if isinstance(raw, str) else json.dumps(raw)


def sign_in_with_app(client, user):
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    return client.session.get("_auth_user_id") == str(user.pk)


def test_it_stores_no_plain_secret(admin_user):
    totp = admin_user.authenticator_set.get(type="totp")
    assert TOTP_SECRET not in stored_data(totp)
    codes = RecoveryCodes.activate(admin_user)
    seed = mfa_keys.decrypt(codes.instance.data["seed"])
    assert seed not in stored_data(codes.instance)
    assert all(code not in stored_data(codes.instance) for code in codes.generate_codes())


def test_it_still_signs_in_with_the_app_and_a_recovery_code(client, admin_user):
    assert sign_in_with_app(client, admin_user)
    codes = RecoveryCodes.activate(admin_user).generate_codes()
    client.logout()
    client.post(reverse("account_login"), {"login": admin_user.email, "password": PASSWORD})
    client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert client.session.get("_auth_user_id") == str(admin_user.pk)


def test_it_rotates_keys(client, settings, gemeente):
    from kpa.models import UserKind
    from tests.factories import UserFactory

    settings.MFA_ENCRYPTION_KEYS = [OLD_KEY]
    user = with_totp(UserFactory(kind=UserKind.COORDINATOR, gemeente=gemeente))
    before = user.authenticator_set.get(type="totp").data["secret"]

    settings.MFA_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]  # step 1: the new key in front
    assert sign_in_with_app(client, user)  # the old key still opens the secret
    call_command("mfa_rotate_keys", stdout=open(os.devnull, "w"))  # step 2  # noqa: SIM115
    after = user.authenticator_set.get(type="totp").data["secret"]
    assert after != before
    assert Fernet(NEW_KEY).decrypt(after.encode()).decode() == TOTP_SECRET

    settings.MFA_ENCRYPTION_KEYS = [NEW_KEY]  # step 3: the old key dropped
    client.logout()
    cache.clear()  # the same code may be used once per window: forget that it was
    assert sign_in_with_app(client, user)
    with pytest.raises(mfa_keys.SecretUnreadable):
        mfa_keys.decrypt(before)


def test_it_encrypts_secrets_stored_before(admin_user):
    """The data migration encrypts plain secrets and leaves encrypted ones alone."""
    from django.apps import apps

    Authenticator.objects.filter(user=admin_user).delete()
    plain = Authenticator.objects.create(user=admin_user, type="totp", data={"secret": TOTP_SECRET})
    seed = "ab" * 40
    codes = Authenticator.objects.create(
        user=admin_user, type="recovery_codes", data={"seed": seed, "used_mask": 0}
    )
    migration = importlib.import_module("kpa.migrations.0007_encrypt_mfa_secrets")
    migration.encrypt_plain_secrets(apps, None)
    plain.refresh_from_db()
    codes.refresh_from_db()
    assert TOTP_SECRET not in stored_data(plain)
    assert seed not in stored_data(codes)
    assert mfa_keys.decrypt(plain.data["secret"]) == TOTP_SECRET
    assert mfa_keys.decrypt(codes.data["seed"]) == seed
    once = plain.data["secret"]
    migration.encrypt_plain_secrets(apps, None)  # a second run changes nothing
    plain.refresh_from_db()
    assert plain.data["secret"] == once


def test_it_never_shows_the_secret_in_the_admin(client, admin_user):
    RecoveryCodes.activate(admin_user)
    client.force_login(admin_user)
    pages = [reverse("admin:mfa_authenticator_changelist")]
    for authenticator in admin_user.authenticator_set.all():
        pages.append(reverse("admin:mfa_authenticator_change", args=[authenticator.pk]))
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.text
        assert TOTP_SECRET not in body, url
        for authenticator in admin_user.authenticator_set.all():
            for value in authenticator.data.values():
                assert str(value) not in body or isinstance(value, int), url
        assert 'name="data"' not in body
    assert client.get(reverse("admin:mfa_authenticator_add")).status_code == 403


def run_settings(**env) -> subprocess.CompletedProcess:
    """Import the settings in a fresh process, outside pytest (so production rules apply)."""
    clean = {k: v for k, v in os.environ.items() if k not in ("MFA_ENCRYPTION_KEYS", "KPA_TESTING", "DEBUG")}
    return subprocess.run(
        [sys.executable, "-c", "import kpa.settings"],
        env={**clean, "SECRET_KEY": "a-production-secret-key", **env},
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )


def test_it_refuses_to_start_in_production_without_a_key():
    result = run_settings(DEBUG="0")
    assert result.returncode != 0
    assert "Set MFA_ENCRYPTION_KEYS" in result.stderr
    assert run_settings(DEBUG="0", MFA_ENCRYPTION_KEYS=f"{NEW_KEY},{OLD_KEY}").returncode == 0
    assert run_settings(DEBUG="1").returncode == 0  # development derives one


def test_it_refuses_a_bad_key_or_the_secret_key():
    assert "not a Fernet key" in run_settings(DEBUG="0", MFA_ENCRYPTION_KEYS="geheim").stderr
    key = Fernet.generate_key().decode()
    result = run_settings(DEBUG="0", SECRET_KEY=key, MFA_ENCRYPTION_KEYS=key)
    assert "use a key of its own" in result.stderr
