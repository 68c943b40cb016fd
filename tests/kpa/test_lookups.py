"""kpa.lookups.AnyOf (`field__any=[...]`): the rows of `in`, written as one array on PostgreSQL."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kpa.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_it_finds_what_in_finds():
    people = [UserFactory() for _ in range(5)]
    wanted = {people[0].pk, people[3].pk, people[4].pk, 10**12}  # and one that does not exist
    assert set(User.objects.filter(pk__any=wanted)) == set(User.objects.filter(pk__in=wanted))
    assert set(User.objects.filter(pk__any=wanted)) == {people[0], people[3], people[4]}
    assert set(User.objects.exclude(pk__any=wanted)) == set(User.objects.exclude(pk__in=wanted))


def test_an_empty_list_and_none_find_nothing():
    UserFactory()
    assert list(User.objects.filter(pk__any=[])) == []
    assert list(User.objects.filter(pk__any=[None])) == []


def test_strings_and_subqueries_too():
    person = UserFactory(email="anna@school.example")
    UserFactory()
    assert list(User.objects.filter(email__any=["anna@school.example", "x@y.example"])) == [person]
    assert list(User.objects.filter(pk__any=User.objects.filter(email__startswith="anna").values("pk"))) == [
        person
    ]


def test_on_postgresql_the_statement_is_the_same_for_any_number_of_values():
    people = [UserFactory() for _ in range(3)]
    with CaptureQueriesContext(connection) as queries:
        list(User.objects.filter(pk__any=[p.pk for p in people]))
    sql = queries.captured_queries[0]["sql"]
    if connection.vendor == "postgresql":
        assert '"kpa_user"."id" = ANY(' in sql
    else:
        assert '"kpa_user"."id" IN (' in sql


def test_foreign_keys_too():
    from partners.models import Assignment
    from tests.factories import AssignmentFactory, SchoolFactory

    schools = [SchoolFactory() for _ in range(3)]
    seats = [AssignmentFactory(school=school) for school in schools]
    assert set(Assignment.objects.filter(school_id__any=[schools[0].pk, schools[2].pk])) == {
        seats[0],
        seats[2],
    }
    assert set(Assignment.objects.filter(school__any=[schools[1]])) == {seats[1]}


def test_values_are_converted_for_the_database_and_expressions_go_as_in():
    """Dates through their field's conversion; a value that is an expression is left to `in`."""
    import datetime as dt

    from django.db.models import F

    from partners.models import Assignment
    from tests.factories import AssignmentFactory

    first = AssignmentFactory(start_date=dt.date(2026, 8, 1))
    AssignmentFactory(start_date=dt.date(2026, 9, 1))
    assert list(Assignment.objects.filter(start_date__any=[dt.date(2026, 8, 1), None])) == [first]
    assert list(Assignment.objects.filter(start_date__any=["2026-08-01"])) == [first]
    assert set(User.objects.filter(pk__any=[F("pk")])) == set(User.objects.all())
