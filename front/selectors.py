"""Reads for the pages that combine apps: the start pages and the roster (schools with their team, gaps
and next KPO, in a fixed number of queries)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count

from kpa.models import Invitation, User
from meetings.selectors import next_kpo_by_school
from partners.models import PARTNER_ROLES, Assignment, Organisation, Role
from partners.scope import schools_visible_to, wijken_visible_to
from partners.selectors import (
    RoleCoverage,
    SeatPerson,
    Team,
    coverage_for_schools,
    roster_seats,
    teams_for_schools,
    with_partner_coverage,
)
from schools.models import School, Wijk
from schools.selectors import vacancy_contacts


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
    upcoming = next_kpo_by_school(ids)
    return [RosterRow(s, teams[s.pk], coverage[s.pk], upcoming.get(s.pk)) for s in schools]


@dataclass
class RosterCell:
    """One seat of a school on the roster page: who is on it today and, for a kernpartner role, the day its
    coverage runs out within 30 days (partners.selectors.coverage_for_schools)."""

    role: str
    people: list[SeatPerson]
    ends_on: dt.date | None = None

    @property
    def is_vacant(self) -> bool:
        return not self.people


@dataclass
class RosterLine:
    school: School
    cells: list[RosterCell]  # the IB-er, then the four kernpartners
    next_kpo: dt.datetime | None


def roster_lines(schools: Sequence[School]) -> list[RosterLine]:
    """The roster page's rows: three queries of plain values, whatever the number of schools (roster_rows
    builds the team's objects, which the school page and "Mijn scholen" show in full)."""
    ids = [s.pk for s in schools]
    people, coverage = roster_seats(ids)
    upcoming = next_kpo_by_school(ids)
    lines = []
    for s in schools:
        seats, covered = people[s.pk], coverage[s.pk]
        cells = [RosterCell(Role.IB, seats[Role.IB])]
        cells += [RosterCell(role, seats[role], covered[role].ends_on) for role in PARTNER_ROLES]
        lines.append(RosterLine(s, cells, upcoming.get(s.pk)))
    return lines


def my_schools_overview(user: User) -> dict:
    """'Mijn scholen': every school the user serves today, its team, next KPO and whom to ask about a
    vacant seat. A fixed number of queries, whatever the number of schools."""
    schools = list(schools_visible_to(user).select_related("wijk").order_by("name"))
    rows = roster_rows(schools)
    contacts = vacancy_contacts(schools)
    my_roles = {
        (a.school_id, a.get_role_display())
        for a in Assignment.objects.active().filter(person=user).only("school_id", "role")
    }
    return {
        "rows": [
            {
                "school": row.school,
                "team": row.team,
                "next_kpo": row.next_kpo,
                "contacts": contacts[row.school.pk],
                "my_roles": sorted(label for sid, label in my_roles if sid == row.school.pk),
            }
            for row in rows
        ]
    }


def coordinator_overview(user: User) -> dict:
    schools = with_partner_coverage(schools_visible_to(user))
    wijken = wijken_visible_to(user).annotate(school_count=Count("schools", distinct=True)).order_by("name")
    complete_by_wijk: dict[int | None, int] = {}
    complete_ids = schools.filter(filled_partner_roles=4).values("pk")
    for row in School.objects.filter(pk__in=complete_ids).values("wijk_id").annotate(n=Count("pk")):
        complete_by_wijk[row["wijk_id"]] = row["n"]
    rows: list[dict[str, Any]] = [
        {"wijk": w, "schools": w.school_count, "complete": complete_by_wijk.get(w.pk, 0)} for w in wijken
    ]
    total = sum(r["schools"] for r in rows)
    complete = sum(r["complete"] for r in rows)
    return {
        "scope_name": user.wijk or user.gemeente,
        "rows": rows,
        "total": total,
        "complete": complete,
        "incomplete": total - complete,
    }


def admin_overview() -> dict:
    return {
        "counts": {
            "wijken": Wijk.objects.count(),
            "schools": School.objects.count(),
            "organisations": Organisation.objects.count(),
            "people": User.objects.count(),
            "open_invitations": Invitation.objects.filter(accepted_at=None).count(),
        },
        "people_without_login": User.objects.filter(password__startswith="!").count(),  # noqa: S106
        "unplaced": School.objects.filter(wijk__isnull=True, is_active=True).count(),
    }
