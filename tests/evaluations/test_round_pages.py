"""The coordinator's side of the process evaluation (issue 13): the rounds with how many answered,
opening a round by hand (all schools in scope, a wijk, a selection), and the yearly evaluation moment."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from evaluations import services
from evaluations.models import EvaluationMoment, Round
from schools.models import School
from tests.factories import GemeenteFactory, ResponseFactory, SchoolFactory, WijkFactory

pytestmark = pytest.mark.django_db
AMS = ZoneInfo("Europe/Amsterdam")
ROUNDS, OPEN, MOMENT = (
    reverse("evaluations:rounds"),
    reverse("evaluations:round-open"),
    reverse("evaluations:moment"),
)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(dt.datetime(2026, 11, 2, 10, tzinfo=AMS), tick=False):
        yield


@pytest.fixture
def schools(school, other_school, wijk):
    """`school` and B in West, `other_school` in Overvecht, a closed school in West, one in Amsterdam."""
    b = SchoolFactory(name="School B", wijk=wijk)
    SchoolFactory(name="Gesloten", wijk=wijk, is_active=False)
    elsewhere = SchoolFactory(
        name="Amsterdamse school", wijk=WijkFactory(gemeente=GemeenteFactory(code="0363"))
    )
    return {"a": school, "b": b, "d": other_school, "elsewhere": elsewhere}


def post(client, **fields):
    data = {"opens_on": "2026-11-02", "closes_on": "2026-11-29", "scope": "all", **fields}
    return client.post(OPEN, data)


def test_a_coordinator_opens_a_round_for_all_their_schools(client, coordinator, schools):
    client.force_login(coordinator)
    response = post(client)
    assert response.status_code == 302 and response["Location"] == ROUNDS
    round_ = Round.objects.get()
    assert set(round_.schools.all()) == {schools["a"], schools["b"], schools["d"]}
    assert (round_.school_year, round_.automatic, round_.opened_by) == (2026, False, coordinator)
    assert (round_.opens_on, round_.closes_on) == (dt.date(2026, 11, 2), dt.date(2026, 11, 29))
    assert "De ronde is open voor 3 scholen" in client.get(ROUNDS).content.decode()


def test_one_wijk_or_a_selection(client, coordinator, schools, wijk):
    client.force_login(coordinator)
    assert post(client, scope="wijk", wijk=wijk.pk).status_code == 302
    assert set(Round.objects.latest("pk").schools.all()) == {schools["a"], schools["b"]}
    assert post(client, scope="selection", schools=[schools["d"].pk]).status_code == 302
    assert set(Round.objects.latest("pk").schools.all()) == {schools["d"]}


def test_a_wijk_coordinator_asks_only_their_wijks_schools(client, wijk_coordinator, schools, wijk):
    client.force_login(wijk_coordinator)  # of Overvecht
    assert post(client).status_code == 302
    assert set(Round.objects.get().schools.all()) == {schools["d"]}
    refused = post(client, scope="wijk", wijk=wijk.pk)
    assert refused.status_code == 200 and "Selecteer een geldige keuze" in refused.content.decode()
    assert Round.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"opens_on": "2026-11-01"}, "opens_on", "Een ronde opent vandaag of later."),
        ({"closes_on": "2026-11-01"}, "closes_on", "Een ronde kan niet sluiten voordat ze opent."),
        ({"closes_on": "2027-02-10"}, "closes_on", "Een ronde is hoogstens 12 weken open."),
        ({"scope": "wijk"}, "wijk", "Kies de wijk waarvan de ronde de scholen vraagt."),
        ({"scope": "selection"}, "schools", "Kies minstens één school."),
        ({"scope": "everything"}, "scope", None),
        ({"opens_on": "2-11-2026x"}, "opens_on", None),
    ],
)
def test_bad_input_is_refused_in_dutch_and_nothing_is_opened(
    client, coordinator, schools, fields, field, message
):
    client.force_login(coordinator)
    response = post(client, **fields)
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    if message:
        assert errors == [message]
    assert response.context["form"].data["closes_on"] == fields.get("closes_on", "2026-11-29")
    assert not Round.objects.exists()


def test_a_school_outside_the_scope_is_no_choice(client, coordinator, schools):
    client.force_login(coordinator)
    response = post(client, scope="selection", schools=[schools["elsewhere"].pk])
    assert "Selecteer een geldige keuze" in response.content.decode()
    assert not Round.objects.exists()


def test_the_list_shows_the_rounds_of_your_schools_with_how_many_sent(client, wijk_coordinator, schools):
    utrecht = schools["a"].gemeente
    mine = services.open_round(
        utrecht, 2026, School.objects.all(), dt.date(2026, 10, 1), dt.date(2026, 11, 20)
    )
    west_only = services.open_round(
        utrecht, 2026, School.objects.filter(pk=schools["a"].pk), dt.date(2026, 10, 1), dt.date(2026, 10, 2)
    )
    ResponseFactory(round=mine, school=schools["d"], submitted_at=dt.datetime(2026, 10, 5, tzinfo=AMS))
    ResponseFactory(round=mine, school=schools["d"], submitted_at=None)
    client.force_login(wijk_coordinator)
    rows = list(client.get(ROUNDS).context["page"].object_list)
    assert [(r.pk, r.school_count, r.sent) for r in rows] == [(mine.pk, 3, 1)]
    assert west_only not in rows


def test_the_city_coordinator_sets_the_moment(client, coordinator, schools):
    client.force_login(coordinator)
    form = client.get(MOMENT).context["form"]
    assert (form.initial["day"], form.initial["month"], form.initial["weeks_open"]) == (1, 10, 4)
    refused = client.post(MOMENT, {"day": "31", "month": "3", "weeks_open": "2"})
    assert refused.status_code == 200 and refused.context["form"].errors["day"]
    assert not EvaluationMoment.objects.exists()
    assert client.post(MOMENT, {"day": "15", "month": "3", "weeks_open": "2"}).status_code == 302
    moment = EvaluationMoment.objects.get(gemeente=schools["a"].gemeente)
    assert (moment.day, moment.month, moment.weeks_open) == (15, 3, 2)
    assert services.moment_of(moment.gemeente, 2026) == (dt.date(2027, 3, 15), dt.date(2027, 3, 28))


def test_others_are_refused(client, ib, partner, wijk_coordinator, admin_user, schools):
    for person in (ib, partner):
        client.force_login(person)
        for url in (ROUNDS, OPEN, MOMENT):
            assert client.get(url).status_code == 403
    client.force_login(wijk_coordinator)
    assert client.get(MOMENT).status_code == 403
    client.force_login(admin_user)
    assert client.get(OPEN).status_code == 403 and client.get(MOMENT).status_code == 403
    client.logout()
    for url in (ROUNDS, OPEN, MOMENT):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_the_list_keeps_its_queries_flat(client, coordinator, schools, django_assert_max_num_queries):
    client.force_login(coordinator)
    counts = []
    for more in (1, 15):
        for n in range(more):
            services.open_round(
                schools["a"].gemeente,
                2026,
                School.objects.all(),
                dt.date(2026, 11, 2),
                dt.date(2026, 11, 3 + n),
            )
        with django_assert_max_num_queries(10) as captured:
            assert client.get(ROUNDS).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]
