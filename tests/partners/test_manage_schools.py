import pytest
from django.urls import reverse

from partners.models import Role
from partners.selectors import teams_for_schools
from schools.models import School, Sector
from tests.factories import GemeenteFactory, WijkFactory

pytestmark = pytest.mark.django_db


def school_data(school=None, **changes):
    data = {
        "name": "OBS Nieuw",
        "brin": "99ZZ",
        "vestiging": "00",
        "sector": Sector.PO,
        "gemeente": "",
        "wijk": "",
        "street": "Laan 1",
        "postcode": "3511 AB",
        "city": "Utrecht",
        "bestuur": "",
        "phone": "",
        "email": "",
        "holiday_region": "",
        "is_active": "on",
    }
    if school is not None:
        data.update(
            name=school.name,
            brin=school.brin,
            vestiging=school.vestiging,
            sector=school.sector,
            gemeente=school.gemeente_id,
            wijk=school.wijk_id or "",
        )
    data.update(changes)
    return data


@pytest.mark.parametrize("name", ["manage:school-create", "manage:school-update", "manage:school-move"])
def test_it_lets_only_admins_in(client, name, school, other_wijk, admin_user, partner, coordinator):
    url = reverse(name) if name.endswith("create") else reverse(name, args=[school.pk])
    response = client.get(url)
    assert response["Location"].startswith(reverse("account_login"))
    for user in (partner, coordinator):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(url, school_data(school, wijk=other_wijk.pk)).status_code == 403
    school.refresh_from_db()
    assert school.wijk != other_wijk
    client.force_login(admin_user)
    assert client.get(url).status_code == 200


def test_it_creates_a_school_in_a_wijk(client, admin_user, wijk):
    client.force_login(admin_user)
    assert (
        client.get(reverse("manage:school-create"), {"wijk": wijk.pk}).context["form"]["wijk"].value()
        == wijk.pk
    )
    response = client.post(
        reverse("manage:school-create"), school_data(gemeente=wijk.gemeente_id, wijk=wijk.pk)
    )
    school = School.objects.get(brin="99ZZ")
    assert response["Location"] == reverse("manage:school-team", args=[school.pk])
    assert (school.wijk, school.gemeente, school.name) == (wijk, wijk.gemeente, "OBS Nieuw")


def test_it_refuses_a_school_with_a_wijk_of_another_gemeente(client, admin_user, wijk):
    elsewhere = GemeenteFactory(code="0363", name="Amsterdam")
    client.force_login(admin_user)
    response = client.post(reverse("manage:school-create"), school_data(gemeente=elsewhere.pk, wijk=wijk.pk))
    assert response.status_code == 200
    assert "wijk" in response.context["form"].errors
    assert 'value="OBS Nieuw"' in response.content.decode()
    assert not School.objects.filter(brin="99ZZ").exists()


def test_it_refuses_a_duplicate_brin_and_location(client, admin_user, school):
    client.force_login(admin_user)
    response = client.post(
        reverse("manage:school-create"),
        school_data(gemeente=school.gemeente_id, brin=school.brin, vestiging=school.vestiging),
    )
    assert response.context["form"].errors
    assert School.objects.filter(brin=school.brin).count() == 1


def test_it_updates_a_school(client, admin_user, school):
    client.force_login(admin_user)
    response = client.post(
        reverse("manage:school-update", args=[school.pk]), school_data(school, name="OBS De Zon")
    )
    assert response["Location"] == reverse("manage:school-team", args=[school.pk])
    school.refresh_from_db()
    assert school.name == "OBS De Zon"


def test_it_moves_a_school_through_its_edit_form(client, admin_user, school, partner, other_wijk):
    client.force_login(admin_user)
    client.post(reverse("manage:school-update", args=[school.pk]), school_data(school, wijk=other_wijk.pk))
    school.refresh_from_db()
    assert school.wijk == other_wijk
    assert (
        teams_for_schools([school.pk])[school.pk].seats[1].holders[0].person == partner
    )  # the team moves along


def test_it_moves_a_school_to_another_wijk_in_one_action(client, admin_user, school, partner, other_wijk):
    client.force_login(admin_user)
    response = client.post(reverse("manage:school-move", args=[school.pk]), {"wijk": other_wijk.pk})
    assert response["Location"] == reverse("manage:school-team", args=[school.pk])
    school.refresh_from_db()
    assert school.wijk == other_wijk
    assert school.assignments.get(role=Role.BUURTTEAM).person == partner


def test_it_refuses_to_move_a_school_to_a_wijk_of_another_gemeente(client, admin_user, school, wijk):
    far = WijkFactory(gemeente=GemeenteFactory(code="0363", name="Amsterdam"), name="Centrum")
    client.force_login(admin_user)
    response = client.post(reverse("manage:school-move", args=[school.pk]), {"wijk": far.pk})
    assert response.status_code == 200
    assert response.context["form"].has_error("wijk", code="invalid_choice")
    school.refresh_from_db()
    assert school.wijk == wijk


def test_it_shows_the_move_form_on_the_team_screen(client, admin_user, school, other_wijk):
    client.force_login(admin_user)
    body = client.get(reverse("manage:school-team", args=[school.pk])).content.decode()
    assert reverse("manage:school-move", args=[school.pk]) in body
    assert other_wijk.name in body
