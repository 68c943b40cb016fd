"""allauth's texts on KPA's account and MFA pages say "je", like the rest of KPA (never "u", "uw" or
"a.u.b."): KPA's catalogue overrides the few of allauth's msgids that do not."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from kpa.i18n_allauth import ALLAUTH_MSGIDS

pytestmark = pytest.mark.django_db
FORMAL = re.compile(r"\b(u|uw|U|Uw)\b|a\.u\.b\.|alstublieft", re.UNICODE)


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.DOTALL)
    return re.sub(r"<[^>]+>", " ", html)


def test_it_translates_the_overridden_msgids_with_je():
    with translation.override("nl"):
        for msgid in ALLAUTH_MSGIDS:
            dutch = translation.gettext(msgid)
            assert dutch != msgid
            assert not FORMAL.search(dutch), dutch
            assert "beheerder van je gemeente" in dutch


ANONYMOUS_PAGES = [
    "account_login",
    "account_reset_password",
    "account_reset_password_done",
    "account_email_verification_sent",
    "account_inactive",
    "account_reset_password_from_key_done",
]
SIGNED_IN_PAGES = [
    "account_logout",
    "account_change_password",
    "account_email",
    "account_reauthenticate",
    "mfa_index",
    "mfa_activate_totp",
    "usersessions_list",
]


def test_it_says_je_on_every_account_page(client, partner):
    wrong = []
    for name in ANONYMOUS_PAGES:
        response = client.get(reverse(name), follow=True)
        if match := FORMAL.search(visible_text(response.text)):
            wrong.append(f"{name}: {match.group(0)!r}")
    client.force_login(partner)
    for name in SIGNED_IN_PAGES:
        response = client.get(reverse(name), follow=True)
        if match := FORMAL.search(visible_text(response.text)):
            wrong.append(f"{name}: {match.group(0)!r}")
    assert not wrong, wrong


def test_it_says_je_on_the_recovery_codes_and_second_step_pages(client, admin_user):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    RecoveryCodes.activate(admin_user)
    client.force_login(admin_user)
    for name in (
        "mfa_view_recovery_codes",
        "mfa_deactivate_totp",
        "mfa_generate_recovery_codes",
        "mfa_index",
    ):
        response = client.get(reverse(name), follow=True)
        assert not FORMAL.search(visible_text(response.text)), name


def test_it_points_to_the_gemeente_s_administrator_after_a_reset_request(client):
    body = client.get(reverse("account_reset_password_done")).text
    assert "beheerder van je gemeente" in body
    assert "a.u.b." not in body
