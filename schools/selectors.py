"""Reads for the roster: schools with their team, gaps and next KPO, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Q

from kpa.models import User, UserKind
from partners.models import PARTNER_ROLES
from partners.selectors import RoleCoverage, Team, coverage_for_schools, next_meetings, teams_for_schools
from schools.models import School


@dataclass
class RosterRow:
    school: School
    team: Team
    coverage: dict[str, RoleCoverage]
    next_kpo: dt.datetime | None

    @property
    def vacant_roles(self) -> list[RoleCoverage]:
        return [c for c in self.coverage.values() if c.vacant_today]

    @property
    def ending_roles(self) -> list[RoleCoverage]:
        return [c for c in self.coverage.values() if c.ends_on]

    @property
    def partner_seats(self):
        return self.team.partner_seats

    @property
    def ib_seat(self):
        return self.team.school_seats[0]


def roster_rows(schools: Sequence[School]) -> list[RosterRow]:
    """Three queries, whatever the number of schools: teams, coverage, next meetings."""
    ids = [s.pk for s in schools]
    teams = teams_for_schools(ids)
    coverage = coverage_for_schools(ids, PARTNER_ROLES)
    upcoming = next_meetings(ids)
    return [RosterRow(s, teams[s.pk], coverage[s.pk], upcoming.get(s.pk)) for s in schools]


def vacancy_contacts(schools: Sequence[School]) -> dict[int, list[User]]:
    """Who an IB-er asks about a vacant seat: the wijk's coordinator, else the gemeente's. One query."""
    wijk_ids = {s.wijk_id for s in schools if s.wijk_id}
    gemeente_ids = {s.gemeente_id for s in schools}
    coordinators = list(
        User.objects.filter(kind=UserKind.COORDINATOR, is_active=True)
        .filter(Q(wijk_id__in=wijk_ids) | Q(wijk__isnull=True, gemeente_id__in=gemeente_ids))
        .order_by("last_name", "first_name")
    )
    contacts = {}
    for school in schools:
        own_wijk = [c for c in coordinators if school.wijk_id and c.wijk_id == school.wijk_id]
        city = [c for c in coordinators if c.wijk_id is None and c.gemeente_id == school.gemeente_id]
        contacts[school.pk] = own_wijk or city
    return contacts
