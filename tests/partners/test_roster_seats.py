"""partners.selectors.roster_seats: seat_people and coverage_for_schools from one read of the seats."""

import datetime as dt
import random

import pytest

from partners.models import PARTNER_ROLES, TEAM_ROLES
from partners.selectors import coverage_for_schools, roster_seats, seat_people
from tests.factories import AssignmentFactory, SchoolFactory, random_seats

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 10)


def test_it_answers_as_the_two_reads_do_for_any_team():
    """Thirty schools with random seats around the day (gaps, stand-ins, seats that end, follow on, start
    later, start within or after the 30 days): the same people in the same order, the same coverage."""
    schools = [SchoolFactory() for _ in range(30)]
    random_seats(
        random.Random(42), schools, TEAM_ROLES, around=TODAY, people=8, most=4, days=(-90, 45), stand_ins=0.25
    )
    ids = [s.pk for s in schools]
    found = roster_seats(ids, on=TODAY)
    assert found.people == seat_people(ids, on=TODAY)
    assert found.coverage == coverage_for_schools(ids, PARTNER_ROLES, on=TODAY)
    assert any(c.ends_on for roles in found.coverage.values() for c in roles.values())  # the data covers it
    assert any(c.vacant_today for roles in found.coverage.values() for c in roles.values())


def test_it_reads_the_seats_in_two_queries_whatever_the_number_of_schools(django_assert_num_queries):
    schools = [SchoolFactory() for _ in range(12)]
    for school in schools:
        for role in TEAM_ROLES:
            AssignmentFactory(school=school, role=role, start_date=TODAY - dt.timedelta(days=5))
    with django_assert_num_queries(2):  # the seats, their people
        roster_seats([s.pk for s in schools], on=TODAY)
