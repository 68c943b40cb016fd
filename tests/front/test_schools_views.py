import pytest
from django.urls import reverse

from partners.models import Role
from tests.factories import AssignmentFactory, SchoolFactory

pytestmark = pytest.mark.django_db


def test_it_lists_only_schools_in_scope(client, school, other_school, partner):
    client.force_login(partner)
    body = client.get(reverse("schools:list")).content.decode()
    assert school.name in body
    assert other_school.name not in body


def test_it_filters_the_list_by_wijk_and_search(client, school, other_school, coordinator, other_wijk):
    client.force_login(coordinator)
    body = client.get(reverse("schools:list"), {"wijk": other_wijk.pk}).content.decode()
    assert other_school.name in body
    assert school.name not in body
    body = client.get(reverse("schools:list"), {"q": "zonnewijzer"}).content.decode()
    assert school.name in body
    assert other_school.name not in body


def test_it_refuses_a_wijk_filter_outside_scope(client, school, wijk, wijk_coordinator):
    client.force_login(wijk_coordinator)
    response = client.get(reverse("schools:list"), {"wijk": wijk.pk})
    assert school.name not in response.content.decode()
    assert "Selecteer een geldige keuze" in response.content.decode()


def test_it_shows_the_team_of_a_school_in_scope(client, school, ib, partner):
    client.force_login(partner)
    body = client.get(reverse("schools:detail", args=[school.pk])).content.decode()
    assert ib.email in body
    assert f"mailto:{ib.email}" in body


def test_it_answers_404_for_a_school_outside_scope(client, school, outsider, wijk_coordinator):
    for user in (outsider, wijk_coordinator):
        client.force_login(user)
        assert client.get(reverse("schools:detail", args=[school.pk])).status_code == 404


def test_it_sends_anonymous_visitors_to_login(client, school):
    response = client.get(reverse("schools:detail", args=[school.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("schools", [10, 60])
def test_it_keeps_the_list_queries_flat(client, django_assert_max_num_queries, schools, coordinator, wijk):
    for _ in range(schools):
        AssignmentFactory(school=SchoolFactory(wijk=wijk), role=Role.JGZ)
    client.force_login(coordinator)
    client.get(reverse("schools:list"))  # warm up: the first request of a session does one-off work
    # session, user, MFA authenticator, wijk and organisation choices, count, page of schools, seats, their
    # people, coverage, next KPOs, session save (savepoint, update, release); heavy loads have a page of
    # their own
    with django_assert_max_num_queries(14):
        assert client.get(reverse("schools:list")).status_code == 200
