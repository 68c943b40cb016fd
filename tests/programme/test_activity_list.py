"""The activity list (/programma/activities/): every activity in scope with filters by line, school year,
status, traffic light and stale; the list behind the dashboard's programme figures."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from programme.models import ActivityStatus, TrafficLight
from tests.factories import ActionLineFactory, ActivityFactory, ProgrammeFactory, ProgressUpdateFactory

pytestmark = pytest.mark.django_db
LIST = reverse("programme:activity-list")


@pytest.fixture
def activities(clock, line4, wijk, other_wijk, amsterdam):
    """Today is 2 November 2026 (school year 2026-2027)."""

    def update(activity, day, light):
        ProgressUpdateFactory(activity=activity, date=day, light=light)

    west = ActivityFactory(
        line=line4, title="West", citywide=False, wijken=[wijk], starts_on=dt.date(2025, 9, 1)
    )
    update(west, dt.date(2026, 3, 1), TrafficLight.RED)
    update(west, dt.date(2026, 10, 1), TrafficLight.GREEN)
    overvecht = ActivityFactory(
        line=line4, title="Overvecht", citywide=False, wijken=[other_wijk], status=ActivityStatus.PLANNED
    )
    update(overvecht, dt.date(2026, 8, 20), TrafficLight.ORANGE)
    old = ActivityFactory(
        line=line4,
        title="Oud",
        starts_on=dt.date(2024, 1, 1),
        ends_on=dt.date(2025, 6, 30),
        status=ActivityStatus.DONE,
    )
    stale = ActivityFactory(line=line4, title="Stil", starts_on=dt.date(2026, 1, 1))
    update(stale, dt.date(2026, 7, 20), TrafficLight.GREEN)  # last school year, 105 days ago: stale
    line5 = line4.programme.lines.get(number=5)
    scholing = ActivityFactory(
        line=line5, title="Scholing", starts_on=dt.date(2026, 9, 1), status=ActivityStatus.IDEA
    )
    elsewhere = ActivityFactory(
        line=ActionLineFactory(programme=ProgrammeFactory(gemeente=amsterdam), number=4), title="Amsterdams"
    )
    return {
        "west": west,
        "overvecht": overvecht,
        "old": old,
        "stale": stale,
        "scholing": scholing,
        "elsewhere": elsewhere,
        "line5": line5,
    }


def titles(client, **params) -> list[str]:
    response = client.get(LIST, params)
    assert response.status_code == 200
    return [a.title for a in response.context["page"].object_list]


def test_it_lists_the_activities_in_scope_by_line_and_title(client, coordinator, activities):
    client.force_login(coordinator)
    assert titles(client) == ["Oud", "Overvecht", "Stil", "West", "Scholing"]
    body = client.get(LIST).content.decode()
    assert "5 activiteiten" in body and "Amsterdams" not in body
    assert "60 dagen geen update" in body  # Stil


def test_it_filters_by_line_year_status_light_and_stale(client, coordinator, activities, line4):
    client.force_login(coordinator)
    assert titles(client, line=activities["line5"].pk) == ["Scholing"]
    assert titles(client, line=line4.pk, year="2026") == ["Overvecht", "Stil", "West"]
    assert titles(client, line=line4.pk, year="2024") == ["Oud"]
    assert titles(client, year="2026", status=ActivityStatus.PLANNED) == ["Overvecht"]
    # The light of the latest update in the school year (this one by default, up to today).
    assert titles(client, year="2026", light=TrafficLight.GREEN) == ["West"]
    assert titles(client, light=TrafficLight.GREEN) == ["West"]
    assert titles(client, year="2025", light=TrafficLight.GREEN) == ["Stil"]
    assert titles(client, year="2025", light=TrafficLight.RED) == ["West"]
    assert titles(client, year="2026", light="none") == ["Stil", "Scholing"]
    assert titles(client, stale="yes") == ["Overvecht", "Stil"]  # last updates 74 and 105 days ago


@pytest.mark.parametrize(
    "params", [{"year": "1999"}, {"light": "purple"}, {"status": "maybe"}, {"stale": "no"}, {"line": "abc"}]
)
def test_it_refuses_a_bad_filter_in_dutch_and_shows_no_list(client, coordinator, activities, params):
    client.force_login(coordinator)
    response = client.get(LIST, params)
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == []
    body = response.content.decode()
    assert "Verbeter het filter hierboven om de activiteiten te zien." in body
    assert "Selecteer een geldige keuze" in body


def test_another_gemeentes_line_is_no_choice(client, amsterdam_coordinator, activities, line4):
    client.force_login(amsterdam_coordinator)
    assert titles(client) == ["Amsterdams"]
    response = client.get(LIST, {"line": line4.pk})
    assert list(response.context["page"].object_list) == []
    assert "Selecteer een geldige keuze" in response.content.decode()


def test_a_wijk_coordinator_sees_the_citywide_activities_and_their_wijks(
    client, wijk_coordinator, activities
):
    client.force_login(wijk_coordinator)  # of Overvecht
    assert titles(client) == ["Oud", "Overvecht", "Stil", "Scholing"]


def test_it_keeps_school_staff_kernpartners_and_anonymous_out(client, ib, partner, activities):
    for user in (ib, partner):
        client.force_login(user)
        assert client.get(LIST).status_code == 403
    client.logout()
    response = client.get(LIST)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_it_keeps_its_queries_flat(client, coordinator, activities, line4, django_assert_max_num_queries):
    client.force_login(coordinator)
    counts = []
    for more in (0, 60):
        for n in range(more):
            ProgressUpdateFactory(
                activity=ActivityFactory(line=line4, title=f"Meer {n}"), date=dt.date(2026, 10, 1)
            )
        # session, user, MFA; the lines for the filter; the count; the page; session save (3)
        with django_assert_max_num_queries(9) as captured:
            assert client.get(LIST, {"year": "2026", "light": "green"}).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]
