"""A national-scale data set for load tests (`manage.py seed_scale`), built with bulk inserts.

Why its own builder and not seed_demo or the factories: 10,000 school locations with five school years of
meetings are some three million rows; one INSERT per row (or one model save, with its signals) would take
hours. Rows are generated in Python as plain tuples and written one table at a time: PostgreSQL's COPY
where available, one executemany() elsewhere (SQLite, the tests). So the number of statements is a constant
whatever --schools is, which tests/demo/test_seed_scale.py proves.

Writing raw rows skips model defaults and the audit trail's signals: every NOT NULL column is given here,
and the rules the services keep are kept by construction: school staff take the school's seats and
kernpartners the four partner seats; a seat has one holder at a time (a predecessor's period ends the day
before the successor starts); stand-ins come on top of the holder. Free text is taken from fixed Dutch
phrases without digits, so nothing looks like a BSN or onderwijsnummer.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.core.management.color import no_style
from django.db import connection
from django.utils import timezone

from demo.management.commands.seed_demo import FIRST, LAST, WIJKEN
from demo.scale.bulk import Report, Writer, clear, model, next_ids
from demo.scale.meetings import build_meetings
from demo.scale.programme import NUMBERED as PROGRAMME_NUMBERED
from demo.scale.programme import build_activities, build_programme_lines
from demo.scale.texts import ENDINGS, LETTERS, SCHOOL_NOUNS, SCHOOL_TYPES, STEMS, WIJK_NAMES
from schools.years import school_year_start

__all__ = ["BENCH_PASSWORD", "BENCH_TOTP_SECRET", "Report", "build", "clear"]

UTRECHT_CODE = "0344"
UTRECHT_SCHOOLS = 160  # about 115 primary, 12 special and 31 secondary locations
GEMEENTE_SHARE = 0.035  # about 350 gemeenten for 10,000 school locations
GEMEENTEN_PER_REGION = 8  # a JGZ region or samenwerkingsverband spans several gemeenten
SCHOOLS_PER_WIJK = 12
MAX_WIJKEN = 8  # outside Utrecht, which has ten
# The national mix (DUO): primary about 77%, secondary 15%, special (SBO, SO, VSO) the rest.
SECTOR_WEIGHTS = {"PO": 0.77, "SBO": 0.02, "SO": 0.04, "VO": 0.15, "VSO": 0.02}
# How many schools one kernpartner serves, by role (a range: portfolios differ).
PORTFOLIO = {"buurtteam": (1, 2), "jgz": (2, 3), "passend_onderwijs": (3, 5), "leerplicht": (4, 8)}
PREDECESSOR_SHARE = 0.5  # portfolios that changed hands within the five years
FORMER_IB_SHARE = 0.4
FORMER_LEADER_SHARE = 0.2
VACANT_SHARE = 0.03  # partner seats nobody holds today
ENDING_SHARE = 0.02  # partner seats whose holder leaves within 30 days
STAND_IN_SHARE = 0.02
VACANT_IB_SHARE = 0.01
BENCH_PASSWORD = "kpa-scale-2026"  # noqa: S105  (throwaway bench databases only; printed by the command)
BENCH_TOTP_SECRET = "JBSWY3DPEHPK3PXP"  # noqa: S105  (idem: the authenticator of coordinators and admins)


@dataclass
class Period:
    person: int
    start: dt.date
    end: dt.date | None
    stand_in: bool = False

    def covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    """`total` into `parts` positive sizes, skewed as gemeenten are (a few large, many small)."""
    weights = [rng.paretovariate(1.6) for _ in range(parts)]
    spare = total - parts
    sizes = [1 + int(spare * w / sum(weights)) for w in weights]
    for i in range(total - sum(sizes)):
        sizes[i % parts] += 1
    return sizes


class Builder:
    """Builds the data set; see the module docstring. Every random choice comes from one seeded RNG."""

    def __init__(self, *, schools: int, seed: int, years: int, now: dt.datetime | None = None) -> None:
        self.n_schools = schools
        self.rng = random.Random(seed)  # noqa: S311  (test data, not secrets)
        self.years = years
        self.now = now or timezone.now()
        self.today = timezone.localdate(self.now)
        self.first_year = school_year_start(self.today).year - (years - 1)
        self.since = dt.date(self.first_year - 3, 8, 1)  # the oldest assignments start before the data
        self.report = Report()
        self.writer = Writer(self.report)
        self.ids = next_ids(
            ["schools.Gemeente", "schools.Wijk", "schools.School", "partners.Organisation", "kpa.User"]
        )
        self.ids["meetings.Meeting"] = next_ids(["meetings.Meeting"])["meetings.Meeting"]
        self.users: list[tuple] = []
        self.seats: dict[tuple[int, str], list[Period]] = defaultdict(list)
        self.assignments: list[tuple] = []

    def _id(self, label: str) -> int:
        value = self.ids[label]
        self.ids[label] = value + 1
        return value

    def _person(self, email: str, kind: str, password: str, **extra) -> int:
        pk = self._id("kpa.User")
        first, last = self.rng.choice(FIRST), self.rng.choice(LAST)
        phone = f"06 {self.rng.randint(1000, 9999)} {self.rng.randint(1000, 9999)}"
        self.users.append(
            (
                pk,
                password,
                extra.get("is_superuser", False),
                email,
                first,
                last,
                phone,
                kind,
                extra.get("organisation"),
                extra.get("gemeente"),
                extra.get("wijk"),
                extra.get("is_staff", False),
                extra.get("is_active", True),
                self.now - dt.timedelta(days=self.rng.randint(30, 2000)),
            )
        )
        return pk

    def _date_between(self, start: dt.date, end: dt.date) -> dt.date:
        return start + dt.timedelta(days=self.rng.randint(0, max(0, (end - start).days)))

    # --- Places ------------------------------------------------------------------------------------------

    def places(self) -> list[dict]:
        """Gemeenten (Utrecht first, with its ten wijken), wijken and schools; returns one dict per school."""
        rng, n = self.rng, self.n_schools
        n_gemeenten = max(1, min(n, round(n * GEMEENTE_SHARE)))
        # Utrecht has its real size at every scale (at small scale: all schools but one per other
        # gemeente), so its coordinators see the same pages whatever the size of the country.
        utrecht = n if n_gemeenten == 1 else min(n - (n_gemeenten - 1), UTRECHT_SCHOOLS)
        sizes = [utrecht, *(_split(n - utrecht, n_gemeenten - 1, rng) if n_gemeenten > 1 else [])]
        names = [f"{stem}{end}" for stem in STEMS for end in ENDINGS]
        rng.shuffle(names)
        gemeenten, wijken, schools = [], [], []
        sector_names, sector_weights = list(SECTOR_WEIGHTS), list(SECTOR_WEIGHTS.values())
        codes = (f"{c:04d}" for c in range(1, 10_000) if f"{c:04d}" != UTRECHT_CODE)
        for index, size in enumerate(sizes):
            code, name = (UTRECHT_CODE, "Utrecht") if index == 0 else (next(codes), names[index % len(names)])
            if index >= len(names):
                name = f"{name} {index // len(names) + 1}"
            gemeente = self._id("schools.Gemeente")
            gemeenten.append((gemeente, code, name))
            wijk_names = (
                WIJKEN if index == 0 else WIJK_NAMES[: max(1, min(MAX_WIJKEN, size // SCHOOLS_PER_WIJK))]
            )
            wijk_ids = []
            for wijk_name in wijk_names:
                wijk_ids.append(self._id("schools.Wijk"))
                wijken.append((wijk_ids[-1], gemeente, wijk_name))
            region = index // GEMEENTEN_PER_REGION
            for k in range(size):
                sector = rng.choices(sector_names, sector_weights)[0]
                school = self._id("schools.School")
                number = len(schools)
                brin = f"{number // 676 % 100:02d}{chr(65 + number // 26 % 26)}{chr(65 + number % 26)}"
                schools.append(
                    {
                        "id": school,
                        "gemeente": gemeente,
                        "code": code,
                        "place": name,
                        "region": region,
                        "wijk": wijk_ids[k % len(wijk_ids)],
                        "sector": sector,
                        "row": (
                            school,
                            brin,
                            f"{number // 67_600:02d}",
                            f"{rng.choice(SCHOOL_TYPES[sector])} {rng.choice(SCHOOL_NOUNS)}",
                            sector,
                            gemeente,
                            wijk_ids[k % len(wijk_ids)],
                            f"{rng.choice(STEMS)}straat {rng.randint(1, 199)}",
                            f"{rng.randint(1000, 9999)} {rng.choice(LETTERS)}{rng.choice(LETTERS)}",
                            name,
                            f"Stichting {STEMS[region % len(STEMS)]}onderwijs",
                            f"0{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
                            f"info{number}@school.example",
                            ("noord", "midden", "zuid")[region % 3],
                            True,
                        ),
                    }
                )
        self.writer.insert("schools.Gemeente", ["id", "code", "name"], gemeenten)
        self.writer.insert("schools.Wijk", ["id", "gemeente", "name"], wijken)
        self.writer.insert(
            "schools.School",
            [
                "id",
                "brin",
                "vestiging",
                "name",
                "sector",
                "gemeente",
                "wijk",
                "street",
                "postcode",
                "city",
                "bestuur",
                "phone",
                "email",
                "holiday_region",
                "is_active",
            ],
            [s["row"] for s in schools],
        )
        self.gemeenten, self.wijken = gemeenten, wijken
        return schools

    def organisations(self, schools: list[dict]) -> dict[tuple[str, object], int]:
        """Per gemeente a buurtteam and a leerplicht organisation; per region a JGZ and two SWVs."""
        orgs: dict[tuple[str, object], int] = {}
        rows = []

        def add(key: tuple[str, object], name: str, kind: str) -> None:
            if key not in orgs:
                orgs[key] = self._id("partners.Organisation")
                rows.append((orgs[key], name, kind, "", ""))

        for s in schools:
            add(("buurtteam", s["gemeente"]), f"Buurtteam {s['place']} ({s['code']})", "buurtteam")
            add(("leerplicht", s["gemeente"]), f"Gemeente {s['place']} ({s['code']}), leerplicht", "gemeente")
            add(("jgz", s["region"]), f"JGZ regio {s['region'] + 1}", "jgz")
            level = "VO" if s["sector"] in ("VO", "VSO") else "PO"
            add(("swv", (s["region"], level)), f"SWV {level} regio {s['region'] + 1}", "swv")
        self.writer.insert("partners.Organisation", ["id", "name", "kind", "phone", "email"], rows)
        return orgs

    # --- People and teams --------------------------------------------------------------------------------

    def _org_key(self, role: str, school: dict) -> tuple[str, object]:
        if role in ("buurtteam", "leerplicht"):
            return (role, school["gemeente"])
        if role == "jgz":
            return ("jgz", school["region"])
        return ("swv", (school["region"], "VO" if school["sector"] in ("VO", "VSO") else "PO"))

    def _assign(
        self, person: int, school: int, role: str, start: dt.date, end: dt.date | None, stand_in=False
    ):
        self.seats[(school, role)].append(Period(person, start, end, stand_in))
        self.assignments.append((person, school, role, start, end, stand_in, self.now))

    def people(self, schools: list[dict], orgs: dict, password: str) -> None:
        rng, today = self.rng, self.today
        first_day = dt.date(self.first_year, 8, 1)
        for s in schools:  # the IB-er and school leader of each school, some with a predecessor
            for role, share, prefix in (
                ("ib", FORMER_IB_SHARE, "ib"),
                ("schoolleider", FORMER_LEADER_SHARE, "directie"),
            ):
                pk = self._person(f"{prefix}.{s['id']}@school.example", "school", password)
                start = self.since
                if rng.random() < share:
                    start = self._date_between(first_day, today - dt.timedelta(days=60))
                    old = self._person(f"{prefix}.{s['id']}.vorige@school.example", "school", password)
                    self._assign(old, s["id"], role, self.since, start - dt.timedelta(days=1))
                self._assign(pk, s["id"], role, start, None)
        for role, (low, high) in PORTFOLIO.items():  # kernpartners: portfolios of neighbouring schools
            by_org: dict[tuple, list[dict]] = defaultdict(list)
            for s in schools:
                by_org[self._org_key(role, s)].append(s)
            for key, members in by_org.items():
                members.sort(key=lambda s: (s["gemeente"], s["wijk"], s["id"]))
                i = 0
                while i < len(members):
                    chunk = members[i : i + rng.randint(low, high)]
                    i += len(chunk)
                    pk = self._person(
                        f"{role}.{self.ids['kpa.User']}@partner.example",
                        "kernpartner",
                        password,
                        organisation=orgs[key],
                    )
                    start = self.since
                    if rng.random() < PREDECESSOR_SHARE:
                        start = self._date_between(first_day, today - dt.timedelta(days=60))
                        old = self._person(
                            f"{role}.{self.ids['kpa.User']}@partner.example",
                            "kernpartner",
                            password,
                            organisation=orgs[key],
                        )
                        for s in chunk:
                            self._assign(old, s["id"], role, self.since, start - dt.timedelta(days=1))
                    for s in chunk:
                        self._assign(pk, s["id"], role, start, None)
        self._gaps(schools)

    def _gaps(self, schools: list[dict]) -> None:
        """Some seats vacant today, some ending within 30 days, some with a stand-in; a few IB seats vacant.
        Chosen by sample, so every scale has at least one of each."""
        rng, today = self.rng, self.today
        partner_seats = [(s["id"], role) for s in schools for role in PORTFOLIO]
        picked = rng.sample(partner_seats, len(partner_seats))
        n_vacant = max(1, round(len(partner_seats) * VACANT_SHARE))
        n_ending = max(1, round(len(partner_seats) * ENDING_SHARE))
        n_stand_in = max(1, round(len(partner_seats) * STAND_IN_SHARE))
        ib_seats = [
            (s["id"], "ib") for s in rng.sample(schools, max(1, round(len(schools) * VACANT_IB_SHARE)))
        ]
        ending: dict[tuple[int, str], dt.date] = {}
        for seat in picked[:n_vacant] + ib_seats:
            ending[seat] = today - dt.timedelta(days=rng.randint(10, 120))
        for seat in picked[n_vacant : n_vacant + n_ending]:
            ending[seat] = today + dt.timedelta(days=rng.randint(3, 25))
        for index, (person, school, role, start, end, stand_in, created) in enumerate(self.assignments):
            seat = (school, role)
            if seat in ending and end is None:
                stop = max(start, ending[seat])
                self.assignments[index] = (person, school, role, start, stop, stand_in, created)
                self.seats[seat][-1].end = stop
        holders = defaultdict(list)
        for (_school, role), periods in self.seats.items():
            holders[role].append(periods[-1].person)
        for school, role in picked[n_vacant + n_ending : n_vacant + n_ending + n_stand_in]:
            stand_in = rng.choice(holders[role])
            if all(p.person != stand_in for p in self.seats[(school, role)]):
                start = today - dt.timedelta(days=rng.randint(5, 60))
                self._assign(
                    stand_in, school, role, start, today + dt.timedelta(days=rng.randint(10, 90)), True
                )

    def staff(self, password: str) -> None:
        """A coordinator per gemeente, one per wijk of Utrecht, three admins: these log in with TOTP."""
        utrecht = self.gemeenten[0][0]
        self.coordinators = [
            self._person(f"coordinator.{code}@gemeente.example", "coordinator", password, gemeente=pk)
            for pk, code, _name in self.gemeenten
        ]
        self.wijk_coordinators = [
            self._person(
                f"coordinator.{code}.{wijk}@gemeente.example",
                "coordinator",
                password,
                gemeente=gem,
                wijk=wijk,
            )
            for wijk, gem, _name in self.wijken
            if gem == utrecht
            for code in [UTRECHT_CODE]
        ]
        self.admins = [
            self._person(f"admin{n}@kpa.example", "admin", password, is_staff=True, is_superuser=n == 1)
            for n in (1, 2, 3)
        ]

    def write_people(self) -> None:
        self.writer.insert(
            "kpa.User",
            [
                "id",
                "password",
                "is_superuser",
                "email",
                "first_name",
                "last_name",
                "phone",
                "kind",
                "organisation",
                "gemeente",
                "wijk",
                "is_staff",
                "is_active",
                "date_joined",
            ],
            self.users,
        )
        self.writer.insert(
            "partners.Assignment",
            ["person", "school", "role", "start_date", "end_date", "is_stand_in", "created_at"],
            self.assignments,
        )
        from allauth.mfa.models import Authenticator
        from allauth.mfa.utils import encrypt

        secret = encrypt(BENCH_TOTP_SECRET)
        Authenticator.objects.bulk_create(
            [
                Authenticator(user_id=pk, type=Authenticator.Type.TOTP, data={"secret": secret})
                for pk in self.coordinators + self.wijk_coordinators + self.admins
            ],
            batch_size=5000,
        )
        self.report.counts["authenticators"] += len(self.coordinators + self.wijk_coordinators + self.admins)

    # --- Meetings ----------------------------------------------------------------------------------------

    def holder(self, school: int, role: str, day: dt.date) -> int | None:
        for period in self.seats[(school, role)]:
            if not period.stand_in and period.covers(day):
                return period.person
        return None

    def accounts(self, schools: list[dict]) -> list[tuple[str, str]]:
        first = schools[0]["id"]
        by_pk = {row[0]: row[3] for row in self.users}
        return [
            ("admin", by_pk[self.admins[0]]),
            ("coordinator, Utrecht", by_pk[self.coordinators[0]]),
            ("coordinator, one wijk of Utrecht", by_pk[self.wijk_coordinators[0]]),
            ("IB-er of the first school", by_pk[self.holder(first, "ib", self.today) or self.admins[0]]),
            (
                "buurtteam of the first school",
                by_pk[self.holder(first, "buurtteam", self.today) or self.admins[0]],
            ),
        ]


def build(*, schools: int, seed: int = 2026, years: int = 5, now: dt.datetime | None = None) -> Report:
    """Build the data set into an empty database (the caller checks and runs this in a transaction)."""
    from django.contrib.auth.hashers import make_password

    builder = Builder(schools=schools, seed=seed, years=years, now=now)
    password = make_password(BENCH_PASSWORD)  # once: hashing 50,000 times would take minutes
    rows = builder.places()
    orgs = builder.organisations(rows)
    builder.people(rows, orgs, password)
    builder.staff(password)
    builder.write_people()
    lines, programme_lines = build_programme_lines(builder, rows)
    build_meetings(builder, rows, lines)
    build_activities(builder, programme_lines)
    labels = ["schools.Gemeente", "schools.Wijk", "schools.School", "partners.Organisation", "kpa.User"]
    statements = connection.ops.sequence_reset_sql(
        no_style(), [model(label) for label in [*labels, "meetings.Meeting", *PROGRAMME_NUMBERED]]
    )
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
    builder.report.counts.update(Counter(f"schools ({s['sector']})" for s in rows))
    builder.report.accounts = builder.accounts(rows)
    return builder.report
