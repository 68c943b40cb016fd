"""A realistic, deterministic Utrecht to click through. Running it twice changes nothing."""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from demo.programme_data import seed_programme
from kpa.models import User, UserKind
from kpa.services import mark_email_verified
from meetings.models import (
    AgendaItem,
    Agreement,
    Attendance,
    CaseworkCount,
    CollectiveQuestion,
    Invitee,
    Meeting,
    MeetingKind,
    MeetingStatus,
)
from meetings.selectors import team_members
from meetings.services import agenda_template_items
from partners.models import PARTNER_ROLES, Assignment, Organisation, OrganisationKind, Role
from programme.models import ActionLine
from schools.models import Gemeente, HolidayRegion, PostcodeArea, School, SchoolHoliday, Sector, Wijk

DEMO_PASSWORD = "kpa-demo-2026"  # noqa: S105  (printed for the demo; never used outside seed_demo)

WIJKEN = [
    "West",
    "Noordwest",
    "Overvecht",
    "Noordoost",
    "Oost",
    "Binnenstad",
    "Zuid",
    "Zuidwest",
    "Leidsche Rijn",
    "Vleuten-De Meern",
]
POSTCODES = {
    "West": "3531",
    "Noordwest": "3552",
    "Overvecht": "3562",
    "Noordoost": "3571",
    "Oost": "3581",
    "Binnenstad": "3511",
    "Zuid": "3523",
    "Zuidwest": "3526",
    "Leidsche Rijn": "3541",
    "Vleuten-De Meern": "3451",
}
SCHOOL_NAMES = [
    ("OBS De Zonnewijzer", Sector.PO),
    ("KBS Het Kompas", Sector.PO),
    ("CBS De Regenboog", Sector.PO),
    ("Montessorischool De Vuurtoren", Sector.PO),
    ("OBS De Klimop", Sector.PO),
    ("Jenaplanschool De Boomgaard", Sector.PO),
    ("KBS De Wilgenhoek", Sector.PO),
    ("Daltonschool Het Startpunt", Sector.PO),
    ("OBS De Sterrenkijker", Sector.PO),
    ("CBS De Fontein", Sector.PO),
    ("IKC De Bron", Sector.PO),
    ("OBS Het Palet", Sector.PO),
    ("KBS De Achtbaan", Sector.PO),
    ("Vrije School De Linde", Sector.PO),
    ("OBS De Singel", Sector.PO),
    ("CBS Het Anker", Sector.PO),
    ("OBS De Watertoren", Sector.PO),
    ("KBS De Kastanje", Sector.PO),
    ("IKC Parkwijk", Sector.PO),
    ("OBS De Meern-Noord", Sector.PO),
    ("SBO De Windroos", Sector.SBO),
    ("SBO Het Springplank", Sector.SBO),
    ("SO De Brug", Sector.SO),
    ("SO Ariëns", Sector.SO),
    ("VSO De Horizon", Sector.VSO),
    ("Stedelijk College Noord", Sector.VO),
    ("Gymnasium aan de Singel", Sector.VO),
    ("Lyceum Oost", Sector.VO),
    ("Vakcollege Overvecht", Sector.VO),
    ("Leidsche Rijn College", Sector.VO),
    ("Praktijkschool Zuidwest", Sector.VO),
    ("Montessori Lyceum Binnenstad", Sector.VO),
]
STREETS = [
    "Kanaalstraat",
    "Amsterdamsestraatweg",
    "Biltstraat",
    "Vleutenseweg",
    "Oudegracht",
    "Kardinaal de Jongweg",
]
FIRST = [
    "Anna",
    "Bram",
    "Chantal",
    "Daan",
    "Esra",
    "Fleur",
    "Gijs",
    "Hanna",
    "Imane",
    "Joost",
    "Karin",
    "Lars",
    "Marloes",
    "Noah",
    "Özlem",
    "Pieter",
    "Roos",
    "Said",
    "Tessa",
    "Umut",
    "Vera",
    "Willem",
    "Yara",
    "Zeynep",
]
LAST = [
    "de Vries",
    "Jansen",
    "Bakker",
    "El Amrani",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Yılmaz",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
]

ORGANISATIONS = {
    Role.BUURTTEAM: ("Lokalis (buurtteams Utrecht)", OrganisationKind.BUURTTEAM, "lokalis.example"),
    Role.JGZ: ("JGZ Utrecht", OrganisationKind.JGZ, "jgz-utrecht.example"),
    Role.PASSEND_ONDERWIJS: ("SWV Utrecht PO", OrganisationKind.SWV, "swv-utrecht-po.example"),
    Role.LEERPLICHT: ("Gemeente Utrecht – Leerplicht", OrganisationKind.GEMEENTE, "utrecht.example"),
}
STERK_VO = ("Sterk VO", OrganisationKind.SWV, "sterkvo.example")

DEMO_MINUTES = (
    "Casuïstiekronde gedaan (aantallen hieronder). Collectieve vraag over verzuim besproken; "
    "JGZ sluit aan bij de ouderavond. Afspraken van vorige keer doorgenomen."
)
# Each question with its theme and the number of the action line it serves (None: no line).
DEMO_QUESTIONS = [
    ("Hoe signaleren we eerder dat een leerling thuis vastloopt?", "thuissituatie", None),
    ("Hoe versterken we de preventieve rol van de JGZ in de onderbouw?", "gezondheid", 3),
    ("Hoe pakken we oplopend verzuim na de vakanties samen op?", "verzuim", 4),
]
# Each agreement with the role its text names: the person in that seat owns it (the IB-er if it is vacant).
DEMO_AGREEMENTS = [
    ("Buurtteam sluit aan bij de eerstvolgende ouderavond", Role.BUURTTEAM),
    ("JGZ geeft voorlichting over slaap en schermtijd in groep 7 en 8", Role.JGZ),
    ("Leerplicht en IB maken samen een verzuimprotocol", Role.LEERPLICHT),
    ("Adviseur passend onderwijs plant een werkbezoek met het team", Role.PASSEND_ONDERWIJS),
]
HOLIDAYS_MIDDEN = [
    ("Herfstvakantie", dt.date(2026, 10, 17), dt.date(2026, 10, 25)),
    ("Kerstvakantie", dt.date(2026, 12, 19), dt.date(2027, 1, 3)),
    ("Voorjaarsvakantie", dt.date(2027, 2, 13), dt.date(2027, 2, 21)),
    ("Meivakantie", dt.date(2027, 4, 24), dt.date(2027, 5, 2)),
    ("Zomervakantie", dt.date(2027, 7, 17), dt.date(2027, 8, 29)),
]

# Days outside the region's holidays when schools are closed (Good Friday, Easter Monday, King's Day,
# Ascension Day and the Friday after, Whit Monday): no demo KPO falls on one.
CLOSED_DAYS = {
    dt.date(2027, 3, 26),
    dt.date(2027, 3, 29),
    dt.date(2027, 4, 27),
    dt.date(2027, 5, 6),
    dt.date(2027, 5, 7),
    dt.date(2027, 5, 17),
}
# Demo KPOs start at one of these times and take 90 minutes: within school hours (08:30-16:00).
MEETING_STARTS = (dt.time(9), dt.time(10, 30), dt.time(13), dt.time(14, 30))
MEETING_LENGTH = dt.timedelta(minutes=90)
FIRST_KPO_WEEK = dt.date(2026, 8, 31)  # a Monday, the third week of the school year

# Fixed anchor so the data is the same on every machine and every day it is loaded.
SCHOOL_YEAR_START = dt.date(2026, 8, 17)


# The verwerkingsregister's facts of the demo's Utrecht (example data: no real convenant is quoted).
UTRECHT_PRIVACY = {
    "privacy_controller": "College van B en W van de gemeente Utrecht",
    "privacy_covenant": "Privacyconvenant Kernpartneraanpak Utrecht",
    "privacy_covenant_url": "https://www.utrecht.nl/",
    "privacy_covenant_since": dt.date(2025, 8, 1),
}


def seed_privacy_facts(gemeente: Gemeente) -> None:
    """Fill the gemeente's privacy facts where they are empty (what an admin set stays)."""
    empty = [name for name in UTRECHT_PRIVACY if not getattr(gemeente, name)]
    for name in empty:
        setattr(gemeente, name, UTRECHT_PRIVACY[name])
    if empty:
        gemeente.save(update_fields=empty)


class Command(BaseCommand):
    help = "Load the demo data: Utrecht's ten wijken, schools, organisations, teams and one user per role."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load demo accounts although DEBUG is off (never in production).",
        )

    def handle(self, *args, **options) -> None:
        if not (settings.DEBUG or settings.TESTING or options["force"]):
            raise CommandError(
                "seed_demo creates accounts with a published password: "
                "it only runs with DEBUG=1 (or --force)."
            )
        with transaction.atomic():
            accounts = self.seed()
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for label, email in accounts:
            self.stdout.write(f"  {label:<34} {email}")
        self.stdout.write("Admins and coordinators set up an authenticator app (TOTP) at their first login.")

    def seed(self) -> list[tuple[str, str]]:
        rng = random.Random(344)  # noqa: S311  (demo data, not security)
        utrecht, _ = Gemeente.objects.get_or_create(code="0344", defaults={"name": "Utrecht"})
        seed_privacy_facts(utrecht)
        wijken = {name: Wijk.objects.get_or_create(gemeente=utrecht, name=name)[0] for name in WIJKEN}
        schools = self.seed_schools(utrecht, wijken)
        orgs = {
            role: Organisation.objects.get_or_create(name=name, defaults={"kind": kind})[0]
            for role, (name, kind, _domain) in ORGANISATIONS.items()
        }
        sterk_vo = Organisation.objects.get_or_create(name=STERK_VO[0], defaults={"kind": STERK_VO[1]})[0]
        used_names: set[str] = set()

        def person(email: str, kind: str, organisation=None, **extra) -> User:
            first, last = _name(rng, used_names)
            user, created = User.objects.get_or_create(
                email=email,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "kind": kind,
                    "organisation": organisation,
                    "phone": f"030 {rng.randint(200, 799)} {rng.randint(1000, 9999)}",
                    **extra,
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
                mark_email_verified(user)
            return user

        admin = person("admin@kpa.example", UserKind.ADMIN, is_staff=True, is_superuser=True)
        coordinator = person("coordinator@utrecht.example", UserKind.COORDINATOR, gemeente=utrecht)
        wijk_coordinator = person(
            "coordinator.west@utrecht.example", UserKind.COORDINATOR, gemeente=utrecht, wijk=wijken["West"]
        )

        # Kernpartners: each serves a handful of schools; VO schools get their adviser from Sterk VO.
        partners: dict[str, list[User]] = {}
        for role in PARTNER_ROLES:
            domain = ORGANISATIONS[role][2]
            partners[role] = [
                person(f"{role.replace('_', '-')}{i}@{domain}", UserKind.KERNPARTNER, orgs[role])
                for i in range(1, 8)
            ]
        vo_advisers = [person(f"adviseur{i}@sterkvo.example", UserKind.KERNPARTNER, sterk_vo) for i in (1, 2)]

        for index, school in enumerate(schools):
            ib = person(f"ib@{_slug(school.name)}.school.example", UserKind.SCHOOL)
            _assign(ib, school, Role.IB, SCHOOL_YEAR_START.replace(year=2024))
            if index % 4 == 0:
                leader = person(f"directie@{_slug(school.name)}.school.example", UserKind.SCHOOL)
                _assign(leader, school, Role.SCHOOLLEIDER, SCHOOL_YEAR_START.replace(year=2023))
            for role in PARTNER_ROLES:
                if (index + PARTNER_ROLES.index(role)) % 13 == 12:
                    continue  # a vacancy: some schools miss one kernpartner today
                if role == Role.BUURTTEAM and index < 3:
                    continue  # these three were handed over (below)
                pool = (
                    vo_advisers
                    if role == Role.PASSEND_ONDERWIJS and school.sector in (Sector.VO, Sector.VSO)
                    else partners[role]
                )
                holder = pool[index % len(pool)]
                _assign(holder, school, role, SCHOOL_YEAR_START.replace(year=2025))

        # History: a buurtteam worker left at the end of last school year; a colleague took over. Once a
        # year has passed the nightly purge anonymises the leaver (a new address, "Oud-gebruiker <id>"):
        # their seats then say the history is there, and no second leaver is made.
        successor = partners[Role.BUURTTEAM][0]
        left_seats = Assignment.objects.filter(
            school__in=schools[:3], role=Role.BUURTTEAM, start_date=dt.date(2022, 8, 22)
        )
        if not left_seats.exclude(person__email="vertrokken@lokalis.example").exists():
            leaver = person(
                "vertrokken@lokalis.example",
                UserKind.KERNPARTNER,
                orgs[Role.BUURTTEAM],
                is_active=False,
                deactivated_at=dt.datetime(2025, 7, 12, 8, tzinfo=ZoneInfo("Europe/Amsterdam")),
            )
            for school in schools[:3]:
                Assignment.objects.get_or_create(
                    person=leaver,
                    school=school,
                    role=Role.BUURTTEAM,
                    start_date=dt.date(2022, 8, 22),
                    defaults={"end_date": dt.date(2025, 7, 11)},
                )
        for school in schools[:3]:
            _assign(successor, school, Role.BUURTTEAM, dt.date(2025, 7, 12))
        # A stand-in while the JGZ nurse of the first school is on leave.
        _assign(
            partners[Role.JGZ][1],
            schools[0],
            Role.JGZ,
            dt.date(2026, 9, 1),
            end=dt.date(2027, 7, 16),
            stand_in=True,
        )

        for name, postcode4 in POSTCODES.items():
            PostcodeArea.objects.get_or_create(
                gemeente=utrecht, postcode4=postcode4, defaults={"wijk": wijken[name]}
            )
        self.seed_holidays()
        self.seed_meetings(schools[:12])
        seed_programme(
            wijken=wijken,
            schools=schools,
            coordinator=coordinator,
            wijk_coordinator=wijk_coordinator,
            organisations=[orgs[Role.BUURTTEAM], orgs[Role.JGZ]],
        )
        _answered_last_year(utrecht, coordinator)
        _open_demo_round(utrecht, coordinator)

        first_school_ib = f"ib@{_slug(schools[0].name)}.school.example"
        return [
            ("Admin", admin.email),
            ("Coordinator, whole city", coordinator.email),
            ("Coordinator, wijk West", wijk_coordinator.email),
            (f"IB-er of {schools[0].name}", first_school_ib),
            (f"School leader of {schools[0].name}", f"directie@{_slug(schools[0].name)}.school.example"),
            ("Kernpartner buurtteam", partners[Role.BUURTTEAM][0].email),
            ("Kernpartner JGZ", partners[Role.JGZ][0].email),
            ("Kernpartner passend onderwijs", partners[Role.PASSEND_ONDERWIJS][0].email),
            ("Kernpartner leerplicht", partners[Role.LEERPLICHT][0].email),
        ]

    def seed_meetings(self, schools: list[School]) -> None:
        """A KPO about every six weeks of this school year for a dozen schools, on a school day (Monday
        to Friday, outside the region's holidays and the days schools are closed) within school hours
        (Amsterdam time); the ones already held are logged, with counts, a collective question and
        agreements (some overdue). Made directly, not through the services: loading demo data sends no
        invitations."""
        amsterdam = ZoneInfo("Europe/Amsterdam")
        now = timezone.now()
        agenda = agenda_template_items(schools[0])
        lines = list(ActionLine.objects.order_by("number"))
        for index, school in enumerate(schools):
            team = team_members(school.pk)
            holidays = list(SchoolHoliday.objects.filter(region=school.holiday_region))
            first_day = FIRST_KPO_WEEK + dt.timedelta(days=index % 5)  # Monday to Friday
            start_time = MEETING_STARTS[index % len(MEETING_STARTS)]
            for n in range(7):
                day = _school_day(first_day + dt.timedelta(weeks=6 * n), holidays)
                starts_at = dt.datetime.combine(day, start_time, amsterdam)
                held = starts_at < now
                meeting, created = Meeting.objects.get_or_create(
                    school=school,
                    kind=MeetingKind.KPO,
                    starts_at=starts_at,
                    defaults={
                        "ends_at": starts_at + MEETING_LENGTH,
                        "location": "Teamkamer",
                        "status": MeetingStatus.HELD if held else MeetingStatus.PLANNED,
                        "logged_at": starts_at + dt.timedelta(hours=3) if held else None,
                        "minutes": DEMO_MINUTES if held else "",
                    },
                )
                if not created:
                    continue
                Invitee.objects.bulk_create(
                    [
                        Invitee(
                            meeting=meeting,
                            person=person,
                            role=role,
                            attendance=(Attendance.PRESENT if (i + n) % 6 else Attendance.ABSENT)
                            if held
                            else Attendance.UNKNOWN,
                        )
                        for i, (person, role) in enumerate(team)
                    ]
                )
                AgendaItem.objects.bulk_create(
                    [AgendaItem(meeting=meeting, position=i, title=t) for i, t in enumerate(agenda)]
                )
                if not held:
                    continue
                CaseworkCount.objects.bulk_create(
                    [
                        CaseworkCount(meeting=meeting, theme=theme, count=1 + (index + n + k) % 4)
                        for k, theme in enumerate(["verzuim", "gedrag", "thuissituatie"])
                    ]
                )
                text, theme, line_number = DEMO_QUESTIONS[(index + n) % len(DEMO_QUESTIONS)]
                CollectiveQuestion.objects.create(
                    school=school,
                    meeting=meeting,
                    text=text,
                    theme=theme,
                    action_line=next((line for line in lines if line.number == line_number), None),
                )
                seats = {role: person for person, role in reversed(team)}  # the first in each seat
                for k, (text, role) in enumerate(DEMO_AGREEMENTS[(index + n) % 2 :: 2]):
                    owner = seats.get(role) or seats.get(Role.IB)
                    if owner is None:
                        continue
                    Agreement.objects.create(
                        school=school,
                        meeting=meeting,
                        description=text,
                        owner=owner,
                        due_date=timezone.localdate(starts_at) + dt.timedelta(weeks=4 + k),
                        action_line=lines[2] if k == 0 and lines else None,
                        # the oldest are mostly done by now; a few stay overdue
                        status="done" if n == 0 or (n == 1 and k == 0) else "open",
                        done_at=starts_at + dt.timedelta(weeks=3) if n == 0 or (n == 1 and k == 0) else None,
                    )

    def seed_holidays(self) -> None:
        """School holidays of region midden (Utrecht) for 2026-2027. Example data for the demo: check
        the official dates (rijksoverheid.nl) before relying on them."""
        for name, start, end in HOLIDAYS_MIDDEN:
            SchoolHoliday.objects.get_or_create(
                region=HolidayRegion.MIDDEN, name=name, start_date=start, defaults={"end_date": end}
            )

    def seed_schools(self, utrecht: Gemeente, wijken: dict[str, Wijk]) -> list[School]:
        schools = []
        for index, (name, sector) in enumerate(SCHOOL_NAMES):
            wijk_name = WIJKEN[index % len(WIJKEN)]
            brin = f"{10 + index:02d}{chr(65 + index % 26)}{chr(65 + (index * 7) % 26)}"
            school, _ = School.objects.get_or_create(
                brin=brin,
                vestiging="00",
                defaults={
                    "name": name,
                    "sector": sector,
                    "gemeente": utrecht,
                    "wijk": wijken[wijk_name],
                    "street": f"{STREETS[index % len(STREETS)]} {10 + index * 3}",
                    "postcode": f"{POSTCODES[wijk_name]} {chr(65 + index % 20)}{chr(66 + index % 20)}",
                    "city": "Utrecht",
                    "bestuur": "Stichting Openbaar Onderwijs Utrecht" if name.startswith("OBS") else "",
                    "holiday_region": HolidayRegion.MIDDEN,
                },
            )
            schools.append(school)
        return schools


def _open_demo_round(gemeente, coordinator: User) -> None:
    """A process-evaluation round of all Utrecht's schools, open from a week ago for three more weeks, so
    that the demo accounts have something to answer (once: a second seed_demo leaves it)."""
    from evaluations.models import Round
    from evaluations.services import open_round
    from schools.years import school_year_start

    today = timezone.localdate()
    if Round.objects.filter(gemeente=gemeente, opens_on__lte=today, closes_on__gte=today).exists():
        return
    open_round(
        gemeente,
        school_year_start(today).year,
        School.objects.filter(gemeente=gemeente),
        today - dt.timedelta(days=7),
        today + dt.timedelta(days=21),
        user=coordinator,
    )


def _answered_last_year(gemeente, coordinator: User) -> None:
    """Last school year's round of all Utrecht's schools, closed, answered by about three in four of the
    teams' members with made-up scores, so that the results pages have something to show (once)."""
    from evaluations.models import ItemKind, Round
    from evaluations.selectors import respondent_seats
    from evaluations.services import open_round, save_answers
    from schools.years import school_year_start

    year = school_year_start(timezone.localdate()).year - 1
    if Round.objects.filter(gemeente=gemeente, school_year=year).exists():
        return
    opens, closes = dt.date(year, 10, 1), dt.date(year, 10, 28)
    round_ = open_round(
        gemeente, year, School.objects.filter(gemeente=gemeente), opens, closes, user=coordinator
    )
    rng = random.Random(f"evaluation {year}")  # noqa: S311  (made-up scores)
    items = list(round_.version.items.order_by("order"))
    remarks = [
        "Korte lijnen, snel schakelen.",
        "Meer tijd voor de collectieve vragen.",
        "Vaker samen evalueren.",
    ]
    for seat in respondent_seats(round_, opens).select_related("person", "school").order_by("pk"):
        if rng.random() < 0.25:
            continue
        leaning = rng.choice((2, 3, 4, 4, 5))  # someone's general view of the collaboration
        answers: dict[int, tuple[int | None, bool, str]] = {}
        for item in items:
            if not item.is_asked_of(seat.role):
                continue
            if item.kind == ItemKind.OPEN:
                if rng.random() < 0.3:
                    answers[item.pk] = (None, False, rng.choice(remarks))
            elif rng.random() < 0.08:
                answers[item.pk] = (None, True, "")  # weet niet
            else:
                answers[item.pk] = (min(5, max(1, leaning + rng.choice((-1, 0, 0, 1)))), False, "")
        save_answers(round_, seat.school, seat.person, seat.role, answers, send=True, today=opens)


def _assign(person: User, school: School, role: str, start: dt.date, *, end=None, stand_in=False) -> None:
    Assignment.objects.get_or_create(
        person=person,
        school=school,
        role=role,
        start_date=start,
        defaults={"end_date": end, "is_stand_in": stand_in},
    )


def _school_day(day: dt.date, holidays: list[SchoolHoliday]) -> dt.date:
    """`day`, or the first school day after it."""
    while (
        day.weekday() >= 5 or day in CLOSED_DAYS or any(h.start_date <= day <= h.end_date for h in holidays)
    ):
        day += dt.timedelta(days=1)
    return day


def _slug(name: str) -> str:
    from django.utils.text import slugify

    return slugify(name).replace("-", "")[:24]


def _name(rng: random.Random, used: set[str]) -> tuple[str, str]:
    while True:
        first, last = rng.choice(FIRST), rng.choice(LAST)
        if f"{first} {last}" not in used or len(used) > 400:
            used.add(f"{first} {last}")
            return first, last
