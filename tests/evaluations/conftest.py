"""Shared by the evaluation tests: the team of `school`."""

from __future__ import annotations

import datetime as dt

import pytest

from partners.models import PARTNER_ROLES, Role
from tests.factories import AssignmentFactory, UserFactory


@pytest.fixture
def team(school):
    """The IB-er and the four kernpartners of `school`."""
    people = {}
    for role in (Role.IB, *PARTNER_ROLES):
        person = UserFactory(email=f"{role}@team.example")
        AssignmentFactory(person=person, school=school, role=role, start_date=dt.date(2024, 8, 1))
        people[role] = person
    return people
