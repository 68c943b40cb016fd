"""The small world the journeys walk through: one gemeente, two wijken, two schools, a full team at one
school and a vacancy at the other, a coordinator and an administrator with an authenticator app."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from kpa.models import User, UserKind
from meetings import services as meeting_services
from meetings.models import Meeting
from partners.models import OrganisationKind, Role
from schools.models import HolidayRegion, School
from tests.conftest import with_totp
from tests.factories import (
    AssignmentFactory,
    GemeenteFactory,
    OrganisationFactory,
    SchoolFactory,
    UserFactory,
    WijkFactory,
)


@dataclass
class World:
    school: School
    other_school: School
    ib: User
    buurtteam: User
    jgz: User
    passend_onderwijs: User
    leerplicht: User
    successor: User
    coordinator: User
    admin: User
    held_meeting: Meeting


def person(email: str, first: str, last: str, kind: str = UserKind.KERNPARTNER, **extra) -> User:
    return UserFactory(email=email, first_name=first, last_name=last, kind=kind, **extra)


def build_world() -> World:
    gemeente = GemeenteFactory(code="0344", name="Utrecht")
    west = WijkFactory(gemeente=gemeente, name="West")
    overvecht = WijkFactory(gemeente=gemeente, name="Overvecht")
    school = SchoolFactory(name="OBS De Zonnewijzer", wijk=west, holiday_region=HolidayRegion.MIDDEN)
    other_school = SchoolFactory(name="KBS Het Kompas", wijk=overvecht, holiday_region=HolidayRegion.MIDDEN)
    lokalis = OrganisationFactory(name="Lokalis", kind=OrganisationKind.BUURTTEAM)
    ggd = OrganisationFactory(name="GGD regio Utrecht", kind=OrganisationKind.JGZ)
    swv = OrganisationFactory(name="SWV Utrecht PO", kind=OrganisationKind.SWV)
    leerplicht_org = OrganisationFactory(name="Gemeente Utrecht", kind=OrganisationKind.GEMEENTE)

    ib = person("ib@zonnewijzer.example", "Inge", "Bakker", UserKind.SCHOOL)
    buurtteam = person("sanne@lokalis.example", "Sanne", "de Vries", organisation=lokalis)
    successor = person("ahmed@lokalis.example", "Ahmed", "El Amrani", organisation=lokalis)
    jgz = person("joris@ggd.example", "Joris", "Jansen", organisation=ggd)
    passend = person("priya@swv.example", "Priya", "Ramdin", organisation=swv)
    leerplicht = person("lars@utrecht.example", "Lars", "Visser", organisation=leerplicht_org)
    AssignmentFactory(person=ib, school=school, role=Role.IB)
    for member, role in (
        (buurtteam, Role.BUURTTEAM),
        (jgz, Role.JGZ),
        (passend, Role.PASSEND_ONDERWIJS),
        (leerplicht, Role.LEERPLICHT),
    ):
        AssignmentFactory(person=member, school=school, role=role)
    # The other school has its buurtteam (the same worker) but no leerplichtambtenaar: a vacancy.
    AssignmentFactory(person=buurtteam, school=other_school, role=Role.BUURTTEAM)
    AssignmentFactory(person=jgz, school=other_school, role=Role.JGZ)
    AssignmentFactory(person=passend, school=other_school, role=Role.PASSEND_ONDERWIJS)

    coordinator = with_totp(
        person("coordinator@utrecht.example", "Carla", "Smit", UserKind.COORDINATOR, gemeente=gemeente)
    )
    admin = with_totp(
        person("admin@utrecht.example", "Anton", "de Boer", UserKind.ADMIN, is_staff=True, is_superuser=True)
    )
    yesterday = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0) - dt.timedelta(days=1)
    held_meeting = meeting_services.meeting_schedule(
        school=school, starts_at=yesterday, location="Teamkamer", created_by=ib
    )
    return World(
        school=school,
        other_school=other_school,
        ib=ib,
        buurtteam=buurtteam,
        jgz=jgz,
        passend_onderwijs=passend,
        leerplicht=leerplicht,
        successor=successor,
        coordinator=coordinator,
        admin=admin,
        held_meeting=held_meeting,
    )
