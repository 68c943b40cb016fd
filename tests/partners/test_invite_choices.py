"""The invitation's choices at national scale (issue 15): the organisation is found by typing (the page holds
only the chosen one), the wijk is one of the chosen gemeente's."""

import re

import pytest
from django.urls import reverse

from kpa.models import User, UserKind
from tests.factories import GemeenteFactory, OrganisationFactory, WijkFactory

pytestmark = pytest.mark.django_db
INVITE = reverse("kpa:person-invite")
NEW = "nieuw@lokalis.example"


def options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no select {name}"
    return re.findall(r'<option value="([^"]*)"', select.group(1))


def invite(client, **data):
    payload = {"email": NEW, "first_name": "Nora", "last_name": "Nieuw", "kind": UserKind.COORDINATOR}
    return client.post(INVITE, payload | data)


@pytest.fixture
def amsterdam(db):
    return WijkFactory(gemeente=GemeenteFactory(code="0363", name="Amsterdam"), name="Noord")


def test_it_offers_no_organisations_and_no_wijken_until_chosen(client, admin_user, wijk, amsterdam):
    OrganisationFactory.create_batch(5)
    client.force_login(admin_user)
    html = client.get(INVITE).content.decode()
    assert options(html, "organisation") == [""]
    assert f'data-autocomplete="{reverse("manage:search-organisations")}"' in html
    assert options(html, "wijk") == [""]
    assert "Kies eerst een gemeente." in html
    assert 'data-clears="id_wijk"' in html  # autocomplete.js: another gemeente empties the wijk


def test_it_offers_the_wijken_of_the_only_gemeente(client, admin_user, wijk, other_wijk):
    client.force_login(admin_user)
    html = client.get(INVITE).content.decode()
    assert set(options(html, "wijk")) == {"", str(wijk.pk), str(other_wijk.pk)}


def test_it_invites_with_the_organisation_and_wijk_chosen(client, admin_user, wijk, amsterdam):
    lokalis = OrganisationFactory(name="Lokalis")
    client.force_login(admin_user)
    response = invite(client, organisation=lokalis.pk, gemeente=wijk.gemeente_id, wijk=wijk.pk)
    assert response.status_code == 302
    user = User.objects.get(email=NEW)
    assert (user.organisation, user.gemeente, user.wijk) == (lokalis, wijk.gemeente, wijk)


def test_it_takes_the_gemeente_from_a_wijk_sent_alone(client, admin_user, wijk, amsterdam):
    client.force_login(admin_user)
    assert invite(client, wijk=amsterdam.pk).status_code == 302
    assert User.objects.get(email=NEW).gemeente == amsterdam.gemeente


def test_it_keeps_the_chosen_organisation_when_the_form_is_refused(client, admin_user, wijk, amsterdam):
    lokalis = OrganisationFactory(name="Lokalis")
    OrganisationFactory(name="GGD")
    client.force_login(admin_user)
    response = invite(client, organisation=lokalis.pk, gemeente=amsterdam.gemeente_id, wijk=wijk.pk)
    html = response.content.decode()
    assert "Deze wijk ligt niet in de gekozen gemeente." in html
    assert options(html, "organisation") == ["", str(lokalis.pk)]
    assert options(html, "wijk") == ["", str(amsterdam.pk)]  # the chosen gemeente's wijken
    assert not User.objects.filter(email=NEW).exists()


@pytest.mark.parametrize(
    "data",
    [
        {"organisation": "abc"},
        {"organisation": "9" * 30},
        {"gemeente": "abc", "wijk": "abc"},
        {"gemeente": "9" * 30},
        {"wijk": "-1"},
    ],
)
def test_it_refuses_nonsense_in_dutch_and_saves_nothing(client, admin_user, wijk, amsterdam, data):
    client.force_login(admin_user)
    response = invite(client, **data)
    assert response.status_code == 200
    assert "Selecteer een geldige keuze" in response.content.decode()
    assert not User.objects.filter(email=NEW).exists()
