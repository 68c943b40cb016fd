"""The coordinator's dashboard as a page and a sheet: the figures of front.dashboard laid out in sections
of tables, each with its bar chart (this school year beside the one before), with the link to the list
behind each figure where such a list exists, and the same tables as the rows of the XLSX export."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from evaluations.results import area_results
from front.dashboard import (
    NO_ROLE,
    SUPPRESSED_HELP,
    SUPPRESSED_HELP_NATIONAL,
    TEAM_ROLES,
    DashboardScope,
    SchoolYear,
    agreements_by_role,
    agreements_by_wijk,
    attendance,
    coverage,
    questions_by_topic,
    questions_by_wijk,
    rhythm,
    wijkdata,
    wijkdata_by_gemeente,
    wijkdata_minimum,
)
from front.dashboard_programme import programme_section
from meetings.filters import NO_SEAT
from meetings.models import CaseworkTheme, MeetingKind, MeetingStatus
from partners.models import Role

# --- The page: tables (each with its chart) built from the figures ----------------------------------------


type Cell = int | float | str | None


@dataclass
class Row:
    """A row of a table: its label (linking to `url`) and its figures, each linking to its own list where
    `links` has one at its place."""

    label: str
    values: list[Cell]
    url: str = ""
    links: list[str] = field(default_factory=list)

    @property
    def cells(self) -> list[tuple[Cell, str]]:
        """Each figure with its link ("" for none)."""
        return [(value, self.links[i] if i < len(self.links) else "") for i, value in enumerate(self.values)]


@dataclass
class Table:
    """One figure of the dashboard: a table and, when `chart` names two columns (this year, the year
    before), a bar chart of those."""

    key: str
    title: str
    columns: list[str]
    rows: list[Row]
    chart: tuple[int, int] | None = (0, 1)
    note: str = ""

    def __post_init__(self) -> None:
        # A chart of hundreds of rows (the national view's gemeenten) helps nobody: the table alone then.
        if len(self.rows) > CHART_MAX_ROWS:
            self.chart = None

    @property
    def chart_bars(self) -> list[dict[str, Any]]:
        """Per row the two bars' widths (0-100, of the largest value in the chart) and values."""
        if self.chart is None:
            return []
        a, b = self.chart
        numbers = [v for row in self.rows for v in (row.values[a], row.values[b]) if isinstance(v, int)]
        top = max(numbers, default=0) or 1
        bars = []
        for index, row in enumerate(self.rows):
            current, previous = row.values[a], row.values[b]
            bars.append(
                {
                    "label": row.label,
                    "y": index * CHART_ROW,
                    "current": current,
                    "previous": previous,
                    "current_width": round(CHART_BAR * current / top) if isinstance(current, int) else 0,
                    "previous_width": round(CHART_BAR * previous / top) if isinstance(previous, int) else 0,
                }
            )
        return bars

    @property
    def chart_height(self) -> int:
        return len(self.rows) * CHART_ROW + 8


CHART_ROW = 52  # px per row of a bar chart: its label, two bars of 12 and the gaps
CHART_BAR = 440  # px of the longest bar (the chart is 600 wide, the value follows the bar)
CHART_MAX_ROWS = 30  # a table with more rows has no chart


@dataclass
class Section:
    key: str
    title: str
    tables: list[Table]


def _percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def _query(base: str, **params: Any) -> str:
    """`base` with the params that have a value, as a query string."""
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return f"{base}?{query}" if query else base


def _role_label(role: str) -> str:
    return str(Role(role).label) if role else str(_("No seat at the school"))


def dashboard_sections(scope: DashboardScope, year: SchoolYear, today: dt.date) -> list[Section]:
    """Every figure of the dashboard for `year` and the year before it, as sections of tables. A fixed
    number of queries (about twenty-five), whatever the number of schools, meetings, agreements or
    activities."""
    previous = year.previous
    current_year = year == SchoolYear.containing(today)
    years = [year.label, previous.label]
    roster, meetings = reverse("schools:list"), reverse("meetings:list")
    questions_url = reverse("meetings:questions")
    agreements_url = reverse("meetings:agreements-list")
    own_wijk = scope.wijk.pk if scope.wijk else None
    schools, area, national = scope.schools, scope.area, scope.national
    # The lists (roster, meetings, questions, agreements) show everything in the user's scope and filter
    # by gemeente and wijk (partners.area_filters): for a coordinator their scope is the dashboard's, and
    # so is an admin's for the national view; when an admin looks at one gemeente, a figure's link
    # carries that gemeente (a wijk's figure its wijk, which chooses its gemeente). The national view's
    # rows per gemeente link to the lists with that gemeente.
    one_gemeente = scope.gemeente.pk if scope.gemeenten and not national and scope.gemeente else None

    def _link(base: str, **params: Any) -> str:
        if one_gemeente is not None and not params.get("wijk"):
            params = {"gemeente": one_gemeente, **params}
        return _query(base, **params)

    def area_of(pk: int) -> dict[str, int]:
        """The list filter of an area's row: its gemeente in the national view, else its wijk."""
        return {"gemeente": pk} if national else {"wijk": pk}

    def area_link(link, pk: int | None) -> str:
        """`link` with the filter of an area's row (area_of); nothing for 'No wijk'."""
        return "" if pk is None else link(**area_of(pk))

    def per_area(per_wijk: str, per_gemeente: str) -> str:
        return per_gemeente if national else per_wijk

    def held_meetings(
        y: SchoolYear, kind: str = MeetingKind.KPO, wijk: int | None = None, gemeente: int | None = None
    ) -> str:
        """The meetings list: the year's held meetings (KPOs unless `kind` is "", any kind)."""
        area = {"wijk": wijk or own_wijk} if gemeente is None else {"gemeente": gemeente}
        return _link(
            meetings,
            status=MeetingStatus.HELD,
            kind=kind,
            date_from=y.first_day.isoformat(),
            date_to=y.last_day.isoformat(),
            **area,
        )

    def roster_link(**params: Any) -> str:
        """The roster shows today's teams: a link only for the current school year."""
        return _link(roster, wijk=own_wijk, **params) if current_year else ""

    # Coverage
    cov = coverage(schools, year.reference_day(today))
    cov_prev = coverage(schools, previous.reference_day(today))
    teams = Table(
        "teams",
        str(_("Teams")),
        years,
        [
            Row(str(_("Schools")), [cov["schools"], cov_prev["schools"]], roster_link()),
            Row(
                str(_("Complete team (IB-er and the four kernpartners)")),
                [cov["complete"], cov_prev["complete"]],
                roster_link(team="complete"),
            ),
            Row(
                str(_("Without a complete team")),
                [cov["incomplete"], cov_prev["incomplete"]],
                roster_link(team="incomplete"),
            ),
            Row(
                str(_("A kernpartner seat ends within 30 days")),
                [cov["ending_any"], cov_prev["ending_any"]],
                roster_link(gap="ending"),
            ),
        ],
        note=str(
            _("Teams on %(day)s and on %(previous_day)s.")
            % {"day": _date(cov["day"]), "previous_day": _date(cov_prev["day"])}
        ),
    )
    vacancies = Table(
        "vacancies",
        str(_("Vacancies by role")),
        [
            str(_("Vacant %(year)s") % {"year": year.label}),
            str(_("Vacant %(year)s") % {"year": previous.label}),
            str(_("Ends within 30 days %(year)s") % {"year": year.label}),
            str(_("Ends within 30 days %(year)s") % {"year": previous.label}),
        ],
        [
            Row(
                _role_label(r),
                [cov["vacant"][r], cov_prev["vacant"][r], cov["ending"][r], cov_prev["ending"][r]],
                roster_link(missing_role=r),
            )
            for r in TEAM_ROLES
        ],
    )

    # Rhythm
    rh, rh_prev = rhythm(schools, year, area), rhythm(schools, previous, area)
    target = rh["target"]
    kpos = Table(
        "kpos",
        str(_("KPOs held")),
        years,
        [
            Row(str(_("KPOs held")), [rh["kpos"], rh_prev["kpos"]], held_meetings(year)),
            Row(
                str(_("Schools with at least %(target)s KPOs (the target)") % {"target": target}),
                [rh["on_target"], rh_prev["on_target"]],
            ),
            Row(
                str(_("Schools with fewer KPOs than the target")),
                [rh["below_target"], rh_prev["below_target"]],
            ),
            Row(
                str(_("Schools without a KPO held")),
                [rh["without_kpo"], rh_prev["without_kpo"]],
                roster_link(kpo="none"),
            ),
            Row(
                str(_("Schools without a KPO held or planned")),
                [rh["nothing_planned"], rh_prev["nothing_planned"]],
                roster_link(kpo="nothing_planned"),
            ),
        ],
        note=str(_("The target is %(target)s KPOs per school per school year.") % {"target": target}),
    )
    rw, rw_prev = rh["by_area"], rh_prev["by_area"]
    kpo_wijk_rows: list[tuple[int | None, str]] = list(scope.areas)
    if None in rw.keys() | rw_prev.keys():
        kpo_wijk_rows.append((None, str(_("No wijk"))))
    kpos_wijk = Table(
        "kpos-wijk",
        per_area(str(_("KPOs by wijk")), str(_("KPOs by municipality"))),
        [
            str(_("KPOs held %(year)s") % {"year": year.label}),
            str(_("KPOs held %(year)s") % {"year": previous.label}),
            str(_("Without a KPO held %(year)s") % {"year": year.label}),
            str(_("Without a KPO held %(year)s") % {"year": previous.label}),
        ],
        [
            Row(
                name,
                [
                    rw.get(pk, {}).get("kpos", 0),
                    rw_prev.get(pk, {}).get("kpos", 0),
                    rw.get(pk, {}).get("without_kpo", 0),
                    rw_prev.get(pk, {}).get("without_kpo", 0),
                ],
                area_link(lambda **area: held_meetings(year, **area), pk),
            )
            for pk, name in kpo_wijk_rows
        ],
    )
    att, att_prev = attendance(schools, year), attendance(schools, previous)
    attendance_table = Table(
        "attendance",
        str(_("Attendance per role")),
        [
            str(_("Invited %(year)s") % {"year": year.label}),
            str(_("Present %(year)s") % {"year": year.label}),
            str(_("%% present %(year)s") % {"year": year.label}),
            str(_("Invited %(year)s") % {"year": previous.label}),
            str(_("Present %(year)s") % {"year": previous.label}),
            str(_("%% present %(year)s") % {"year": previous.label}),
        ],
        [
            Row(
                _role_label(r),
                [
                    att[r]["invited"],
                    att[r]["present"],
                    _percent(att[r]["present"], att[r]["invited"]),
                    att_prev[r]["invited"],
                    att_prev[r]["present"],
                    _percent(att_prev[r]["present"], att_prev[r]["invited"]),
                ],
                # The KPOs held whose invitations these are (the meetings list has no filter by role).
                links=[held_meetings(year)] * 3 + [held_meetings(previous)] * 3,
            )
            for r in TEAM_ROLES
        ],
        chart=(2, 5),
        note=str(
            _("Of the invitations to the KPOs held; someone who sent a replacement is not counted present.")
        )
        + " "
        + str(_("Each figure links to the KPOs held that school year, where the attendance is logged.")),
    )

    # Follow-up
    agreement_columns = [
        str(_("Open %(year)s") % {"year": year.label}),
        str(_("Open %(year)s") % {"year": previous.label}),
        str(_("Overdue %(year)s") % {"year": year.label}),
        str(_("Overdue %(year)s") % {"year": previous.label}),
        str(_("Made %(year)s") % {"year": year.label}),
        str(_("Made %(year)s") % {"year": previous.label}),
    ]

    def agreement_values(now: dict | None, before: dict | None) -> list[Cell]:
        now, before = now or {}, before or {}
        return [
            now.get("open", 0),
            before.get("open", 0),
            now.get("overdue", 0),
            before.get("overdue", 0),
            now.get("made", 0),
            before.get("made", 0),
        ]

    def agreement_links(**params: Any) -> list[str]:
        """The agreements list behind each figure of an agreement row, in the columns' order: open,
        overdue and made, each of this year and the year before (the wijk coordinator's wijk kept)."""
        params = {"wijk": own_wijk, **params}
        return [
            _link(agreements_url, status=status, year=y.start, **params)
            for status in ("open", "overdue", "")
            for y in (year, previous)
        ]

    ag_role = agreements_by_role(schools, year, today)
    ag_role_prev = agreements_by_role(schools, previous, today)
    by_role = Table(
        "agreements-role",
        str(_("Agreements by role of the owner")),
        agreement_columns,
        [
            Row(
                _role_label(r),
                agreement_values(ag_role.get(r), ag_role_prev.get(r)),
                links=agreement_links(role=r or NO_SEAT),
            )
            for r in ag_role.keys() | ag_role_prev.keys()
            if r in TEAM_ROLES or ag_role.get(r, {}).get("made") or ag_role_prev.get(r, {}).get("made")
        ],
        note=str(
            _("Agreements made at the meetings of the school year; open and overdue as of %(today)s.")
            % {"today": _date(today)}
        ),
    )
    by_role.rows.sort(key=lambda row: _role_order(row.label))
    ag_wijk = agreements_by_wijk(schools, year, today, area)
    ag_wijk_prev = agreements_by_wijk(schools, previous, today, area)
    qs_wijk, qs_wijk_prev = questions_by_wijk(schools, year, area), questions_by_wijk(schools, previous, area)
    wijk_rows: list[tuple[int | None, str]] = list(scope.areas)
    if None in ag_wijk.keys() | ag_wijk_prev.keys() | qs_wijk.keys() | qs_wijk_prev.keys():
        wijk_rows.append((None, str(_("No wijk"))))
    by_wijk = Table(
        "agreements-wijk",
        per_area(str(_("Agreements by wijk")), str(_("Agreements by municipality"))),
        agreement_columns,
        [
            Row(
                name,
                agreement_values(ag_wijk.get(pk), ag_wijk_prev.get(pk)),
                links=[] if pk is None else agreement_links(**area_of(pk)),
            )
            for pk, name in wijk_rows
        ],
    )
    question_columns = [
        str(_("Asked %(year)s") % {"year": year.label}),
        str(_("Asked %(year)s") % {"year": previous.label}),
        str(_("Unanswered %(year)s") % {"year": year.label}),
        str(_("Unanswered %(year)s") % {"year": previous.label}),
    ]

    def question_values(now: dict | None, before: dict | None) -> list[Cell]:
        now, before = now or {}, before or {}
        return [now.get("asked", 0), before.get("asked", 0), now.get("open", 0), before.get("open", 0)]

    def question_list(**params: Any) -> str:
        """The collective questions list, filtered to the year (and the wijk coordinator's wijk)."""
        return _link(questions_url, year=year.start, **{"wijk": own_wijk, **params})

    questions = Table(
        "questions",
        per_area(str(_("Collective questions by wijk")), str(_("Collective questions by municipality"))),
        question_columns,
        [
            Row(
                name,
                question_values(qs_wijk.get(pk), qs_wijk_prev.get(pk)),
                area_link(question_list, pk),
            )
            for pk, name in wijk_rows
        ],
    )
    topics, topics_prev = questions_by_topic(schools, year), questions_by_topic(schools, previous)
    theme_rows = [
        Row(
            str(label),
            question_values(topics.by_theme.get(theme), topics_prev.by_theme.get(theme)),
            question_list(theme=theme),
        )
        for theme, label in CaseworkTheme.choices
    ]
    if "" in topics.by_theme.keys() | topics_prev.by_theme.keys():
        theme_rows.append(
            Row(str(_("No theme")), question_values(topics.by_theme.get(""), topics_prev.by_theme.get("")))
        )
    questions_theme = Table(
        "questions-theme", str(_("Collective questions by theme")), question_columns, theme_rows
    )
    lines = {**topics_prev.lines, **topics.lines}
    line_rows = [
        Row(
            f"{number}. {title}",
            question_values(topics.by_line.get(pk), topics_prev.by_line.get(pk)),
            question_list(action_line=pk),
        )
        for pk, (number, title) in sorted(lines.items(), key=lambda item: (item[1][0], item[0]))
    ]
    if None in topics.by_line.keys() | topics_prev.by_line.keys():
        line_rows.append(
            Row(
                str(_("No action line")),
                question_values(topics.by_line.get(None), topics_prev.by_line.get(None)),
            )
        )
    questions_line = Table(
        "questions-line", str(_("Collective questions by action line")), question_columns, line_rows
    )

    # Wijk data
    wd, wd_prev = wijkdata(schools, year), wijkdata(schools, previous)
    if national:
        wd, wd_prev = wijkdata_by_gemeente(wd), wijkdata_by_gemeente(wd_prev)
    minimum = wijkdata_minimum()
    areas = scope.areas

    def shown(data: dict, wijk_id: int, theme: str | None = None) -> Cell:
        entry = data.get(wijk_id)
        if entry is None:
            return 0
        if entry["suppressed"]:
            return None
        return entry["total"] if theme is None else entry["themes"][theme]

    def totals(data: dict, theme: str | None = None) -> int:
        return sum(v for pk, _name in areas if isinstance(v := shown(data, pk, theme), int))

    total_label = per_area(str(_("Total of the wijken shown")), str(_("Total of the municipalities shown")))
    casework_rows = [
        Row(
            name,
            [shown(wd, pk), shown(wd_prev, pk)],
            area_link(lambda **area: held_meetings(year, kind="", **area), pk),
        )
        for pk, name in areas
    ]
    casework_rows.append(Row(total_label, [totals(wd), totals(wd_prev)]))
    suppressed_note = str(per_area(SUPPRESSED_HELP, SUPPRESSED_HELP_NATIONAL) % {"minimum": minimum})
    casework = Table(
        "casework",
        per_area(str(_("Casework discussed per wijk")), str(_("Casework discussed per municipality"))),
        years,
        casework_rows,
        note=str(_("Pupils discussed, counted per theme at the meetings; never per school."))
        + " "
        + suppressed_note,
    )
    verzuim = Table(
        "verzuim",
        per_area(
            str(_("Absence and thuiszitters per wijk")), str(_("Absence and thuiszitters per municipality"))
        ),
        years,
        [
            *(
                Row(
                    name,
                    [
                        shown(wd, pk, CaseworkTheme.ATTENDANCE),
                        shown(wd_prev, pk, CaseworkTheme.ATTENDANCE),
                    ],
                )
                for pk, name in areas
            ),
            Row(
                total_label,
                [totals(wd, CaseworkTheme.ATTENDANCE), totals(wd_prev, CaseworkTheme.ATTENDANCE)],
            ),
        ],
        note=str(_("Pupils discussed under the theme 'Absence and thuiszitters'.")) + " " + suppressed_note,
    )
    themes = Table(
        "themes",
        per_area(
            str(_("Casework by theme per wijk, %(year)s")),
            str(_("Casework by theme per municipality, %(year)s")),
        )
        % {"year": year.label},
        [str(label) for label in CaseworkTheme.labels],
        [Row(name, [shown(wd, pk, t) for t in CaseworkTheme.values]) for pk, name in areas],
        chart=None,
        note=suppressed_note,
    )

    return [
        Section("coverage", str(_("Coverage")), [teams, vacancies]),
        Section("rhythm", str(_("Meeting rhythm")), [kpos, kpos_wijk, attendance_table]),
        Section(
            "follow-up",
            str(_("Follow-up")),
            [by_role, by_wijk, questions, questions_theme, questions_line],
        ),
        Section("wijkdata", str(_("Wijk data")), [casework, verzuim, themes]),
        programme_section(scope, year, today),
        *([evaluation_section(scope, year)] if scope.gemeente is not None and not scope.national else []),
    ]


def evaluation_section(scope: DashboardScope, year: SchoolYear) -> Section:  # a gemeente's scope
    """The process evaluation per action line (issue 13): the mean of the statements that belong to the
    line, of everyone in the scope's gemeente (or wijk), this school year and the one before. Withheld
    (None) where evaluations.results withholds a figure of one of those statements; the row links to the
    results by role."""
    gemeente = scope.gemeente
    if gemeente is None:  # dashboard_sections asks only with one
        return Section("evaluation", str(_("Process evaluation")), [])
    results = area_results(gemeente, scope.wijk, year.start)
    params = {"gemeente": gemeente.pk, "year": year.start}
    if scope.wijk is not None:
        params["wijk"] = scope.wijk.pk
    url = _query(reverse("evaluations:area-results"), **params)
    table = Table(
        "evaluation-lines",
        str(_("Process evaluation by action line")),
        [year.label, year.previous.label],
        [
            Row(
                str(_("Action line %(number)s") % {"number": line.number}),
                [line.now.mean if line.now.shown else None, line.before.mean if line.before.shown else None],
                url,
            )
            for line in results.lines
        ],
        chart=(0, 1) if results.lines else None,
        note=str(
            _(
                "The mean from 1 to 5 of everyone's scores on the statements of the line, in the rounds that "
                "have closed. A figure is not shown (–) when one of its statements' figures is withheld: "
                "too few people, or it could be worked out from other figures. The results page by role "
                "says which and why."
            )
            if results.lines
            else _("No evaluation round of this municipality in that school year.")
        ),
    )
    return Section("evaluation", str(_("Process evaluation")), [table])


def _date(day: dt.date) -> str:
    return date_format(day, "j F Y")


def _role_order(label: str) -> int:
    order = [_role_label(r) for r in (*TEAM_ROLES, Role.SCHOOLLEIDER, NO_ROLE)]
    return order.index(label) if label in order else len(order)


def export_rows(scope: DashboardScope, year: SchoolYear, sections: list[Section]) -> tuple[list, list]:
    """The dashboard as one sheet: a heading row, then per table its title, its header and its rows
    (a suppressed figure is left empty)."""
    header = [str(_("KPA dashboard")), scope.name, year.label]
    rows: list[list[Cell]] = []
    for section in sections:
        for table in section.tables:
            rows.append([])
            rows.append([f"{section.title}: {table.title}"])
            rows.append(["", *table.columns])
            rows.extend([row.label, *row.values] for row in table.rows)
            if table.note:
                rows.append([table.note])
    return header, rows
