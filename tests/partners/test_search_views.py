"""The searches behind the fields found by typing (partners.search_views): people for the admin's screens,
organisations for the roster's filter and the invitation."""

import pytest
from django.urls import reverse

from kpa.models import UserKind
from kpa.widgets import AUTOCOMPLETE_LIMIT
from partners.models import Role
from tests.factories import AssignmentFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db
PEOPLE = reverse("manage:search-people")
ORGANISATIONS = reverse("manage:search-organisations")


def labels(response) -> list[str]:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return [row["label"] for row in response.json()]


# --- People -------------------------------------------------------------------------------------------


def test_it_sends_anonymous_visitors_to_login(client, db):
    for url in (PEOPLE, ORGANISATIONS):
        response = client.get(url, {"q": "jan"})
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_it_lets_only_admins_search_people(client, partner, coordinator, wijk_coordinator, ib, admin_user):
    """As every management screen: in scope but not allowed is 403 (tests/partners/test_manage_team.py)."""
    for user in (partner, coordinator, wijk_coordinator, ib):
        client.force_login(user)
        assert client.get(PEOPLE, {"q": "part"}).status_code == 403
    client.force_login(admin_user)
    assert client.get(PEOPLE, {"q": "part"}).status_code == 200


def test_it_finds_people_by_first_name_last_name_both_and_e_mail(client, admin_user):
    sanne = UserFactory(first_name="Sanne", last_name="de Vries", email="s.devries@lokalis.example")
    UserFactory(first_name="Ahmed", last_name="El Amrani", email="ahmed@lokalis.example")
    client.force_login(admin_user)
    for query in ("sanne", "VRIES", "sanne de vries", "s.devries@", "  sanne   de  "):
        found = client.get(PEOPLE, {"q": query}).json()
        assert [row["id"] for row in found] == [sanne.pk], query
    assert len(client.get(PEOPLE, {"q": "lokalis.example"}).json()) == 2


def test_it_labels_people_with_organisation_and_e_mail_in_name_order(client, admin_user):
    lokalis = OrganisationFactory(name="Lokalis")
    UserFactory(first_name="Jan", last_name="Zwart", email="jan.z@example.org")
    UserFactory(first_name="Jan", last_name="Bakker", email="jan.b@example.org", organisation=lokalis)
    client.force_login(admin_user)
    assert labels(client.get(PEOPLE, {"q": "jan"})) == [
        "Jan Bakker (Lokalis) – jan.b@example.org",
        "Jan Zwart – jan.z@example.org",
    ]


def test_it_searches_the_set_of_the_field(client, admin_user):
    """?among= is the field's set: the wijk form takes kernpartners, the handover's leaver anyone, blocked
    accounts too; the other fields active people only."""
    UserFactory(first_name="Kees", last_name="Partner", kind=UserKind.KERNPARTNER)
    UserFactory(first_name="Kees", last_name="School", kind=UserKind.SCHOOL)
    UserFactory(first_name="Kees", last_name="Weg", is_active=False)
    client.force_login(admin_user)

    def found(among):
        params = {"q": "kees"} | ({"among": among} if among else {})
        return {label.split(" –")[0] for label in labels(client.get(PEOPLE, params))}

    assert found(None) == found("active") == {"Kees Partner", "Kees School"}
    assert found("kernpartners") == {"Kees Partner"}
    assert found("everyone") == {"Kees Partner", "Kees School", "Kees Weg"}
    assert client.get(PEOPLE, {"q": "kees", "among": "superusers"}).status_code == 404


@pytest.mark.parametrize("query", ["", "j", " j ", "\u200b", "%"])
def test_it_finds_nothing_for_too_little(client, admin_user, query):
    """Fewer than two characters (after white space) find nothing; "%" is a character like any other."""
    UserFactory(first_name="Jan", last_name="Jansen")
    client.force_login(admin_user)
    assert client.get(PEOPLE, {"q": query}).json() == []


def test_it_cuts_a_long_query_off(client, admin_user):
    """Past 100 characters the rest is cut off: 150 b's find the name of 120."""
    long_name = UserFactory(first_name="Jan", last_name="b" * 120)
    client.force_login(admin_user)
    assert [row["id"] for row in client.get(PEOPLE, {"q": "b" * 150}).json()] == [long_name.pk]
    assert client.get(PEOPLE, {"q": "b" * 100 + " " * 50 + "c"}).json() != []


def test_it_reads_the_query_in_one_unicode_form(client, admin_user):
    """An "é" typed as e and an accent finds the "é" stored as one character; full-width letters too."""
    rene = UserFactory(first_name="René", last_name="Oost")
    client.force_login(admin_user)
    assert [row["id"] for row in client.get(PEOPLE, {"q": "rene\u0301"}).json()] == [rene.pk]
    assert [row["id"] for row in client.get(PEOPLE, {"q": "Ｏｏｓｔ"}).json()] == [rene.pk]


def test_it_answers_at_most_the_limit_in_a_fixed_number_of_queries(
    client, admin_user, django_assert_max_num_queries
):
    UserFactory.create_batch(AUTOCOMPLETE_LIMIT + 5, first_name="Fatima", organisation=OrganisationFactory())
    client.force_login(admin_user)
    client.get(PEOPLE, {"q": "fatima"})  # warm up: the first request of a session does one-off work
    # session, user, MFA authenticator, the people with their organisation (one join), session save
    # (savepoint, update, release): however many match
    with django_assert_max_num_queries(7):
        assert len(client.get(PEOPLE, {"q": "fatima"}).json()) == AUTOCOMPLETE_LIMIT


# --- Organisations ------------------------------------------------------------------------------------


def test_it_finds_only_the_organisations_in_scope(client, school, other_school, wijk_coordinator, admin_user):
    lokalis = OrganisationFactory(name="Buurtteam Lokalis")
    here = OrganisationFactory(name="Buurtteam Overvecht")
    OrganisationFactory(name="Buurtteam Nergens")  # nobody at any school
    AssignmentFactory(school=school, role=Role.BUURTTEAM, person=UserFactory(organisation=lokalis))
    AssignmentFactory(school=other_school, role=Role.BUURTTEAM, person=UserFactory(organisation=here))
    client.force_login(wijk_coordinator)
    assert client.get(ORGANISATIONS, {"q": "buurtteam"}).json() == [
        {"id": here.pk, "label": "Buurtteam Overvecht"}
    ]
    client.force_login(admin_user)  # every organisation: the invitation chooses among all of them
    assert labels(client.get(ORGANISATIONS, {"q": "buurtteam"})) == [
        "Buurtteam Lokalis",
        "Buurtteam Nergens",
        "Buurtteam Overvecht",
    ]


def test_it_finds_no_organisation_for_someone_without_a_scope(client, outsider, school):
    """A kernpartner sees the organisations at their own schools; someone who left sees none."""
    AssignmentFactory(
        school=school, role=Role.JGZ, person=UserFactory(organisation=OrganisationFactory(name="GGD"))
    )
    client.force_login(outsider)
    assert client.get(ORGANISATIONS, {"q": "ggd"}).json() == []
    gone = UserFactory(organisation=OrganisationFactory(name="GGD Oud"))
    client.force_login(gone)
    assert client.get(ORGANISATIONS, {"q": "ggd"}).json() == []


def test_it_needs_two_characters_for_organisations_too(client, admin_user):
    OrganisationFactory(name="X")
    client.force_login(admin_user)
    assert client.get(ORGANISATIONS, {"q": "x"}).json() == []


def test_it_answers_organisations_in_a_fixed_number_of_queries(
    client, coordinator, school, django_assert_max_num_queries
):
    for i in range(AUTOCOMPLETE_LIMIT + 5):
        organisation = OrganisationFactory(name=f"Jeugdwerk {i:02d}")
        AssignmentFactory(school=school, role=Role.JGZ, person=UserFactory(organisation=organisation))
    client.force_login(coordinator)
    client.get(ORGANISATIONS, {"q": "jeugd"})  # warm up
    # session, user, MFA authenticator, the organisations (the scope is a subquery of that one query),
    # session save (savepoint, update, release)
    with django_assert_max_num_queries(7):
        found = labels(client.get(ORGANISATIONS, {"q": "jeugd"}))
    assert found == [f"Jeugdwerk {i:02d}" for i in range(AUTOCOMPLETE_LIMIT)]


def test_it_answers_only_get(client, admin_user):
    client.force_login(admin_user)
    assert client.post(PEOPLE, {"q": "jan"}).status_code == 405
    assert client.post(ORGANISATIONS, {"q": "jan"}).status_code == 405
