"""The dashboard's programme section (issue 12): the activities of the action lines by line and status,
their traffic lights, the stale ones and their indicators, for the school year and the one before.

Scope: the activities `programme.selectors.activities_visible_to` gives the user (a wijk coordinator the
city-wide ones and those of their wijk), of the programmes of the dashboard's gemeente (DashboardScope).

An activity *runs in* a school year when its period overlaps the year: it starts on or before the year's
last day (without a start: it was made before the year ended) and has no end or ends on or after its first
day. Its status is today's (no history is kept), so "by status" is today's status of the activities that
ran in the year. Its traffic light in a year is that of its latest progress update dated in the year (up
to today). Stale is today's: under way and no update for 60 days (programme.selectors.stale_activities).

Five queries whatever the number of activities, updates or indicators: the lines, the activities per line
(both years, per status and stale in one), the traffic lights (both years), the first LIST_LIMIT stale
activities, the first LIST_LIMIT indicators with their latest value in each year.

An admin's national view (DashboardScope.national) spans every gemeente's programme: the lines of all of
them, hundreds, are summed per line number instead (each programme numbers its own lines), without a
link, and the lines themselves are not loaded.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from programme.filters import NO_LIGHT as NO_LIGHT_FILTER
from programme.models import (
    ActionLine,
    Activity,
    ActivityStatus,
    Indicator,
    IndicatorValue,
    TrafficLight,
)
from programme.selectors import latest_light_between, running_between, stale_activities

if TYPE_CHECKING:
    from front.dashboard import DashboardScope, SchoolYear
    from front.dashboard_page import Section

NO_LIGHT = ""  # an activity without a progress update in the year
LIST_LIMIT = 50  # the stale activities and the indicators listed; a line's page has all of its own


def running_in(year: SchoolYear) -> Q:
    """The activities whose period overlaps the school year (see the module's docstring)."""
    return running_between(year.first_day, year.last_day)


def activities_by_line(
    activities: QuerySet[Activity], year: SchoolYear, today: dt.date, key: str = "line_id"
) -> dict[int, dict[str, int]]:
    """Per line (or per line number, `key="line__number"`): the activities running in the year and in the
    year before, per status (today's) those of the year, and those stale today. One query."""
    now, before = running_in(year), running_in(year.previous)
    is_stale = Q(pk__in=stale_activities(today).values("pk"))
    rows = (
        activities.order_by()
        .values(key)
        .annotate(
            current=Count("pk", filter=now),
            previous=Count("pk", filter=before),
            **{status: Count("pk", filter=now & Q(status=status)) for status in ActivityStatus.values},
            stale=Count("pk", filter=is_stale),
        )
    )
    return {row.pop(key): row for row in rows}


def _latest_light(year: SchoolYear, today: dt.date) -> Subquery:
    return latest_light_between(year.first_day, year.reference_day(today))


def traffic_lights(activities: QuerySet[Activity], year: SchoolYear, today: dt.date) -> dict[str, list[int]]:
    """Per light (NO_LIGHT: no update in the year): the activities running in the year whose latest update
    of the year shows it, [this year, the year before]. One query."""
    years = {"now": year, "before": year.previous}
    annotated = activities.order_by().annotate(
        **{f"light_{key}": _latest_light(y, today) for key, y in years.items()}
    )
    counts: dict[str, Any] = {}
    for key, y in years.items():
        for light in (*TrafficLight.values, NO_LIGHT):
            shows = Q(**{f"light_{key}": light}) if light else Q(**{f"light_{key}": None})
            counts[f"{key}_{light or 'none'}"] = Count("pk", filter=running_in(y) & shows)
    totals = annotated.aggregate(**counts)
    return {
        light: [totals[f"now_{light or 'none'}"], totals[f"before_{light or 'none'}"]]
        for light in (*TrafficLight.values, NO_LIGHT)
    }


def stale(activities: QuerySet[Activity], today: dt.date) -> list[Activity]:
    """The first LIST_LIMIT + 1 activities in scope that are stale today, by line and title (one more
    than shown tells there are more). One query."""
    return list(
        stale_activities(today)
        .filter(pk__in=activities.values("pk"))
        .select_related("line", "trekker")
        .order_by("line__number", "title", "pk")[: LIST_LIMIT + 1]
    )


def _latest_value(year: SchoolYear, today: dt.date, field: str) -> Subquery:
    return Subquery(
        IndicatorValue.objects.filter(
            indicator_id=OuterRef("pk"), date__gte=year.first_day, date__lte=year.reference_day(today)
        )
        .order_by("-date", "-pk")
        .values(field)[:1]
    )


def indicators(activities: QuerySet[Activity], year: SchoolYear, today: dt.date) -> list[Indicator]:
    """The first LIST_LIMIT + 1 indicators of the activities running in the year or the one before, each
    with its latest value in the year (`value_now`, `date_now`) and in the year before (`value_before`,
    `date_before`). One query."""
    running = activities.filter(running_in(year) | running_in(year.previous))
    return list(
        Indicator.objects.filter(activity__in=running.values("pk"))
        .select_related("activity__line")
        .annotate(
            value_now=_latest_value(year, today, "value"),
            date_now=_latest_value(year, today, "date"),
            value_before=_latest_value(year.previous, today, "value"),
            date_before=_latest_value(year.previous, today, "date"),
        )
        .order_by("activity__line__number", "activity__title", "activity_id", "name", "pk")[: LIST_LIMIT + 1]
    )


# --- The section -----------------------------------------------------------------------------------------


def _date(day: dt.date | None) -> str:
    return date_format(day, "j F Y") if day else ""


def _more_note(listed: list) -> str:
    """A note when a list was cut at LIST_LIMIT."""
    if len(listed) <= LIST_LIMIT:
        return ""
    return " " + str(
        _("The first %(limit)s are shown; an action line's page lists all of its own.")
        % {"limit": LIST_LIMIT}
    )


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def programme_section(scope: DashboardScope, year: SchoolYear, today: dt.date) -> Section:
    """The programme's tables: each line links to its page, each stale activity and indicator to its
    activity's page. The traffic lights have no list behind them (no list filters by light; a line's
    page shows each activity's)."""
    from front.dashboard_page import Row, Section, Table

    previous = year.previous
    key = "line__number" if scope.national else "line_id"
    by_line = activities_by_line(scope.activities, year, today, key)
    stale_now = stale(scope.activities, today)
    empty = {"current": 0, "previous": 0, **dict.fromkeys(ActivityStatus.values, 0), "stale": 0}

    # The activity list (programme.views_activities) shows what the user sees: behind a line's figures
    # for everyone (the line pins it down), behind the traffic lights only when the user's scope is the
    # dashboard's (not for an admin looking at one gemeente).
    whole_scope = not scope.gemeenten or scope.national

    list_url = reverse("programme:activity-list")

    def activity_list(**params: Any) -> str:
        return f"{list_url}?{urlencode(params)}"

    def line_row(label: str, pk: int, url: str = "", linked: bool = True) -> Row:
        counts = by_line.get(pk, empty)
        links = []
        if linked:
            links = [
                activity_list(line=pk, year=year.start),
                activity_list(line=pk, year=previous.start),
                *(activity_list(line=pk, year=year.start, status=status) for status in ActivityStatus.values),
                activity_list(line=pk, stale="yes"),
            ]
        return Row(
            label,
            [
                counts["current"],
                counts["previous"],
                *(counts[status] for status in ActivityStatus.values),
                counts["stale"],
            ],
            url,
            links,
        )

    if scope.national:
        line_rows = [
            line_row(str(_("Action line %(number)s") % {"number": number}), number, linked=False)
            for number in sorted(by_line)
        ]
    else:
        lines: list[ActionLine] = list(
            scope.lines.select_related("programme").order_by("programme__sector", "number")
        )
        several = len({line.programme_id for line in lines}) > 1

        def line_label(line: ActionLine) -> str:
            label = f"{line.number}. {line.title}"
            return f"{line.programme.sector} {label}" if several and line.programme else label

        line_rows = [
            line_row(line_label(line), line.pk, reverse("programme:line-detail", args=[line.pk]))
            for line in lines
        ]
    national_note = (
        " "
        + str(_("Summed per line number over the programmes of every municipality; each has its own lines."))
        if scope.national
        else ""
    )
    activities_table = Table(
        "activities-line",
        str(_("Activities by action line")),
        [
            str(_("Activities %(year)s") % {"year": year.label}),
            str(_("Activities %(year)s") % {"year": previous.label}),
            *(
                str(_("%(status)s %(year)s") % {"status": label, "year": year.label})
                for label in ActivityStatus.labels
            ),
            str(_("Stale today")),
        ],
        line_rows,
        note=str(
            _(
                "Activities whose period overlaps the school year (without a start date: made before its "
                "end); by today's status. Stale: under way and no progress update for 60 days, on %(today)s."
            )
            % {"today": _date(today)}
        )
        + national_note,
    )

    lights = traffic_lights(scope.activities, year, today)
    light_labels = {**dict(TrafficLight.choices), NO_LIGHT: _("No progress update in the school year")}
    lights_table = Table(
        "traffic-lights",
        str(_("Traffic lights")),
        [year.label, previous.label],
        [
            Row(
                str(light_labels[light]),
                values,
                links=[activity_list(year=y.start, light=light or NO_LIGHT_FILTER) for y in (year, previous)]
                if whole_scope
                else [],
            )
            for light, values in lights.items()
        ],
        note=str(
            _(
                "Per activity running in the school year, the traffic light of its latest progress update "
                "dated in that year. A line's page shows each activity's light."
            )
        ),
    )

    stale_table = Table(
        "stale",
        str(_("Stale activities")),
        [str(_("Action line")), str(_("Trekker")), str(_("Latest progress update"))],
        [
            Row(
                activity.title,
                [
                    str(activity.line.number),
                    activity.trekker.get_full_name() if activity.trekker else "",
                    _date(activity.last_update_on) or str(_("none")),
                ],
                reverse("programme:activity-detail", args=[activity.pk]),
            )
            for activity in stale_now[:LIST_LIMIT]
        ],
        chart=None,
        note=str(
            _("Planned or running, and no progress update for 60 days, on %(today)s.")
            % {"today": _date(today)}
        )
        + _more_note(stale_now),
    )
    listed_indicators = indicators(scope.activities, year, today)

    indicator_table = Table(
        "indicators",
        str(_("Indicators")),
        [
            str(_("Latest value %(year)s") % {"year": year.label}),
            str(_("Measured on %(year)s") % {"year": year.label}),
            str(_("Latest value %(year)s") % {"year": previous.label}),
            str(_("Measured on %(year)s") % {"year": previous.label}),
        ],
        [
            Row(
                f"{indicator.activity.title}: {indicator.name}",
                [
                    _number(indicator.value_now),  # type: ignore[attr-defined]
                    _date(indicator.date_now),  # type: ignore[attr-defined]
                    _number(indicator.value_before),  # type: ignore[attr-defined]
                    _date(indicator.date_before),  # type: ignore[attr-defined]
                ],
                reverse("programme:activity-detail", args=[indicator.activity_id]),
            )
            for indicator in listed_indicators[:LIST_LIMIT]
        ],
        chart=None,
        note=str(
            _("Per indicator of the activities running in either year, its latest measured value of each.")
        )
        + _more_note(listed_indicators),
    )
    return Section(
        "programme", str(_("Programme")), [activities_table, lights_table, stale_table, indicator_table]
    )
