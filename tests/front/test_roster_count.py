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
from partners.models import TEAM_ROLES, Role
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
