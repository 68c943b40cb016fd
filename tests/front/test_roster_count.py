"""The roster's count of schools (front.filters.SchoolFilter.count): for an admin who chose only the seat
summary's filters it counts the summaries, not the country's schools joined to them; the same number
whatever the seats, and the schools' own count in every other case."""

import datetime as dt
import itertools
import random
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from front.filters import SchoolFilter
from front.views_schools import _filtered
from partners import seat_summary
from partners.models import TEAM_ROLES, Role, SeatSummary
from schools.models import School
from tests.factories import SchoolFactory, random_seats

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 10, 10, tzinfo=ZoneInfo("Europe/Amsterdam"))
LIST = reverse("schools:list")
SUMMARY_CHOICES = {
    "missing_role": [*TEAM_ROLES],
    "gap": ["vacant", "ending"],
    "team": ["complete", "incomplete"],
}


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def country(school, other_school):
    """Thirty more schools with random seats around today, two of them no longer active."""
    schools = [SchoolFactory(is_active=n > 1) for n in range(30)]
    random_seats(random.Random(1506), [school, other_school, *schools], TEAM_ROLES, around=NOW.date())
    return schools


def _filter(user, **params) -> SchoolFilter:
    request = RequestFactory().get(LIST, params)
    request.user = user
    return _filtered(request)


def _counted(school_filter: SchoolFilter) -> tuple[int, str]:
    """The filter's count and the SQL of the query that counted."""
    school_filter.qs  # noqa: B018  the filters, and the summaries they count first, before the capture
    with CaptureQueriesContext(connection) as queries:
        count = school_filter.count()
    assert len(queries) == 1
    return count, queries[0]["sql"]


def _every_choice():
    yield from ({name: value} for name, values in SUMMARY_CHOICES.items() for value in values)
    for (one, values), (other, others) in itertools.combinations(SUMMARY_CHOICES.items(), 2):
        yield from ({one: a, other: b} for a in values for b in others)


def test_an_admins_count_of_the_summary_filters_is_the_schools_count(admin_user, country):
    for params in _every_choice():
        school_filter = _filter(admin_user, **params)
        count, sql = _counted(school_filter)
        assert count == len(list(school_filter.qs)) == school_filter.qs.count(), params
        assert "schools_school" not in sql, params  # the summaries alone
        assert "partners_seatsummary" in sql
    # The conditions choose: some choice finds some of the schools, not none or all of them.
    assert any(0 < _filter(admin_user, **p).count() < School.objects.count() for p in _every_choice())


@pytest.mark.parametrize(
    "params",
    [
        {"gap": "vacant", "sector": "bogus"},  # refused: no filter, as the schools' query leaves it out
        {"gap": "vacant", "q": "   "},  # nothing typed
        {"team": "incomplete", "gemeente": "nonsense", "wijk": "x"},
    ],
)
def test_input_the_filters_refuse_or_ignore_leaves_the_summaries_count(admin_user, country, params):
    school_filter = _filter(admin_user, **params)
    count, sql = _counted(school_filter)
    assert count == len(list(school_filter.qs))
    assert "schools_school" not in sql


@pytest.mark.parametrize(
    "params",
    [
        {},  # nothing chosen: the schools' count
        {"gap": "vacant", "sector": "VO"},
        {"missing_role": Role.JGZ, "q": "School"},
        {"gap": "ending", "kpo": "none"},
        {"gap": "vacant", "wijk": "WIJK"},  # the wijk's gemeente comes with it (partners.area_filters)
    ],
)
def test_it_counts_the_schools_when_another_filter_is_chosen(admin_user, country, school, params):
    SchoolFactory(sector="VO")
    params = {key: school.wijk_id if value == "WIJK" else value for key, value in params.items()}
    school_filter = _filter(admin_user, **params)
    count, sql = _counted(school_filter)
    assert count == len(list(school_filter.qs))
    assert "schools_school" in sql


def test_it_counts_the_schools_of_a_scope_smaller_than_the_country(coordinator, country):
    """A coordinator's scope is a condition on the schools: the summaries of the others do not count."""
    school_filter = _filter(coordinator, gap="vacant")
    count, sql = _counted(school_filter)
    assert count == len(list(school_filter.qs))
    assert "schools_school" in sql


def test_it_counts_the_schools_when_a_summary_could_not_be_counted(admin_user, country, monkeypatch):
    """A school whose summary is not fresh is judged from its seats: the summaries cannot count it."""
    seat_summary.summaries_ensure(School.objects.all())
    seat_summary.seats_changed([country[5].pk])
    monkeypatch.setattr(seat_summary, "_count", lambda ids, day: None)  # held by a writer
    for params in _every_choice():
        school_filter = _filter(admin_user, **params)
        count, sql = _counted(school_filter)
        assert count == len(list(school_filter.qs)), params
        assert "schools_school" in sql


def test_the_admins_roster_pages_by_the_summaries_count(client, admin_user, country):
    client.force_login(admin_user)
    for params in ({"gap": "vacant"}, {"team": "incomplete", "missing_role": Role.IB}):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(LIST, params)
        page = response.context["page"]
        expected = _filter(admin_user, **params).qs.count()
        assert page.paginator.count == expected
        assert len(response.context["rows"]) == min(expected, 50)
        counts = [q["sql"] for q in queries if "COUNT(" in q["sql"]]
        assert len(counts) == 1
        assert "partners_seatsummary" in counts[0]
        assert "schools_school" not in counts[0]


def _freshness_check(queries) -> str:
    """The SQL of the filters' check for summaries not counted today (partners.seat_summary._not_fresh):
    the request's first query of the summaries."""
    return next(q["sql"] for q in queries if "partners_seatsummary" in q["sql"])


def test_an_admins_filters_check_the_freshness_of_every_school_not_of_those_chosen(
    client, admin_user, country
):
    """An admin's scope is every school, so the summaries the gap filter needs fresh are checked as every
    school's: the sector chosen before it is not in the check (it would need the schools joined), and on
    PostgreSQL the check reads the summaries alone. A summary gone stale outside the sector is counted
    too, and the page is still only the sector's schools."""
    vo = SchoolFactory(sector="VO")
    seat_summary.summaries_ensure(School.objects.all())
    seat_summary.seats_changed([vo.pk])
    client.force_login(admin_user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST, {"sector": "PO", "gap": "vacant"})
    check = _freshness_check(queries)
    assert '"sector"' not in check
    if connection.vendor == "postgresql":
        assert "schools_school" not in check
    assert seat_summary.summaries_ensure(School.objects.all()).counted == 0  # the VO school's, counted
    shown = {row.school.pk for row in response.context["rows"]}
    assert shown == set(_filter(admin_user, sector="PO", gap="vacant").qs.values_list("pk", flat=True))
    assert vo.pk not in shown


def test_a_coordinators_filters_check_the_schools_in_their_scope(client, coordinator, country):
    """A guard on the admin's way of the test above: a scope smaller than the country is not checked as
    every school."""
    client.force_login(coordinator)
    with CaptureQueriesContext(connection) as queries:
        client.get(LIST, {"gap": "vacant"})
    assert "schools_school" in _freshness_check(queries)  # the scope is a condition on the schools


def _summary_conditions(user) -> list:
    """Every condition on the summaries that a single summary filter of the roster asks."""
    found = []
    for name, values in SUMMARY_CHOICES.items():
        for value in values:
            school_filter = _filter(user, **{name: value})
            school_filter.qs  # noqa: B018  runs the filters, which note their conditions
            (condition,) = school_filter._summary
            found.append((name, value, condition))
    return found


def test_every_gap_the_roster_counts_has_a_partial_index_of_its_own(admin_user, country):
    """The count of a gap reads the rows of its index alone (partners.models.SUMMARY_GAPS), not every
    summary of the day: each filter's condition is, exactly, the condition of an index on the day. A
    complete team (most schools) has none. On PostgreSQL the planner uses that index for the count: a
    narrower condition also implies a wider gap's index (one role vacant, any kernpartner vacant), but the
    index of the same condition holds the fewest rows and needs no check of them."""
    indexes = {index.name: index for index in SeatSummary._meta.indexes if index.condition is not None}
    for name, value, condition in _summary_conditions(admin_user):
        matching = [index for index in indexes.values() if index.condition == condition]
        if (name, value) == ("team", "complete"):
            assert not matching
            continue
        assert [index.fields for index in matching] == [["day"]], (name, value)
        if connection.vendor == "postgresql":
            # A few rows: the planner would read them all.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_seqscan = off")
            plan = SeatSummary.objects.filter(seat_summary.fresh(NOW.date()), condition).explain()
            assert matching[0].name in plan, (name, value, plan)


def test_a_sector_and_a_gap_read_the_sectors_schools_in_the_rosters_order(admin_user, country):
    """The count and the page of a sector and a gap: on PostgreSQL the sector's schools are read from
    the index on sector, name and id (in the roster's order), not every school of the country."""
    (index,) = [i for i in School._meta.indexes if i.name == "school_sector_name_idx"]
    assert index.fields == ["sector", "name", "id"]
    for name in ("Het Lyceum", "Alfa College"):  # no seats: every kernpartner role vacant
        SchoolFactory(sector="VO", name=name)
    school_filter = _filter(admin_user, sector="VO", gap="vacant")
    count, count_sql = _counted(school_filter)
    with CaptureQueriesContext(connection) as queries:
        page = list(school_filter.qs.order_by("name", "pk")[:50])
    assert count == len(page) == School.objects.filter(sector="VO", pk__in=[s.pk for s in page]).count()
    assert [school.name for school in page] == ["Alfa College", "Het Lyceum"]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Thirty schools: the planner would read them all.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            for sql in (count_sql, queries[0]["sql"]):
                cursor.execute("EXPLAIN " + sql)
                plan = "\n".join(row[0] for row in cursor.fetchall())
                assert "school_sector_name_idx" in plan, plan
