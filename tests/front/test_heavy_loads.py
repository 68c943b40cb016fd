"""People serving unusually many schools (issue 15): their own page, no longer a panel of every roster page,
scoped and filtered like the roster, for coordinators and admins."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partners.models import PARTNER_ROLES, Assignment, Role
from partners.selectors import heavy_loads
from schools.models import School
from tests.factories import AssignmentFactory, SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db
HEAVY = reverse("schools:heavy-loads")


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(dt.datetime(2026, 12, 2, 10, tzinfo=ZoneInfo("Europe/Amsterdam")), tick=False):
        yield


def busy_person(wijk, name="Drukke", schools=7, sector="PO"):
    """Someone who is the JGZ of `schools` schools of `wijk`, where four colleagues have one each."""
    person = UserFactory(first_name=name, last_name="Baas", email=f"{name.lower()}@ggd.example")
    for _ in range(schools):
        AssignmentFactory(school=SchoolFactory(wijk=wijk, sector=sector), role=Role.JGZ, person=person)
    for _ in range(4):
        AssignmentFactory(school=SchoolFactory(wijk=wijk, sector=sector), role=Role.JGZ)
    return person


def test_it_shows_a_coordinator_who_serves_unusually_many_schools(client, coordinator, wijk):
    busy_person(wijk)
    client.force_login(coordinator)
    response = client.get(HEAVY)
    assert response.status_code == 200
    assert [(h["name"], h["count"], h["median"]) for h in response.context["heavy"]] == [
        ("Drukke Baas", 7, 1)
    ]
    body = response.content.decode()
    assert "Mensen die opvallend veel scholen bedienen" in body
    assert f'href="{reverse("schools:list")}?person=drukke%40ggd.example"' in body  # their schools


def test_it_says_when_nobody_does(client, coordinator, school):
    client.force_login(coordinator)
    response = client.get(HEAVY)
    assert response.context["heavy"] == []
    assert '<p role="status">' in response.content.decode()


def test_it_counts_the_schools_of_the_roster_with_its_filters(client, coordinator, wijk, other_wijk):
    busy_person(wijk, "West")
    busy_person(other_wijk, "Overvecht")
    busy_person(other_wijk, "Voortgezet", sector="VO")
    client.force_login(coordinator)

    def shown(params):
        return {h["name"] for h in client.get(HEAVY, params).context["heavy"]}

    assert shown({}) == {"West Baas", "Overvecht Baas", "Voortgezet Baas"}
    assert shown({"wijk": wijk.pk}) == {"West Baas"}
    # the roster's other filters come along from its link, kept in the form as hidden fields
    response = client.get(HEAVY, {"wijk": other_wijk.pk, "sector": "VO"})
    assert {h["name"] for h in response.context["heavy"]} == {"Voortgezet Baas"}
    assert '<input type="hidden" name="sector" value="VO">' in response.content.decode()


def test_it_keeps_a_wijk_coordinator_to_their_wijk(client, wijk_coordinator, wijk, other_wijk):
    busy_person(wijk, "West")
    busy_person(other_wijk, "Overvecht")
    client.force_login(wijk_coordinator)
    assert {h["name"] for h in client.get(HEAVY).context["heavy"]} == {"Overvecht Baas"}
    # another wijk is no choice of theirs: the filter is refused, the scope stays theirs
    response = client.get(HEAVY, {"wijk": wijk.pk})
    assert {h["name"] for h in response.context["heavy"]} == {"Overvecht Baas"}
    assert "West Baas" not in response.content.decode()


def test_it_is_for_coordinators_and_admins_only(client, partner, ib, admin_user, wijk):
    busy_person(wijk)
    for user in (partner, ib):
        client.force_login(user)
        assert client.get(HEAVY).status_code == 403  # as the roster's export (require_coordination)
    client.force_login(admin_user)
    assert {h["name"] for h in client.get(HEAVY).context["heavy"]} == {"Drukke Baas"}
    client.logout()
    assert client.get(HEAVY)["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("count", [20, 200])
def test_its_queries_do_not_grow_with_the_schools(
    client, django_assert_max_num_queries, coordinator, wijk, count
):
    """One busy JGZ at half of the schools, five colleagues sharing the other half."""
    people = [UserFactory() for _ in PARTNER_ROLES]
    busy, colleagues = UserFactory(), [UserFactory() for _ in range(5)]
    School.objects.bulk_create([SchoolFactory.build(wijk=wijk, gemeente=wijk.gemeente) for _ in range(count)])
    seats = []
    for n, school in enumerate(School.objects.all()):
        for i, role in enumerate(PARTNER_ROLES):
            person = people[i]
            if role == Role.JGZ:
                person = busy if n % 2 else colleagues[n // 2 % 5]
            seats.append(Assignment(school=school, role=role, person=person, start_date=dt.date(2025, 8, 1)))
    Assignment.objects.bulk_create(seats)
    client.force_login(coordinator)
    client.get(HEAVY)  # warm up: the first request of a session does one-off work
    # session, user, MFA authenticator; the roster filter's wijk, checked, validated and offered as choices,
    # with its gemeente (5, partners/area_filters.py); the counts per role and person, the names of the people
    # found; session save (savepoint, update, release)
    with django_assert_max_num_queries(13):
        response = client.get(HEAVY, {"wijk": wijk.pk})
    assert [(h["person_id"], h["count"]) for h in response.context["heavy"]] == [(busy.pk, count // 2)]


def test_it_counts_every_seat_of_the_country_without_asking_for_every_school(school, other_school, wijk):
    """An admin's scope without filters is every school: the count is then of the seats alone, which
    PostgreSQL reads in group order from an index (role, person, school, dates), instead of hashing all
    10,000 schools and sorting the seats. A narrower scope still restricts the count."""
    busy_person(wijk)
    with CaptureQueriesContext(connection) as queries:
        everywhere = heavy_loads(School.objects.all())
    assert "schools_school" not in queries.captured_queries[0]["sql"]
    assert [h["name"] for h in everywhere] == ["Drukke Baas"]
    with CaptureQueriesContext(connection) as queries:
        assert heavy_loads(School.objects.filter(pk=other_school.pk)) == []
    assert "schools_school" in queries.captured_queries[0]["sql"]
    assert len(queries) == 1  # nobody found: no names to read
    assert heavy_loads(School.objects.none()) == []
