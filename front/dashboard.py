"""The coordinator's dashboard (issue 12): coverage, meeting rhythm, follow-up and wijk data of the schools
a coordinator sees (their gemeente or their wijk; an admin picks a gemeente), for a school year with the
year before beside it.

Every figure is counted by the database (annotate/aggregate with filters), a fixed number of queries
whatever the number of schools, meetings or agreements. Nothing here is per school: casework counts are
shown per wijk only, and a wijk's figures are left out when fewer schools than
settings.KPA_WIJKDATA_MIN_SCHOOLS reported any (see `wijkdata`).

The page (tables, charts, links, the export's rows) is front.dashboard_page. The programme part of the
dashboard (activities by line and status, traffic lights, stale activities, indicators) is
front.dashboard_programme, on the lines and activities of the scope.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from django.conf import settings
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kpa.access import can_see_coordination
from kpa.models import User, UserKind
from meetings.dates import school_year_start
from meetings.models import (
    Agreement,
    AgreementStatus,
    Attendance,
    CaseworkCount,
    CaseworkTheme,
    CollectiveQuestion,
    Invitee,
    Meeting,
    MeetingKind,
    MeetingStatus,
)
from meetings.selectors import NO_ROLE, agreement_owner_role
from partners.models import PARTNER_ROLES, Assignment, Role
from partners.scope import gemeenten_visible_to, schools_visible_to, wijken_visible_to
from partners.selectors import GAP_HORIZON
from programme.models import ActionLine, Activity
from programme.selectors import activities_visible_to, lines_visible_to
from schools.models import Gemeente, School, Wijk

TEAM_ROLES = (Role.IB, *PARTNER_ROLES)  # a complete team: the IB-er and the four kernpartners
YEARS_BACK = 4  # the year picker offers the current school year and this many before it


# --- School years -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SchoolYear:
    """The Dutch school year that starts on 1 August of `start`."""

    start: int

    @classmethod
    def containing(cls, day: dt.date) -> SchoolYear:
        return cls(school_year_start(day).year)

    @property
    def first_day(self) -> dt.date:
        return school_year_start(dt.date(self.start, 8, 1))

    @property
    def last_day(self) -> dt.date:
        return dt.date(self.start + 1, 7, 31)

    @property
    def label(self) -> str:
        return f"{self.start}–{self.start + 1}"

    @property
    def previous(self) -> SchoolYear:
        return SchoolYear(self.start - 1)

    def moments(self) -> tuple[dt.datetime, dt.datetime]:
        """[start, end): Amsterdam midnight of 1 August to that of the next 1 August."""

        def midnight(day: dt.date) -> dt.datetime:
            return timezone.make_aware(dt.datetime.combine(day, dt.time.min))

        return midnight(self.first_day), midnight(self.last_day + dt.timedelta(days=1))

    def reference_day(self, today: dt.date) -> dt.date:
        """The day a team is looked at: today in the current year, the year's last day for a past one."""
        return min(today, self.last_day)


def year_choices(today: dt.date) -> list[SchoolYear]:
    current = SchoolYear.containing(today)
    return [SchoolYear(current.start - n) for n in range(YEARS_BACK + 1)]


def chosen_year(value: str | None, today: dt.date) -> SchoolYear:
    """?year=2025 is the school year 2025-2026; empty is the current one; anything not offered is 404."""
    choices = year_choices(today)
    if not value:
        return choices[0]
    for year in choices:
        if str(year.start) == value.strip():
            return year
    raise Http404


# --- Scope -----------------------------------------------------------------------------------------------


@dataclass
class DashboardScope:
    """What the dashboard counts: the active schools of one gemeente (or one wijk) in the user's scope."""

    name: str
    gemeente: Gemeente | None
    wijk: Wijk | None
    schools: QuerySet[School]
    wijken: list[Wijk]
    gemeenten: list[Gemeente] = field(default_factory=list)  # the admin's picker; empty for others
    # The programme's lines of the gemeente and the activities under them the user sees (a wijk
    # coordinator: the city-wide ones and their wijk's, programme.selectors.activities_visible_to).
    lines: QuerySet[ActionLine] = field(default_factory=ActionLine.objects.none)
    activities: QuerySet[Activity] = field(default_factory=Activity.objects.none)


def dashboard_scope(user: User, gemeente_id: str | None = None) -> DashboardScope:
    """A coordinator's gemeente (or wijk); ?gemeente= may only name their own. An admin picks any
    gemeente (the first by name when none is given). A gemeente out of scope or unknown answers 404;
    a user who coordinates nothing is the view's 403 (kpa.access.require_coordination)."""
    if not can_see_coordination(user):
        raise Http404
    chosen = (gemeente_id or "").strip()
    if chosen and not chosen.isdigit():
        raise Http404
    visible = gemeenten_visible_to(user).order_by("name", "pk")
    if user.kind == UserKind.ADMIN:
        gemeenten = list(visible)
        gemeente = next((g for g in gemeenten if str(g.pk) == chosen), None) if chosen else None
        if chosen and gemeente is None:
            raise Http404
        if gemeente is None and gemeenten:
            gemeente = gemeenten[0]
        wijk = None
    else:
        gemeenten = []
        gemeente = user.gemeente
        if chosen and (gemeente is None or str(gemeente.pk) != chosen):
            raise Http404
        wijk = user.wijk
    schools = schools_visible_to(user).filter(is_active=True)
    wijken = wijken_visible_to(user)
    lines, activities = lines_visible_to(user), activities_visible_to(user)
    if gemeente is None:
        schools, wijken = schools.none(), wijken.none()
        lines, activities = lines.none(), activities.none()
    else:
        schools, wijken = schools.filter(gemeente=gemeente), wijken.filter(gemeente=gemeente)
        lines = lines.filter(programme__gemeente=gemeente)
        activities = activities.filter(line__programme__gemeente=gemeente)
    return DashboardScope(
        name=str(wijk or gemeente or ""),
        gemeente=gemeente,
        wijk=wijk,
        schools=schools,
        wijken=list(wijken.order_by("name", "pk")),
        gemeenten=gemeenten,
        lines=lines,
        activities=activities,
    )


# --- Coverage --------------------------------------------------------------------------------------------


def _seat(role: str, day: dt.date) -> Exists:
    return Exists(Assignment.objects.active(day).filter(school_id=OuterRef("pk"), role=role))


def coverage(schools: QuerySet[School], day: dt.date) -> dict[str, Any]:
    """On `day`: schools, those with a complete team (IB-er and the four kernpartners), per role the
    schools where the seat is vacant and where it is filled but nobody holds it 30 days later (as the
    roster's 'ends within 30 days'), and the schools with any kernpartner seat ending so. One query."""
    horizon = day + GAP_HORIZON
    annotated = schools.order_by().annotate(
        **{f"has_{r}": _seat(r, day) for r in TEAM_ROLES},
        **{f"later_{r}": _seat(r, horizon) for r in TEAM_ROLES},
    )
    ending_any = Q()
    for r in PARTNER_ROLES:
        ending_any |= Q(**{f"has_{r}": True, f"later_{r}": False})
    counts = annotated.aggregate(
        schools=Count("pk"),
        complete=Count("pk", filter=Q(**{f"has_{r}": True for r in TEAM_ROLES})),
        ending_any=Count("pk", filter=ending_any),
        **{f"vacant_{r}": Count("pk", filter=Q(**{f"has_{r}": False})) for r in TEAM_ROLES},
        **{
            f"ending_{r}": Count("pk", filter=Q(**{f"has_{r}": True, f"later_{r}": False}))
            for r in TEAM_ROLES
        },
    )
    return {
        "day": day,
        "schools": counts["schools"],
        "complete": counts["complete"],
        "incomplete": counts["schools"] - counts["complete"],
        "ending_any": counts["ending_any"],
        "vacant": {r: counts[f"vacant_{r}"] for r in TEAM_ROLES},
        "ending": {r: counts[f"ending_{r}"] for r in TEAM_ROLES},
    }


# --- Rhythm ----------------------------------------------------------------------------------------------


def kpo_target() -> int:
    return int(getattr(settings, "KPA_KPO_TARGET_PER_YEAR", 2))


def rhythm(schools: QuerySet[School], year: SchoolYear) -> dict[str, Any]:
    """KPOs held in the school year: in all, and the schools that reached the target, held fewer, held
    none, and had none held or planned at all. One query (the count per school is a subquery)."""
    start, end = year.moments()
    in_year = Q(meetings__kind=MeetingKind.KPO, meetings__starts_at__gte=start, meetings__starts_at__lt=end)
    target = kpo_target()
    per_school = schools.order_by().annotate(
        held=Count("meetings", filter=in_year & Q(meetings__status=MeetingStatus.HELD)),
        any_kpo=Count("meetings", filter=in_year & ~Q(meetings__status=MeetingStatus.CANCELLED)),
    )
    counts = per_school.aggregate(
        schools=Count("pk"),
        kpos=Coalesce(Sum("held"), 0, output_field=IntegerField()),
        on_target=Count("pk", filter=Q(held__gte=target)),
        below_target=Count("pk", filter=Q(held__gt=0, held__lt=target)),
        without_kpo=Count("pk", filter=Q(held=0)),
        nothing_planned=Count("pk", filter=Q(any_kpo=0)),
    )
    return {"target": target, **counts}


def rhythm_by_wijk(schools: QuerySet[School], year: SchoolYear) -> dict[int | None, dict[str, int]]:
    """Per wijk: KPOs held in the school year and the schools without one held. One query."""
    start, end = year.moments()
    in_year = {
        "kind": MeetingKind.KPO,
        "status": MeetingStatus.HELD,
        "starts_at__gte": start,
        "starts_at__lt": end,
    }
    held = Q(**{f"meetings__{k}": v for k, v in in_year.items()})
    none_held = ~Exists(Meeting.objects.filter(school_id=OuterRef("pk"), **in_year))
    rows = (
        schools.order_by()
        .values("wijk_id")
        .annotate(
            kpos=Count("meetings", filter=held),
            without_kpo=Count("pk", filter=Q(none_held), distinct=True),
        )
    )
    return _keyed(rows, "wijk_id")


def attendance(schools: QuerySet[School], year: SchoolYear) -> dict[str, dict[str, int]]:
    """Per role, over the KPOs held in the year: invited, present, replaced, absent, not recorded. One
    query."""
    start, end = year.moments()
    rows = (
        Invitee.objects.filter(
            meeting__school__in=schools.values("pk"),
            meeting__kind=MeetingKind.KPO,
            meeting__status=MeetingStatus.HELD,
            meeting__starts_at__gte=start,
            meeting__starts_at__lt=end,
        )
        .order_by()
        .values("role")
        .annotate(
            invited=Count("pk"),
            present=Count("pk", filter=Q(attendance=Attendance.PRESENT)),
            replaced=Count("pk", filter=Q(attendance=Attendance.REPLACED)),
            absent=Count("pk", filter=Q(attendance=Attendance.ABSENT)),
            unknown=Count("pk", filter=Q(attendance=Attendance.UNKNOWN)),
        )
    )
    empty = {"invited": 0, "present": 0, "replaced": 0, "absent": 0, "unknown": 0}
    result: dict[str, dict[str, int]] = {str(r): dict(empty) for r in TEAM_ROLES}
    for role, counts in _keyed(rows, "role").items():
        if role in result:
            result[role] = counts
    return result


def _keyed(rows: Iterable[Mapping[str, Any]], key: str) -> dict[Any, dict[str, int]]:
    """Grouped rows by their group's value: {value of `key`: the row's counts}."""
    return {row[key]: {k: v for k, v in row.items() if k != key} for row in rows}


# --- Follow-up -------------------------------------------------------------------------------------------


def _agreements(schools: QuerySet[School], year: SchoolYear) -> QuerySet[Agreement]:
    """The agreements made at the year's meetings of the schools."""
    start, end = year.moments()
    return Agreement.objects.filter(
        school__in=schools.values("pk"), meeting__starts_at__gte=start, meeting__starts_at__lt=end
    ).order_by()


def _agreement_counts(today: dt.date) -> dict[str, Count]:
    is_open = Q(status=AgreementStatus.OPEN)
    return {
        "made": Count("pk"),
        "open": Count("pk", filter=is_open),
        "overdue": Count("pk", filter=is_open & Q(due_date__lt=today)),
    }


def agreements_by_role(schools: QuerySet[School], year: SchoolYear, today: dt.date) -> dict[str, dict]:
    """Agreements made in the year, per role of their owner at the agreement's school (the seat they
    took last there; NO_ROLE when they never held one): made, still open today, overdue today. One
    query."""
    rows = (
        _agreements(schools, year)
        .annotate(owner_role=agreement_owner_role())
        .values("owner_role")
        .annotate(**_agreement_counts(today))
    )
    result: dict[str, dict[str, int]] = {
        str(r): {"made": 0, "open": 0, "overdue": 0} for r in (*TEAM_ROLES, Role.SCHOOLLEIDER, NO_ROLE)
    }
    result.update(_keyed(rows, "owner_role"))
    return result


def agreements_by_wijk(schools: QuerySet[School], year: SchoolYear, today: dt.date) -> dict[int | None, dict]:
    """Agreements made in the year per wijk of their school: made, open today, overdue today. One query."""
    rows = _agreements(schools, year).values("school__wijk_id").annotate(**_agreement_counts(today))
    return _keyed(rows, "school__wijk_id")


def _questions(schools: QuerySet[School], year: SchoolYear) -> QuerySet[CollectiveQuestion]:
    start, end = year.moments()
    return CollectiveQuestion.objects.filter(
        school__in=schools.values("pk"), meeting__starts_at__gte=start, meeting__starts_at__lt=end
    ).order_by()


def _question_counts() -> dict[str, Count]:
    return {
        "asked": Count("pk"),
        "answered": Count("pk", filter=Q(answered_at__isnull=False)),
        "open": Count("pk", filter=Q(answered_at__isnull=True)),
    }


def questions_by_wijk(schools: QuerySet[School], year: SchoolYear) -> dict[int | None, dict]:
    """Collective questions asked at the year's meetings, per wijk: asked, answered, still open. One query."""
    return _keyed(
        _questions(schools, year).values("school__wijk_id").annotate(**_question_counts()), "school__wijk_id"
    )


@dataclass
class QuestionTopics:
    """Collective questions of a year by theme ("" for none) and by action line (None for none): asked,
    answered, open; `lines` names each line seen: {id: (number, title)}."""

    by_theme: dict[str, dict[str, int]]
    by_line: dict[int | None, dict[str, int]]
    lines: dict[int, tuple[int, str]]


def questions_by_topic(schools: QuerySet[School], year: SchoolYear) -> QuestionTopics:
    """One query grouped by theme and line together (a handful of groups); the two breakdowns are summed
    from those groups."""
    rows = (
        _questions(schools, year)
        .values("theme", "action_line_id", "action_line__number", "action_line__title")
        .annotate(**_question_counts())
    )
    topics = QuestionTopics(by_theme={}, by_line={}, lines={})

    def add(into: dict[Any, dict[str, int]], key: Any, counts: dict[str, int]) -> None:
        total = into.setdefault(key, dict.fromkeys(counts, 0))
        for k, v in counts.items():
            total[k] += v

    for row in cast(Iterable[Mapping[str, Any]], rows):
        counts = {k: row[k] for k in ("asked", "answered", "open")}
        add(topics.by_theme, row["theme"] or "", counts)
        add(topics.by_line, row["action_line_id"], counts)
        if row["action_line_id"] is not None:
            topics.lines[row["action_line_id"]] = (row["action_line__number"], row["action_line__title"])
    return topics


# --- Wijk data -------------------------------------------------------------------------------------------


def wijkdata_minimum() -> int:
    return int(getattr(settings, "KPA_WIJKDATA_MIN_SCHOOLS", 3))


def wijkdata(schools: QuerySet[School], year: SchoolYear) -> dict[int, dict[str, Any]]:
    """Casework counts of the year's meetings of any kind (not cancelled) per wijk and theme, collectively:
    a wijk's figures are shown only when at least KPA_WIJKDATA_MIN_SCHOOLS of its schools reported
    casework that year (`suppressed` otherwise, its counts then empty), so no figure is one school's.
    Schools without a wijk are not counted here. Two queries."""
    start, end = year.moments()
    counts = CaseworkCount.objects.filter(
        meeting__school__in=schools.values("pk"),
        meeting__school__wijk__isnull=False,
        meeting__starts_at__gte=start,
        meeting__starts_at__lt=end,
    ).exclude(meeting__status=MeetingStatus.CANCELLED)
    reporting = {
        row["meeting__school__wijk_id"]: row["n"]
        for row in counts.order_by()
        .values("meeting__school__wijk_id")
        .annotate(n=Count("meeting__school_id", distinct=True))
    }
    minimum = wijkdata_minimum()
    result: dict[int, dict[str, Any]] = {}
    for wijk_id, n in reporting.items():
        result[wijk_id] = {
            "schools": n,
            "suppressed": n < minimum,
            "themes": dict.fromkeys(CaseworkTheme.values, 0),
        }
    for row in counts.order_by().values("meeting__school__wijk_id", "theme").annotate(n=Sum("count")):
        entry = result[row["meeting__school__wijk_id"]]
        if not entry["suppressed"]:
            entry["themes"][row["theme"]] = row["n"]
    for entry in result.values():
        if entry["suppressed"]:
            entry["themes"] = {}
        entry["total"] = sum(entry["themes"].values())
    return result


SUPPRESSED_HELP = _(
    "A wijk's figures are not shown (–) when fewer than %(minimum)s of its schools reported casework "
    "that school year: a figure could then be one school's."
)
