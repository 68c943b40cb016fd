import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from kpa.models import Invitation, User, UserKind
from kpa.services import invitation_send

pytestmark = pytest.mark.django_db


def invite(client, admin_user, **data):
    client.force_login(admin_user)
    payload = {
        "email": "nieuw@lokalis.example",
        "first_name": "Nora",
        "last_name": "Nieuw",
        "kind": "kernpartner",
    }
    payload.update(data)
    return client.post(reverse("kpa:person-invite"), payload)


def link_from_mail(message) -> str:
    return (
        re.search(r"http://\S+/invitation/\S+/", message.body).group(0).removeprefix("http://127.0.0.1:8000")
    )


def test_it_invites_a_person_by_email(client, admin_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client, admin_user)
    assert response.status_code == 302
    user = User.objects.get(email="nieuw@lokalis.example")
    assert not user.has_usable_password()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["nieuw@lokalis.example"]
    assert "uitnodiging" in mail.outbox[0].subject.lower()
    assert "/invitation/" in mail.outbox[0].body
    html = mail.outbox[0].alternatives[0]
    assert "/invitation/" in html[0]


def test_it_makes_an_invited_admin_a_full_administrator(
    client, admin_user, django_capture_on_commit_callbacks
):
    from tests.conftest import with_totp

    with django_capture_on_commit_callbacks(execute=True):
        invite(client, admin_user, email="beheer@kpa.example", kind=UserKind.ADMIN)
    newcomer = with_totp(User.objects.get(email="beheer@kpa.example"))
    client.force_login(newcomer)
    assert client.get(reverse("admin:schools_school_changelist")).status_code == 200
    assert client.get(reverse("admin:partners_assignment_add")).status_code == 200


def test_it_stores_only_a_hash_of_the_token(client, admin_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, admin_user)
    token = link_from_mail(mail.outbox[0]).rstrip("/").rsplit("/", 1)[1]
    assert not Invitation.objects.filter(token_hash=token).exists()
    assert Invitation.objects.count() == 1


def test_it_lets_the_invitee_set_a_password_once(client, admin_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, admin_user)
    client.logout()
    url = link_from_mail(mail.outbox[0])
    assert client.get(url).status_code == 200
    password = "zonnebloem-tulp-2027"
    response = client.post(url, {"new_password1": password, "new_password2": password})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login")
    assert User.objects.get(email="nieuw@lokalis.example").check_password("zonnebloem-tulp-2027")
    # The link reached the address, so it counts as verified (allauth's MFA set-up needs that).
    from allauth.account.models import EmailAddress

    assert EmailAddress.objects.get(email="nieuw@lokalis.example").verified
    # The same link a second time: refused, the password stays.
    again = client.post(url, {"new_password1": "Other-password-99", "new_password2": "Other-password-99"})
    assert again.status_code == 410
    assert "niet meer geldig" in again.content.decode()
    assert User.objects.get(email="nieuw@lokalis.example").check_password("zonnebloem-tulp-2027")


def test_it_refuses_an_expired_link(client, admin_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, admin_user)
    client.logout()
    url = link_from_mail(mail.outbox[0])
    with time_machine.travel(timezone.now() + dt.timedelta(days=8)):
        response = client.get(url)
    assert response.status_code == 410


def test_it_refuses_an_unknown_link(client, db):
    assert client.get(reverse("kpa:invitation-accept", kwargs={"token": "nonsense"})).status_code == 410


def test_it_invalidates_the_old_link_when_a_new_one_is_sent(
    client, admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, admin_user)
        invitation_send(user=User.objects.get(email="nieuw@lokalis.example"), invited_by=admin_user)
    client.logout()
    old, new = link_from_mail(mail.outbox[0]), link_from_mail(mail.outbox[1])
    assert client.get(old).status_code == 410
    assert client.get(new).status_code == 200


def test_it_keeps_the_form_when_the_passwords_differ(client, admin_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, admin_user)
    client.logout()
    url = link_from_mail(mail.outbox[0])
    response = client.post(url, {"new_password1": "Kernpartner-2026!", "new_password2": "Anders-2026!"})
    assert response.status_code == 200
    assert "De twee wachtwoordvelden komen niet overeen" in response.content.decode()
    assert not User.objects.get(email="nieuw@lokalis.example").has_usable_password()
    assert Invitation.objects.get().accepted_at is None


def test_it_refuses_a_duplicate_email_in_dutch_and_keeps_the_input(client, admin_user, partner):
    response = invite(client, admin_user, email=partner.email.upper(), first_name="Dubbel")
    assert response.status_code == 200
    body = response.content.decode()
    assert "heeft al een account" in body
    assert 'value="Dubbel"' in body
    assert User.objects.filter(first_name="Dubbel").count() == 0
    assert len(mail.outbox) == 0


def test_it_requires_a_gemeente_for_a_coordinator(client, admin_user):
    response = invite(client, admin_user, kind=UserKind.COORDINATOR)
    assert response.status_code == 200
    assert "Kies de gemeente" in response.content.decode()
    assert not User.objects.filter(email="nieuw@lokalis.example").exists()


def test_it_refuses_a_wijk_outside_the_chosen_gemeente(client, admin_user, wijk):
    from tests.factories import GemeenteFactory

    elsewhere = GemeenteFactory(code="0363", name="Amsterdam")
    response = invite(client, admin_user, kind=UserKind.COORDINATOR, gemeente=elsewhere.pk, wijk=wijk.pk)
    assert response.status_code == 200
    assert "niet in de gekozen gemeente" in response.content.decode()


def test_it_lets_only_admins_invite(client, coordinator, partner):
    for user in (coordinator, partner):
        client.force_login(user)
        assert client.get(reverse("kpa:person-invite")).status_code == 403
        assert client.post(reverse("kpa:person-invite"), {"email": "x@example.org"}).status_code == 403
    assert not User.objects.filter(email="x@example.org").exists()


def test_it_sends_anonymous_visitors_to_login(client, db):
    response = client.get(reverse("kpa:person-invite"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_it_has_no_public_sign_up(client, db):
    response = client.post(
        reverse("account_signup"), {"email": "zelf@example.org", "password1": "Sterk-wachtwoord-1"}
    )
    assert not User.objects.filter(email="zelf@example.org").exists()
    assert response.status_code in (200, 403)
