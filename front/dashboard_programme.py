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
(both years and per status in one), the traffic lights (both years), the stale activities, the indicators
with their latest value in each year.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from programme.models import (
    ActionLine,
    Activity,
    ActivityStatus,
    Indicator,
    IndicatorValue,
    ProgressUpdate,
    TrafficLight,
)
from programme.selectors import stale_activities

if TYPE_CHECKING:
    from front.dashboard import DashboardScope, SchoolYear
    from front.dashboard_page import Section

NO_LIGHT = ""  # an activity without a progress update in the year


def running_in(year: SchoolYear) -> Q:
    """The activities whose period overlaps the school year (see the module's docstring)."""
    _start, end = year.moments()
    started = Q(starts_on__lte=year.last_day) | Q(starts_on=None, created_at__lt=end)
    return started & (Q(ends_on=None) | Q(ends_on__gte=year.first_day))


def activities_by_line(activities: QuerySet[Activity], year: SchoolYear) -> dict[int, dict[str, int]]:
    """Per line: the activities running in the year and in the year before, and per status (today's) those
    of the year. One query."""
    now, before = running_in(year), running_in(year.previous)
    rows = (
        activities.order_by()
        .values("line_id")
        .annotate(
            current=Count("pk", filter=now),
            previous=Count("pk", filter=before),
            **{status: Count("pk", filter=now & Q(status=status)) for status in ActivityStatus.values},
        )
    )
    return {row.pop("line_id"): row for row in rows}


def _latest_light(year: SchoolYear, today: dt.date) -> Subquery:
    return Subquery(
        ProgressUpdate.objects.filter(
            activity_id=OuterRef("pk"), date__gte=year.first_day, date__lte=year.reference_day(today)
        )
        .order_by("-date", "-pk")
        .values("light")[:1]
    )


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
    """The activities in scope that are stale today, by line and title. One query."""
    return list(
        stale_activities(today)
        .filter(pk__in=activities.values("pk"))
        .select_related("line", "trekker")
        .order_by("line__number", "title", "pk")
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
    """The indicators of the activities running in the year or the one before, each with its latest
    value in the year (`value_now`, `date_now`) and in the year before (`value_before`, `date_before`).
    One query."""
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
        .order_by("activity__line__number", "activity__title", "activity_id", "name", "pk")
    )


# --- The section -----------------------------------------------------------------------------------------


def _date(day: dt.date | None) -> str:
    return date_format(day, "j F Y") if day else ""


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def programme_section(scope: DashboardScope, year: SchoolYear, today: dt.date) -> Section:
    """The programme's tables: each line links to its page, each stale activity and indicator to its
    activity's page. The traffic lights have no list behind them (no list filters by light; a line's
    page shows each activity's)."""
    from front.dashboard_page import Row, Section, Table

    previous = year.previous
    lines: list[ActionLine] = list(
        scope.lines.select_related("programme").order_by("programme__sector", "number")
    )
    several = len({line.programme_id for line in lines}) > 1
    by_line = activities_by_line(scope.activities, year)
    stale_now = stale(scope.activities, today)
    stale_per_line: dict[int, int] = {}
    for activity in stale_now:
        stale_per_line[activity.line_id] = stale_per_line.get(activity.line_id, 0) + 1

    def line_label(line: ActionLine) -> str:
        label = f"{line.number}. {line.title}"
        return f"{line.programme.sector} {label}" if several and line.programme else label

    empty = {"current": 0, "previous": 0, **dict.fromkeys(ActivityStatus.values, 0)}
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
        [
            Row(
                line_label(line),
                [
                    (counts := by_line.get(line.pk, empty))["current"],
                    counts["previous"],
                    *(counts[status] for status in ActivityStatus.values),
                    stale_per_line.get(line.pk, 0),
                ],
                reverse("programme:line-detail", args=[line.pk]),
            )
            for line in lines
        ],
        note=str(
            _(
                "Activities whose period overlaps the school year (without a start date: made before its "
                "end); by today's status. Stale: under way and no progress update for 60 days, on %(today)s."
            )
            % {"today": _date(today)}
        ),
    )

    lights = traffic_lights(scope.activities, year, today)
    light_labels = {**dict(TrafficLight.choices), NO_LIGHT: _("No progress update in the school year")}
    lights_table = Table(
        "traffic-lights",
        str(_("Traffic lights")),
        [year.label, previous.label],
        [Row(str(light_labels[light]), values) for light, values in lights.items()],
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
            for activity in stale_now
        ],
        chart=None,
        note=str(
            _("Planned or running, and no progress update for 60 days, on %(today)s.")
            % {"today": _date(today)}
        ),
    )

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
            for indicator in indicators(scope.activities, year, today)
        ],
        chart=None,
        note=str(
            _("Per indicator of the activities running in either year, its latest measured value of each.")
        ),
    )
    return Section(
        "programme", str(_("Programme")), [activities_table, lights_table, stale_table, indicator_table]
    )
