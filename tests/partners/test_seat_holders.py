"""partners.selectors.seat_holders: who is on each seat, as plain names and e-mail addresses (the roster
export), in the order of the team on the school page."""

import datetime as dt

import pytest

from partners.models import Role
from partners.selectors import seat_holders, teams_for_schools
from tests.factories import AssignmentFactory, SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 12, 3)


def test_it_names_holders_before_stand_ins_as_the_team_does(django_assert_num_queries):
    school, empty = SchoolFactory(), SchoolFactory()
    stand_in = UserFactory(first_name="Bo", last_name="Invaller", email="bo@example.org")
    nameless = UserFactory(first_name="", last_name="", email="zonder-naam@example.org")
    holder = UserFactory(first_name="Ans", last_name="Houder", email="ans@example.org")
    AssignmentFactory(school=school, person=stand_in, role=Role.JGZ, is_stand_in=True, start_date=DAY)
    AssignmentFactory(school=school, person=nameless, role=Role.JGZ, start_date=DAY)
    AssignmentFactory(school=school, person=holder, role=Role.JGZ, start_date=DAY - dt.timedelta(days=9))
    AssignmentFactory(school=school, person=holder, role=Role.IB, start_date=DAY, end_date=DAY)
    AssignmentFactory(school=school, role=Role.LEERPLICHT, start_date=DAY + dt.timedelta(days=1))

    with django_assert_num_queries(2):  # the seats, the people on them
        holders = seat_holders([school.pk, empty.pk], on=DAY)

    assert holders[school.pk][Role.JGZ] == [
        ("Ans Houder", "ans@example.org"),
        ("zonder-naam@example.org", "zonder-naam@example.org"),  # no name: the address, as str(User)
        ("Bo Invaller", "bo@example.org"),
    ]
    assert holders[school.pk][Role.IB] == [("Ans Houder", "ans@example.org")]
    assert holders[school.pk][Role.LEERPLICHT] == []  # starts tomorrow
    assert holders[empty.pk][Role.BUURTTEAM] == []
    team = {seat.role: seat for seat in teams_for_schools([school.pk], on=DAY)[school.pk].seats}
    assert [str(a.person) for a in team[Role.JGZ].holders + team[Role.JGZ].stand_ins] == [
        name for name, _email in holders[school.pk][Role.JGZ]
    ]
