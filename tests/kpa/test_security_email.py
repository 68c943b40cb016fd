"""One e-mail address per person, changed only by an administrator: a signed-in person (or whoever holds
their session) cannot add an address of their own, log in with it or have a password reset sent there."""

import importlib

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse

from kpa.models import User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
EMAIL_PAGE = reverse("account_email")
ATTACKER = "attacker@evil.example"


def reset_links_to(address: str) -> list[str]:
    """Password-reset links mailed to `address` (allauth tells an unknown address that it has no account,
    without a link)."""
    return [m.body for m in mail.outbox if address in m.to and "/accounts/password/reset/key/" in m.body]


def test_it_shows_the_one_address_and_who_changes_it(client, partner):
    client.force_login(partner)
    response = client.get(EMAIL_PAGE)
    assert response.status_code == 200
    assert partner.email in response.text
    assert "beheerder" in response.text
    assert 'name="action_add"' not in response.text
    assert 'name="action_remove"' not in response.text


def test_it_refuses_a_second_address(client, partner):
    client.force_login(partner)
    response = client.post(EMAIL_PAGE, {"action_add": "", "email": ATTACKER})
    assert response.status_code == 200
    assert not EmailAddress.objects.filter(email=ATTACKER).exists()
    assert list(EmailAddress.objects.filter(user=partner).values_list("email", flat=True)) == [partner.email]


def test_it_does_not_log_in_or_reset_with_the_refused_address(client, partner):
    client.force_login(partner)
    client.post(EMAIL_PAGE, {"action_add": "", "email": ATTACKER})
    client.post(EMAIL_PAGE, {"action_primary": "", "email": ATTACKER})
    client.logout()

    other = Client()
    other.post(reverse("account_login"), {"login": ATTACKER, "password": PASSWORD})
    assert other.session.get("_auth_user_id") is None
    mail.outbox.clear()
    other.post(reverse("account_reset_password"), {"email": ATTACKER})
    assert reset_links_to(ATTACKER) == []
    # The person's own address still works as before.
    other.post(reverse("account_login"), {"login": partner.email, "password": PASSWORD})
    assert other.session.get("_auth_user_id") == str(partner.pk)


def test_it_does_not_remove_the_only_address(client, partner):
    client.force_login(partner)
    client.post(EMAIL_PAGE, {"action_remove": "", "email": partner.email})
    assert EmailAddress.objects.filter(user=partner, email=partner.email).exists()


def admin_change(client, user, **changes):
    data = {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "phone": user.phone,
        "kind": user.kind,
        "is_active": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "01-01-2026",
        "date_joined_1": "10:00:00",
    }
    data.update(changes)
    return client.post(reverse("admin:kpa_user_change", args=[user.pk]), data)


def test_it_lets_an_administrator_change_the_address(client, admin_user, partner):
    old = partner.email
    client.force_login(admin_user)
    response = admin_change(client, partner, email="nieuw.adres@lokalis.example")
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert User.objects.get(pk=partner.pk).email == "nieuw.adres@lokalis.example"
    assert list(EmailAddress.objects.filter(user=partner).values_list("email", flat=True)) == [
        "nieuw.adres@lokalis.example"
    ]

    other = Client()
    other.post(reverse("account_login"), {"login": old, "password": PASSWORD})
    assert other.session.get("_auth_user_id") is None  # the old address no longer logs in
    mail.outbox.clear()
    other.post(reverse("account_reset_password"), {"email": old})
    assert reset_links_to(old) == []
    other.post(reverse("account_reset_password"), {"email": "nieuw.adres@lokalis.example"})
    assert len(reset_links_to("nieuw.adres@lokalis.example")) == 1
    other.post(reverse("account_login"), {"login": "nieuw.adres@lokalis.example", "password": PASSWORD})
    assert other.session.get("_auth_user_id") == str(partner.pk)


def test_it_removes_addresses_added_before_the_fix(partner, ib):
    """The data migration keeps only each person's own address."""
    from django.apps import apps

    EmailAddress.objects.create(user=partner, email=ATTACKER, verified=True, primary=False)
    migration = importlib.import_module("kpa.migrations.0005_one_email_address_per_person")
    migration.remove_extra_addresses(apps, None)
    assert not EmailAddress.objects.filter(email=ATTACKER).exists()
    assert EmailAddress.objects.filter(user=partner, email=partner.email, primary=True).exists()
    assert EmailAddress.objects.filter(user=ib, email=ib.email).exists()
