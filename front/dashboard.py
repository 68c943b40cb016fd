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
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kpa.access import can_see_coordination
from kpa.models import User, UserKind
from meetings.models import (
    Agreement,
    AgreementStatus,
    Attendance,
    CaseworkCount,
    CaseworkTheme,
    CollectiveQuestion,
    Invitee,
    MeetingKind,
    MeetingStatus,
)
from meetings.selectors import NO_ROLE, agreement_owner_role
from partners.models import PARTNER_ROLES, TEAM_ROLES, Assignment, Role, active_on
from partners.scope import gemeenten_visible_to, schools_visible_to, wijken_visible_to
from partners.selectors import GAP_HORIZON
from programme.models import ActionLine, Activity
from programme.selectors import activities_visible_to, lines_visible_to
from schools.models import Gemeente, School, Wijk
from schools.years import school_year_start

NATIONAL = "all"  # ?gemeente=all: an admin's view of every gemeente at once
WIJK, GEMEENTE = "wijk_id", "gemeente_id"  # the areas the figures per area are grouped by
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
    # An admin's national view: every active school, the figures per area by gemeente instead of wijk.
    national: bool = False

    @property
    def area(self) -> str:
        """The School field the figures per area are grouped by."""
        return GEMEENTE if self.national else WIJK

    @property
    def areas(self) -> list[tuple[int, str]]:
        """The rows of the figures per area: the wijken of the gemeente, or nationally every gemeente."""
        return (
            [(g.pk, g.name) for g in self.gemeenten]
            if self.national
            else [(w.pk, w.name) for w in self.wijken]
        )


def dashboard_scope(user: User, gemeente_id: str | None = None) -> DashboardScope:
    """A coordinator's gemeente (or wijk); ?gemeente= may only name their own. An admin picks any
    gemeente (the first by name when none is given) or all of them (NATIONAL). A gemeente out of scope
    or unknown answers 404; a user who coordinates nothing is the view's 403
    (kpa.access.require_coordination)."""
    if not can_see_coordination(user):
        raise Http404
    chosen = (gemeente_id or "").strip()
    if chosen == NATIONAL and user.kind == UserKind.ADMIN:
        return DashboardScope(
            name=str(_("all municipalities")),
            gemeente=None,
            wijk=None,
            schools=schools_visible_to(user).filter(is_active=True),
            wijken=[],
            gemeenten=list(gemeenten_visible_to(user).order_by("name", "pk")),
            lines=lines_visible_to(user),
            activities=activities_visible_to(user),
            national=True,
        )
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


def coverage(schools: QuerySet[School], day: dt.date) -> dict[str, Any]:
    """On `day`: schools, those with a complete team (IB-er and the four kernpartners), per role the
    schools where the seat is vacant and where it is filled but nobody holds it 30 days later (as the
    roster's 'ends within 30 days'), and the schools with any kernpartner seat ending so. Two queries:
    the schools, and the seats of `day` and 30 days later counted per school and then over the schools
    (a pass over the team seats of the scope: at 10,000 schools one probe per school and role took a
    second)."""
    horizon = day + GAP_HORIZON
    now, later = active_on(day), active_on(horizon)
    per_school = (
        Assignment.objects.filter(school__in=schools.values("pk"), role__in=TEAM_ROLES)
        .filter(now | later)
        .order_by()
        .values("school_id")
        .annotate(
            **{f"has_{r}": Count("pk", filter=now & Q(role=r)) for r in TEAM_ROLES},
            **{f"later_{r}": Count("pk", filter=later & Q(role=r)) for r in TEAM_ROLES},
        )
    )

    def ends(role: str) -> Q:
        return Q(**{f"has_{role}__gt": 0, f"later_{role}": 0})

    ending_any = Q()
    for r in PARTNER_ROLES:
        ending_any |= ends(r)
    counts = per_school.aggregate(
        complete=Count("school_id", filter=Q(**{f"has_{r}__gt": 0 for r in TEAM_ROLES})),
        ending_any=Count("school_id", filter=ending_any),
        **{f"filled_{r}": Count("school_id", filter=Q(**{f"has_{r}__gt": 0})) for r in TEAM_ROLES},
        **{f"ending_{r}": Count("school_id", filter=ends(r)) for r in TEAM_ROLES},
    )
    total = schools.order_by().count()
    return {
        "day": day,
        "schools": total,
        "complete": counts["complete"],
        "incomplete": total - counts["complete"],
        "ending_any": counts["ending_any"],
        "vacant": {r: total - counts[f"filled_{r}"] for r in TEAM_ROLES},
        "ending": {r: counts[f"ending_{r}"] for r in TEAM_ROLES},
    }


# --- Rhythm ----------------------------------------------------------------------------------------------


def kpo_target() -> int:
    return int(getattr(settings, "KPA_KPO_TARGET_PER_YEAR", 2))


def rhythm(schools: QuerySet[School], year: SchoolYear, area: str = WIJK) -> dict[str, Any]:
    """KPOs held in the school year: in all, and the schools that reached the target, held fewer, held
    none, and had none held or planned at all; and `by_area`, per wijk (or `area`), the KPOs held and the
    schools without one held. One query, a row per school (its area and counts) added up here: grouping
    the per-school counts by area in the database took most of a second at 10,000 schools."""
    start, end = year.moments()
    in_year = Q(meetings__kind=MeetingKind.KPO, meetings__starts_at__gte=start, meetings__starts_at__lt=end)
    target = kpo_target()
    per_school = (
        schools.order_by()
        .annotate(
            held=Count("meetings", filter=in_year & Q(meetings__status=MeetingStatus.HELD)),
            any_kpo=Count("meetings", filter=in_year & ~Q(meetings__status=MeetingStatus.CANCELLED)),
        )
        .values_list(area, "held", "any_kpo")
    )
    counts = {
        "target": target,
        "schools": 0,
        "kpos": 0,
        "on_target": 0,
        "below_target": 0,
        "without_kpo": 0,
        "nothing_planned": 0,
    }
    by_area: dict[int | None, dict[str, int]] = {}
    for area_id, held, any_kpo in per_school:
        counts["schools"] += 1
        counts["kpos"] += held
        counts["on_target"] += held >= target
        counts["below_target"] += 0 < held < target
        counts["without_kpo"] += held == 0
        counts["nothing_planned"] += any_kpo == 0
        here = by_area.setdefault(area_id, {"kpos": 0, "without_kpo": 0})
        here["kpos"] += held
        here["without_kpo"] += held == 0
    return {**counts, "by_area": by_area}


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


def agreements_by_wijk(
    schools: QuerySet[School], year: SchoolYear, today: dt.date, area: str = WIJK
) -> dict[int | None, dict]:
    """Agreements made in the year per wijk (or `area`) of their school: made, open today, overdue today.
    One query."""
    rows = _agreements(schools, year).values(f"school__{area}").annotate(**_agreement_counts(today))
    return _keyed(rows, f"school__{area}")


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


def questions_by_wijk(
    schools: QuerySet[School], year: SchoolYear, area: str = WIJK
) -> dict[int | None, dict]:
    """Collective questions asked at the year's meetings, per wijk (or `area`): asked, answered, still
    open. One query."""
    key = f"school__{area}"
    return _keyed(_questions(schools, year).values(key).annotate(**_question_counts()), key)


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
    Schools without a wijk are not counted here. Each entry names its wijk's `gemeente`. Two queries."""
    start, end = year.moments()
    counts = CaseworkCount.objects.filter(
        meeting__school__in=schools.values("pk"),
        meeting__school__wijk__isnull=False,
        meeting__starts_at__gte=start,
        meeting__starts_at__lt=end,
    ).exclude(meeting__status=MeetingStatus.CANCELLED)
    reporting = (
        counts.order_by()
        .values("meeting__school__wijk_id", "meeting__school__wijk__gemeente_id")
        .annotate(n=Count("meeting__school_id", distinct=True))
    )
    minimum = wijkdata_minimum()
    result: dict[int, dict[str, Any]] = {}
    for row in reporting:
        result[row["meeting__school__wijk_id"]] = {
            "gemeente": row["meeting__school__wijk__gemeente_id"],
            "schools": row["n"],
            "suppressed": row["n"] < minimum,
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


def wijkdata_by_gemeente(per_wijk: dict[int, dict[str, Any]]) -> dict[int, dict[str, Any]]:
    """The national view's wijk data: per gemeente the sum of its wijken whose figures are shown, so that
    it tells nothing that gemeente's own dashboard does not (a gemeente's total minus its shown wijken
    would otherwise be a hidden wijk's figure). `suppressed` when wijken reported but none may be shown.
    No query."""
    result: dict[int, dict[str, Any]] = {}
    for entry in per_wijk.values():
        total = result.setdefault(
            entry["gemeente"],
            {"suppressed": True, "themes": dict.fromkeys(CaseworkTheme.values, 0), "total": 0},
        )
        if entry["suppressed"]:
            continue
        total["suppressed"] = False
        for theme, n in entry["themes"].items():
            total["themes"][theme] += n
        total["total"] += entry["total"]
    for total in result.values():
        if total["suppressed"]:
            total["themes"] = {}
    return result


SUPPRESSED_HELP = _(
    "A wijk's figures are not shown (–) when fewer than %(minimum)s of its schools reported casework "
    "that school year: a figure could then be one school's."
)
SUPPRESSED_HELP_NATIONAL = _(
    "A municipality's figures add up those of its wijken that are shown: a wijk's are shown when at least "
    "%(minimum)s of its schools reported casework that school year, so no figure is one school's. A "
    "municipality with none shown has –; schools without a wijk are not counted."
)
