"""partners.selectors.roster_seats: seat_people and coverage_for_schools from one read of the seats."""

import datetime as dt
import random
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners.models import PARTNER_ROLES, TEAM_ROLES, Assignment, Role
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


def _seats_query(ids):
    with CaptureQueriesContext(connection) as queries:
        roster_seats(ids, on=TODAY)
    return [q["sql"] for q in queries]


def test_the_seats_of_a_roster_page_are_read_from_one_index_alone():
    """Every column roster_seats reads of the seats (to choose them, to sort them, to return them) is in
    the index on the school's seats, as a key or an included column: PostgreSQL reads a page's seats from
    the index, not from the 200 of the table's pages they lie on at 10,000 schools."""
    schools = [SchoolFactory() for _ in range(3)]
    for school in schools:
        AssignmentFactory(school=school, role=Role.JGZ, start_date=TODAY - dt.timedelta(days=5))
    (index,) = [i for i in Assignment._meta.indexes if i.name == "assignment_school_seats_idx"]
    covered = {Assignment._meta.get_field(name).column for name in [*index.fields, *index.include]}
    seats_sql = _seats_query([s.pk for s in schools])[0]
    read = set(re.findall(r'"partners_assignment"\."(\w+)"', seats_sql))
    assert read and read <= covered, read - covered
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")  # three seats: the planner would read them all
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute("EXPLAIN " + seats_sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "Index Only Scan using assignment_school_seats_idx" in plan, plan


def test_it_reads_the_people_without_sorting_them():
    """The people are read into a dict: User's default order (by name) was a sort of a page's 250 people
    for nothing."""
    school = SchoolFactory()
    AssignmentFactory(school=school, role=Role.JGZ, start_date=TODAY - dt.timedelta(days=5))
    people_sql = _seats_query([school.pk])[1]
    assert "kpa_user" in people_sql
    assert "ORDER BY" not in people_sql
