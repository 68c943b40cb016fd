"""The roster's filters that scale (issue 15): the wijk depends on the gemeente, the organisation is found by
typing (no cached list of choices), and "ending" counts any seat whose coverage runs out within 30 days."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from kpa.models import UserKind
from partners.models import Role
from partners.selectors import coverage_for_schools
from tests.factories import (
    AssignmentFactory,
    GemeenteFactory,
    OrganisationFactory,
    SchoolFactory,
    UserFactory,
    WijkFactory,
)

pytestmark = pytest.mark.django_db
LIST = reverse("schools:list")
TODAY = dt.date(2026, 3, 10)
NOW = dt.datetime(2026, 3, 10, 10, tzinfo=ZoneInfo("Europe/Amsterdam"))


def names(response) -> set[str]:
    return {row.school.name for row in response.context["rows"]}


def form(response):
    return response.context["filter"].form


def options(html: str, name: str) -> list[str]:
    """The values of the options of the select `name` in the page."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no select {name}"
    return re.findall(r'<option value="([^"]*)"', select.group(1))


def day(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


# --- The wijk depends on the gemeente -----------------------------------------------------------------


@pytest.fixture
def amsterdam(db):
    gemeente = GemeenteFactory(code="0363", name="Amsterdam")
    wijk = WijkFactory(gemeente=gemeente, name="Noord")
    SchoolFactory(name="Amsterdamse school", wijk=wijk)
    return wijk


def test_it_offers_a_coordinator_the_wijken_of_their_gemeente_without_asking(
    client, coordinator, wijk, other_wijk, school, other_school, amsterdam
):
    """Their scope is one gemeente: nothing to choose there, so no gemeente select (it offered one)."""
    client.force_login(coordinator)
    response = client.get(LIST)
    fields = form(response).fields
    assert "gemeente" not in fields
    assert 'name="gemeente"' not in response.content.decode()
    assert set(fields["wijk"].queryset) == {wijk, other_wijk}
    assert amsterdam.name not in response.content.decode()
    response = client.get(LIST, {"gemeente": wijk.gemeente_id, "wijk": other_wijk.pk})  # a dashboard link
    assert not form(response).errors
    assert names(response) == {other_school.name}


def test_it_asks_an_admin_to_choose_a_gemeente_before_a_wijk(client, admin_user, wijk, other_wijk, amsterdam):
    client.force_login(admin_user)
    response = client.get(LIST)
    html = response.content.decode()
    assert options(html, "wijk") == [""]  # only "All wijken"
    assert "Kies eerst een gemeente." in html
    assert set(form(response).fields["gemeente"].queryset) == {wijk.gemeente, amsterdam.gemeente}

    response = client.get(LIST, {"gemeente": amsterdam.gemeente_id})
    assert options(response.content.decode(), "wijk") == ["", str(amsterdam.pk)]
    assert names(response) == {"Amsterdamse school"}


def test_it_takes_the_gemeente_from_a_wijk_sent_alone(client, admin_user, school, other_school, amsterdam):
    """The home page and the dashboard link to the roster with ?wijk= only."""
    client.force_login(admin_user)
    response = client.get(LIST, {"wijk": school.wijk_id})
    assert names(response) == {school.name}
    html = response.content.decode()
    assert f'<option value="{school.gemeente_id}" selected>' in html
    assert set(options(html, "wijk")) == {"", str(school.wijk_id), str(other_school.wijk_id)}


def test_it_refuses_a_wijk_of_another_gemeente_in_dutch_and_filters_without_it(
    client, admin_user, school, amsterdam
):
    client.force_login(admin_user)
    response = client.get(LIST, {"gemeente": amsterdam.gemeente_id, "wijk": school.wijk_id})
    assert response.status_code == 200
    assert "Deze wijk ligt niet in de gekozen gemeente." in response.content.decode()
    assert names(response) == {"Amsterdamse school"}


@pytest.mark.parametrize(
    "params",
    [
        {"gemeente": "abc"},
        {"wijk": "abc"},
        {"gemeente": "-1", "wijk": "1.5"},
        {"gemeente": "9" * 30, "wijk": "9" * 30},
        {"wijk": "999999"},
        {"organisation": "abc"},
        {"organisation": "9" * 30},
    ],
)
def test_it_shrugs_off_nonsense_in_the_gemeente_wijk_and_organisation(client, admin_user, school, params):
    client.force_login(admin_user)
    response = client.get(LIST, params)
    assert response.status_code == 200
    assert form(response).errors  # said on the form, in Dutch (Django's own catalogue) ...
    assert names(response) == {school.name}  # ... and not filtered by it


def test_it_keeps_a_coordinator_to_the_wijken_and_gemeenten_in_scope(
    client, wijk_coordinator, school, other_school, amsterdam
):
    client.force_login(wijk_coordinator)
    response = client.get(LIST, {"gemeente": amsterdam.gemeente_id})
    assert "gemeente" in form(response).errors
    assert names(response) == {other_school.name}
    assert set(form(response).fields["wijk"].queryset) == set()  # no wijk of theirs in Amsterdam
    response = client.get(LIST, {"wijk": school.wijk_id})  # a wijk of the gemeente, not theirs
    assert "wijk" in form(response).errors
    assert names(response) == {other_school.name}


def test_it_tells_a_coordinator_what_is_wrong_with_a_gemeente_or_wijk_sent(
    client, coordinator, wijk, other_wijk, school, amsterdam
):
    """No select for their one gemeente, but nonsense sent as the gemeente keeps it, with its error; and a
    wijk elsewhere sent with their gemeente is refused in the same words as an admin's."""
    client.force_login(coordinator)
    response = client.get(LIST, {"gemeente": "abc"})
    html = response.content.decode()
    assert "gemeente" in form(response).errors
    assert 'name="gemeente"' in html
    assert set(form(response).fields["wijk"].queryset) == {wijk, other_wijk}
    assert f">{wijk.name} (" not in html  # their own wijken, not named with a gemeente
    response = client.get(LIST, {"gemeente": wijk.gemeente_id, "wijk": amsterdam.pk})
    assert form(response).errors["wijk"] == ["Deze wijk ligt niet in de gekozen gemeente."]
    assert names(response) == {school.name}  # the roster leaves out a filter in error


def test_it_gives_a_kernpartner_the_gemeenten_of_their_schools(client, partner, school, amsterdam):
    """In one gemeente: its wijken, no gemeente to choose. In two: both gemeenten to choose from."""
    client.force_login(partner)
    response = client.get(LIST)
    assert "gemeente" not in form(response).fields
    assert set(form(response).fields["wijk"].queryset) == {school.wijk}
    AssignmentFactory(person=partner, school=amsterdam.schools.get(), role=Role.BUURTTEAM)
    response = client.get(LIST)
    assert set(form(response).fields["gemeente"].queryset) == {school.gemeente, amsterdam.gemeente}
    assert set(form(response).fields["wijk"].queryset) == {school.wijk, amsterdam}


# --- The organisation: found by typing, no cached choices -----------------------------------------------


def test_it_renders_only_the_chosen_organisation(client, coordinator, school):
    lokalis, *others = [OrganisationFactory(name=f"Organisatie {i}") for i in range(5)]
    for organisation in (lokalis, *others):  # all five in scope
        AssignmentFactory(school=school, role=Role.JGZ, person=UserFactory(organisation=organisation))
    client.force_login(coordinator)
    html = client.get(LIST, {"organisation": lokalis.pk}).content.decode()
    assert options(html, "organisation") == ["", str(lokalis.pk)]
    assert f'data-autocomplete="{reverse("manage:search-organisations")}"' in html
    assert options(client.get(LIST).content.decode(), "organisation") == [""]


def test_it_filters_by_an_organisation_new_in_scope_at_once(client, coordinator, school, other_school):
    """The choices were cached for five minutes per user: an organisation that started at a school in the
    meantime could not be chosen. Now the chosen one is checked against the scope as it is."""
    client.force_login(coordinator)
    client.get(LIST)
    newcomer = OrganisationFactory(name="Jongerenwerk")
    AssignmentFactory(school=school, role=Role.BUURTTEAM, person=UserFactory(organisation=newcomer))
    response = client.get(LIST, {"organisation": newcomer.pk})
    assert not form(response).errors
    assert names(response) == {school.name}


def test_it_refuses_an_organisation_outside_the_scope(client, wijk_coordinator, school, other_school):
    elsewhere = OrganisationFactory(name="Lokalis")
    AssignmentFactory(school=school, role=Role.BUURTTEAM, person=UserFactory(organisation=elsewhere))
    client.force_login(wijk_coordinator)
    response = client.get(LIST, {"organisation": elsewhere.pk})
    assert "organisation" in form(response).errors
    assert names(response) == {other_school.name}
    assert "Lokalis" not in response.content.decode()


# --- "ending": any seat whose coverage runs out within 30 days ---------------------------------------------

# (start, end) of the JGZ seats at the school, in days from today; None: open-ended.
ENDING_CASES = {
    "ends on day 10, nobody after, a newcomer from day 25": ([(-100, 10), (25, None)], True),
    "ends on day 10, a successor from day 11": ([(-100, 10), (11, None)], False),
    "ends on day 40": ([(-100, 40)], False),
    "vacant today, someone from day 5 to day 20": ([(5, 20)], False),
    "ends today": ([(-100, 0)], True),
    "ends on day 29": ([(-100, 29)], True),
    "ends on day 30": ([(-100, 30)], False),
    "a successor from day 11 who ends on day 20": ([(-100, 10), (11, 20)], True),
    "a successor from day 11 who stays past the horizon": ([(-100, 10), (11, 60)], False),
    "a stand-in ends, the holder stays": ([(-100, None), (-10, 5)], False),
    "overlapping seats, the later one ends on day 15": ([(-100, 10), (3, 15)], True),
    "ended yesterday: vacant": ([(-100, -1)], False),
}


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("seats", ENDING_CASES.values(), ids=ENDING_CASES.keys())
def test_it_finds_the_roles_that_run_out_within_30_days_as_the_coverage_does(
    client, coordinator, school, other_school, seats
):
    seats, ending = seats
    for start, end in seats:
        AssignmentFactory(
            school=school, role=Role.JGZ, start_date=day(start), end_date=None if end is None else day(end)
        )
    AssignmentFactory(school=other_school, role=Role.JGZ, start_date=day(-100))
    client.force_login(coordinator)
    found = names(client.get(LIST, {"gap": "ending"}))
    assert found == ({school.name} if ending else set())
    # The same rule as the roster's badge and the dashboard's figure.
    assert (coverage_for_schools([school.pk])[school.pk][Role.JGZ].ends_on is not None) == ending


@time_machine.travel(NOW, tick=False)
def test_it_counts_only_kernpartner_roles_as_ending(client, coordinator, school):
    AssignmentFactory(school=school, role=Role.IB, start_date=day(-100), end_date=day(10))
    AssignmentFactory(school=school, role=Role.SCHOOLLEIDER, start_date=day(-100), end_date=day(3))
    client.force_login(coordinator)
    assert names(client.get(LIST, {"gap": "ending"})) == set()


@time_machine.travel(NOW, tick=False)
def test_it_keeps_roles_and_schools_apart_when_looking_for_a_successor(
    client, coordinator, school, other_school
):
    """The successor must be in the same role at the same school."""
    AssignmentFactory(school=school, role=Role.JGZ, start_date=day(-100), end_date=day(10))
    AssignmentFactory(school=school, role=Role.LEERPLICHT, start_date=day(11))
    AssignmentFactory(school=other_school, role=Role.JGZ, start_date=day(11))
    client.force_login(coordinator)
    assert names(client.get(LIST, {"gap": "ending"})) == {school.name}


def test_it_is_no_coordinator_only_filter(client, db, school):
    """Everyone who sees the roster gets the same filters, each on their own scope."""
    ib = UserFactory(kind=UserKind.SCHOOL)
    AssignmentFactory(person=ib, school=school, role=Role.IB)
    client.force_login(ib)
    response = client.get(LIST, {"gap": "ending", "gemeente": school.gemeente_id})
    assert response.status_code == 200
    assert not form(response).errors
