"""Reads about teams: who sits at which school's table today."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from partners.models import PARTNER_ROLES, SCHOOL_ROLES, Assignment, Role


@dataclass
class Seat:
    role: Role
    holders: list[Assignment] = field(default_factory=list)
    stand_ins: list[Assignment] = field(default_factory=list)

    @property
    def is_vacant(self) -> bool:
        return not self.holders and not self.stand_ins

    @property
    def label(self) -> str:
        return self.role.label


@dataclass
class Team:
    seats: list[Seat]

    @property
    def partner_seats(self) -> list[Seat]:
        return [s for s in self.seats if s.role in PARTNER_ROLES]

    @property
    def school_seats(self) -> list[Seat]:
        return [s for s in self.seats if s.role in SCHOOL_ROLES]

    @property
    def vacancies(self) -> list[Seat]:
        return [s for s in self.partner_seats + self.school_seats[:1] if s.is_vacant]

    @property
    def is_complete(self) -> bool:
        return not any(s.is_vacant for s in self.partner_seats)


SEAT_ORDER = (Role.IB, Role.BUURTTEAM, Role.JGZ, Role.PASSEND_ONDERWIJS, Role.LEERPLICHT, Role.SCHOOLLEIDER)


def teams_for_schools(school_ids: Iterable[int], on: dt.date | None = None) -> dict[int, Team]:
    """The team of each school on a date, in one query whatever the number of schools."""
    ids = list(school_ids)
    by_school: dict[int, dict[str, Seat]] = {sid: {r: Seat(Role(r)) for r in SEAT_ORDER} for sid in ids}
    assignments = (
        Assignment.objects.active(on)
        .filter(school_id__in=ids)
        .select_related("person", "person__organisation")
        .order_by("start_date", "pk")
    )
    for a in assignments:
        seat = by_school[a.school_id][a.role]
        (seat.stand_ins if a.is_stand_in else seat.holders).append(a)
    return {sid: Team(seats=list(seats.values())) for sid, seats in by_school.items()}


def with_partner_coverage(schools: QuerySet, on: dt.date | None = None) -> QuerySet:
    """Annotate `filled_partner_roles`: how many of the four kernpartner roles are filled on a date."""
    on = on or timezone.localdate()
    active = Q(assignments__start_date__lte=on) & (
        Q(assignments__end_date__isnull=True) | Q(assignments__end_date__gte=on)
    )
    return schools.annotate(
        filled_partner_roles=Count(
            "assignments__role", filter=active & Q(assignments__role__in=PARTNER_ROLES), distinct=True
        )
    )


def schools_served_by(person_id: int, on: dt.date | None = None) -> QuerySet:
    from schools.models import School

    return School.objects.filter(
        pk__in=Assignment.objects.active(on).filter(person_id=person_id).values("school_id")
    )


def team_size_by_role() -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for row in Assignment.objects.active().values("role").annotate(n=Count("pk")):
        counts[row["role"]] = row["n"]
    return counts
