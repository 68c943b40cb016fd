import pytest
from django.urls import reverse

from partners.models import Organisation, OrganisationKind
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name", ["manage:organisation-list", "manage:organisation-create", "manage:organisation-update"]
)
def test_it_lets_only_admins_in(client, name, admin_user, partner, coordinator):
    organisation = OrganisationFactory()
    url = reverse(name, args=[organisation.pk]) if name.endswith("update") else reverse(name)
    response = client.get(url)
    assert response["Location"].startswith(reverse("account_login"))
    for user in (partner, coordinator):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(url, {"name": "Stiekem", "kind": OrganisationKind.JGZ}).status_code == 403
    assert not Organisation.objects.filter(name="Stiekem").exists()
    client.force_login(admin_user)
    assert client.get(url).status_code == 200


def test_it_lists_organisations_with_their_people(client, admin_user):
    lokalis = OrganisationFactory(name="Lokalis")
    UserFactory(organisation=lokalis)
    UserFactory(organisation=lokalis, is_active=False)
    OrganisationFactory(name="GGD regio Utrecht", kind=OrganisationKind.JGZ)
    client.force_login(admin_user)
    response = client.get(reverse("manage:organisation-list"))
    assert {o.name: o.people_count for o in response.context["page"]} == {
        "Lokalis": 1,
        "GGD regio Utrecht": 0,
    }
    response = client.get(reverse("manage:organisation-list"), {"q": "ggd"})
    assert [o.name for o in response.context["page"]] == ["GGD regio Utrecht"]


def test_it_creates_an_organisation(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("manage:organisation-create"),
        {"name": "SWV Utrecht PO", "kind": OrganisationKind.SWV, "phone": "030 123 45 67", "email": ""},
    )
    assert response["Location"] == reverse("manage:organisation-list")
    assert Organisation.objects.get(name="SWV Utrecht PO").kind == OrganisationKind.SWV


def test_it_refuses_a_bad_organisation_and_keeps_the_input(client, admin_user):
    OrganisationFactory(name="Lokalis")
    client.force_login(admin_user)
    response = client.post(
        reverse("manage:organisation-create"),
        {"name": "Lokalis", "kind": OrganisationKind.BUURTTEAM, "phone": "030 1", "email": "geen-adres"},
    )
    form = response.context["form"]
    assert form.has_error("name", code="unique")
    assert form.has_error("email", code="invalid")
    assert 'value="geen-adres"' in response.content.decode()
    assert Organisation.objects.count() == 1


def test_it_updates_an_organisation(client, admin_user):
    organisation = OrganisationFactory(name="Lokalis")
    client.force_login(admin_user)
    response = client.post(
        reverse("manage:organisation-update", args=[organisation.pk]),
        {
            "name": "Lokalis Buurtteams",
            "kind": OrganisationKind.BUURTTEAM,
            "phone": "",
            "email": "info@lokalis.example",
        },
    )
    assert response["Location"] == reverse("manage:organisation-list")
    organisation.refresh_from_db()
    assert (organisation.name, organisation.email) == ("Lokalis Buurtteams", "info@lokalis.example")
