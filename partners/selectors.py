"""Reads about teams: who sits at which school's table today."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from kpa.models import User
from partners.models import PARTNER_ROLES, SCHOOL_ROLES, Assignment, Role, active_on

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise  # a dev dependency: for the type checker only


@dataclass
class Seat:
    role: Role
    holders: list[Assignment] = field(default_factory=list)
    stand_ins: list[Assignment] = field(default_factory=list)

    @property
    def is_vacant(self) -> bool:
        return not self.holders and not self.stand_ins

    @property
    def label(self) -> StrPromise:
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


class SeatPerson(NamedTuple):
    """Someone on a seat, as a list of seats shows them: no assignment, person or organisation objects."""

    name: str  # as str(User)
    email: str
    organisation: str
    stand_in: bool


def seat_people(
    school_ids: Iterable[int], on: dt.date | None = None
) -> dict[int, dict[str, list[SeatPerson]]]:
    """Per school and role, the people on the seat on a date: the holders first, then the stand-ins, each
    by start date (as `teams_for_schools` orders them). Two queries of plain values, whatever the number
    of schools: a page of the roster reads 300 seats, and building their assignment, person and
    organisation objects cost more than the rest of the page's queries together (and a tenth of the time
    of `teams_for_schools` for the country's roster export)."""
    ids = list(school_ids)
    seats = list(
        Assignment.objects.active(on)
        .filter(school_id__in=ids)
        .order_by("is_stand_in", "start_date", "pk")
        .values_list("school_id", "role", "person_id", "is_stand_in")
    )
    return _seat_people(ids, seats)


def _seat_people(ids: list[int], seats: list[tuple[int, str, int, bool]]) -> dict:
    found: dict[int, dict[str, list[SeatPerson]]] = {sid: defaultdict(list) for sid in ids}
    # The people by primary key, in a query of their own: joined to the seats, PostgreSQL hashes all of the
    # country's 50,000 people for a few hundred seats (36 ms a chunk instead of 3). Read into a dict, so
    # unsorted: User's Meta.ordering sorted the 250 people of a roster page by name first.
    people = {
        pk: (f"{first_name} {last_name}".strip() or email, email, organisation or "")
        for pk, first_name, last_name, email, organisation in User.objects.filter(
            pk__any={person_id for _school, _role, person_id, _stand_in in seats}  # hundreds: kpa.lookups
        )
        .order_by()
        .values_list("pk", "first_name", "last_name", "email", "organisation__name")
    }
    for school_id, role, person_id, stand_in in seats:
        found[school_id][role].append(SeatPerson(*people[person_id], stand_in))
    return found


class RosterSeats(NamedTuple):
    people: dict[int, dict[str, list[SeatPerson]]]  # as seat_people
    coverage: dict[int, dict[str, RoleCoverage]]  # as coverage_for_schools, of the kernpartner roles


def roster_seats(school_ids: Iterable[int], on: dt.date | None = None) -> RosterSeats:
    """seat_people and coverage_for_schools (kernpartner roles) of the same schools on the same date, from
    one read of their seats: the roster's page reads both for its 50 schools. Two queries."""
    on = on or timezone.localdate()
    horizon = on + GAP_HORIZON
    ids = list(school_ids)
    rows = list(
        Assignment.objects.filter(school_id__any=ids, start_date__lte=horizon)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
        .order_by("is_stand_in", "start_date", "pk")
        .values_list("school_id", "role", "person_id", "is_stand_in", "start_date", "end_date")
    )
    seats = [
        (school, role, person, stand_in)
        for school, role, person, stand_in, start, _end in rows
        if start <= on
    ]
    periods: dict[tuple[int, str], list[tuple[dt.date, dt.date]]] = defaultdict(list)
    for school_id, role, _person, _stand_in, start, end in rows:
        if role in PARTNER_ROLES:
            periods[(school_id, role)].append((start, end or dt.date.max))
    return RosterSeats(_seat_people(ids, seats), _coverage(ids, PARTNER_ROLES, periods, on))


def with_partner_coverage(schools: QuerySet, on: dt.date | None = None) -> QuerySet:
    """Annotate `filled_partner_roles`: how many of the four kernpartner roles are filled on a date."""
    on = on or timezone.localdate()
    active = active_on(on, prefix="assignments__")
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


GAP_HORIZON = dt.timedelta(days=30)


@dataclass
class RoleCoverage:
    role: Role
    vacant_today: bool
    ends_on: dt.date | None  # filled today, but nobody after this date (within the horizon)


def coverage_for_schools(
    school_ids: Iterable[int], roles: Iterable[str] = PARTNER_ROLES, on: dt.date | None = None
) -> dict[int, dict[str, RoleCoverage]]:
    """Per school and role: vacant today, or filled today but running out within 30 days with no one
    to follow. One query for any number of schools."""
    on = on or timezone.localdate()
    horizon = on + GAP_HORIZON
    ids, roles = list(school_ids), list(roles)
    periods: dict[tuple[int, str], list[tuple[dt.date, dt.date]]] = defaultdict(list)
    rows = (
        Assignment.objects.filter(school_id__in=ids, role__in=roles, start_date__lte=horizon)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
        .order_by()  # sorted below; Meta.ordering ("school") would join and sort every school by name
        .values_list("school_id", "role", "start_date", "end_date")
    )
    for school_id, role, start, end in rows:
        periods[(school_id, role)].append((start, end or dt.date.max))
    return _coverage(ids, roles, periods, on)


def _coverage(
    ids: list[int],
    roles: Iterable[str],
    periods: dict[tuple[int, str], list[tuple[dt.date, dt.date]]],
    on: dt.date,
) -> dict[int, dict[str, RoleCoverage]]:
    horizon = on + GAP_HORIZON
    result: dict[int, dict[str, RoleCoverage]] = {}
    for sid in ids:
        result[sid] = {}
        for role in roles:
            covered_until = on - dt.timedelta(days=1)
            for start, end in sorted(periods[(sid, role)]):
                if (start - covered_until).days > 1:  # a gap: nobody on the day after covered_until
                    break
                covered_until = max(covered_until, end)
            vacant = covered_until < on
            ends_on = covered_until if not vacant and covered_until < horizon else None
            result[sid][role] = RoleCoverage(role=Role(role), vacant_today=vacant, ends_on=ends_on)
    return result


def is_every_school(schools: QuerySet) -> bool:
    """Whether `schools` is the whole schools table: a queryset of School without a condition or slice
    (an admin's scope, no filter). Every seat is at one of them."""
    query = schools.query
    return (
        schools.model._meta.label == "schools.School"
        and not query.where
        and not query.is_sliced
        and not query.combinator
    )


def heavy_loads(schools: QuerySet, on: dt.date | None = None, minimum: int = 6) -> list[dict]:
    """People serving unusually many schools in scope: at least `minimum` and at least twice the median
    of their role. Returns dicts with person, role, count, median, the most schools first; two queries.

    The count reads the assignments table alone, grouped by role and person in that order, so that an
    index on (role, person, school, start_date, end_date) answers it by an index-only scan in group
    order; the names are then read for the few people it finds, not joined to every active seat. When
    `schools` is every school (an admin's roster without filters) the count does not ask for them: with a
    semi-join to all 10,000 schools PostgreSQL hashes them and sorts the seats instead (220 against
    80 ms)."""
    seats = Assignment.objects.active(on).filter(role__in=PARTNER_ROLES)
    if not is_every_school(schools):
        seats = seats.filter(school_id__in=schools.values("pk"))
    counts = (
        seats.order_by()  # Meta.ordering ("school", by name) would join every school of the country
        .values("role", "person_id")
        .annotate(n=Count("school_id", distinct=True))
    )
    by_role: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for counted in counts:
        by_role[counted["role"]].append(counted)
    found = []
    for rows in by_role.values():
        ordered = sorted(r["n"] for r in rows)
        median = ordered[len(ordered) // 2]
        found += [(row, median) for row in rows if row["n"] >= max(minimum, 2 * median)]
    if not found:
        return []
    people = User.objects.only("first_name", "last_name", "email").in_bulk(
        {row["person_id"] for row, _ in found}
    )
    heavy = []
    for row, median in found:
        person = people[row["person_id"]]
        heavy.append(
            {
                "person_id": person.pk,
                "name": f"{person.first_name} {person.last_name}".strip() or person.email,
                "email": person.email,
                "role": Role(row["role"]),
                "count": row["n"],
                "median": median,
            }
        )
    return sorted(heavy, key=lambda h: (-h["count"], h["name"]))


def seat_holders(
    school_ids: Iterable[int], on: dt.date | None = None
) -> dict[int, dict[str, list[tuple[str, str]]]]:
    """Per school and role, the name and e-mail address of each person on the seat on a date, in
    `seat_people`'s order: what the roster's export writes."""
    return {
        school_id: defaultdict(
            list, {role: [(p.name, p.email) for p in people] for role, people in roles.items()}
        )
        for school_id, roles in seat_people(school_ids, on).items()
    }
