import pytest
from django.urls import reverse

from partners.models import Role
from tests.factories import AssignmentFactory, SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db
HOME = reverse("kpa:home")


def test_it_shows_an_ib_er_their_school_and_team(client, school, ib, partner):
    client.force_login(ib)
    response = client.get(HOME)
    body = response.content.decode()
    assert response.status_code == 200
    assert school.name in body
    assert "Jouw kernpartnerteam" in body
    assert partner.email in body
    assert "Onbezet" in body  # JGZ, passend onderwijs and leerplicht are not filled


def test_it_shows_a_school_leader_their_school_read_only(client, school, partner):
    from kpa.models import UserKind

    leader = UserFactory(kind=UserKind.SCHOOL)
    AssignmentFactory(person=leader, school=school, role=Role.SCHOOLLEIDER)
    client.force_login(leader)
    body = client.get(HOME).content.decode()
    assert school.name in body
    assert partner.email in body
    assert "Schoolleider" in body
    assert reverse("kpa:person-invite") not in body


def test_it_tells_an_ib_er_without_a_school_what_to_do(client, db):
    from kpa.models import UserKind

    client.force_login(UserFactory(kind=UserKind.SCHOOL))
    assert "Je bent nog niet aan een school gekoppeld" in client.get(HOME).content.decode()


def test_it_shows_a_kernpartner_every_school_they_serve(client, school, other_school, partner):
    AssignmentFactory(person=partner, school=other_school, role=Role.BUURTTEAM)
    client.force_login(partner)
    body = client.get(HOME).content.decode()
    assert school.name in body
    assert other_school.name in body
    assert "Mijn scholen" in body


def test_it_shows_a_kernpartner_no_school_outside_their_scope(client, school, other_school, partner):
    client.force_login(partner)
    assert other_school.name not in client.get(HOME).content.decode()


def test_it_shows_a_coordinator_coverage_per_wijk(client, school, other_school, coordinator, wijk):
    for role in (Role.BUURTTEAM, Role.JGZ, Role.PASSEND_ONDERWIJS, Role.LEERPLICHT):
        AssignmentFactory(school=school, role=role)
    client.force_login(coordinator)
    response = client.get(HOME)
    assert response.status_code == 200
    assert response.context["total"] == 2
    assert response.context["complete"] == 1
    assert response.context["incomplete"] == 1
    assert wijk.name in response.content.decode()


def test_it_shows_a_wijk_coordinator_only_their_wijk(client, school, other_school, wijk_coordinator, wijk):
    client.force_login(wijk_coordinator)
    response = client.get(HOME)
    assert response.context["total"] == 1
    assert [row["wijk"] for row in response.context["rows"]] == [other_school.wijk]


def test_it_shows_an_admin_the_management_screens(client, admin_user, school):
    client.force_login(admin_user)
    body = client.get(HOME).content.decode()
    assert reverse("kpa:person-invite") in body
    assert reverse("admin:index") in body


def test_it_sends_anonymous_visitors_to_login(client, db):
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("schools", [10, 300])
def test_it_keeps_the_partner_start_page_queries_flat(client, django_assert_max_num_queries, schools, wijk):
    partner = UserFactory()
    for _ in range(schools):
        school = SchoolFactory(wijk=wijk)
        AssignmentFactory(person=partner, school=school, role=Role.BUURTTEAM)
        AssignmentFactory(school=school, role=Role.JGZ)
    client.force_login(partner)
    client.get(HOME)  # warm up: the first request of a session does one-off work
    # session, user, schools, team assignments, coverage, next KPOs, vacancy coordinators, my roles,
    # session save (savepoint, update, release)
    with django_assert_max_num_queries(11):
        assert client.get(HOME).status_code == 200


@pytest.mark.parametrize("schools", [10, 300])
def test_it_keeps_the_coordinator_start_page_queries_flat(
    client, django_assert_max_num_queries, schools, wijk, coordinator
):
    for _ in range(schools):
        AssignmentFactory(school=SchoolFactory(wijk=wijk), role=Role.JGZ)
    client.force_login(coordinator)
    client.get(HOME)  # warm up: the first request of a session does one-off work
    # session, user, MFA authenticator, the coordinator's gemeente (page title), complete schools per
    # wijk, wijken with counts, session save (savepoint, update, release)
    with django_assert_max_num_queries(9):
        assert client.get(HOME).status_code == 200
