"""The voortgangsrapportage for the twice-yearly OOGO (seed 004, §9): per action line of a programme its
activities with their status, traffic light, indicators and successes over a chosen period.

Built in a fixed number of queries whatever the number of activities: the lines, the activities in view
(programme.selectors, so a wijk coordinator's report holds what they may read), and prefetches of the
period's updates, the indicators and the period's measured values. The page (programme.views_report) and
its XLSX download (`report_table`) show the same content.

What the period means: an activity is in the report when it has a progress update in the period, or when
its own dates (start, end; open when not set) overlap the period, also when it was entered later. Its
status is the one it has today (statuses have no history); its traffic light is that of its latest update
in the period; its indicators show the values measured in the period; its successes are the updates in the
period marked as a success.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, F, OuterRef, Prefetch, Q
from django.utils import formats
from django.utils.translation import gettext as _

from kpa.models import User
from programme import selectors
from programme.models import (
    ActionLine,
    Activity,
    Indicator,
    IndicatorValue,
    Programme,
    ProgressUpdate,
    TrafficLight,
)


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    @classmethod
    def half_year_of(cls, day: dt.date) -> Period:
        """The half year `day` is in: 1 January to 30 June, or 1 July to 31 December."""
        if day.month <= 6:
            return cls(dt.date(day.year, 1, 1), dt.date(day.year, 6, 30))
        return cls(dt.date(day.year, 7, 1), dt.date(day.year, 12, 31))

    def __str__(self) -> str:
        return _("%(start)s to %(end)s") % {"start": _day(self.start), "end": _day(self.end)}


def _day(day: dt.date) -> str:
    return formats.date_format(day, "j F Y")


def _short_day(day: dt.date) -> str:
    return formats.date_format(day, "d-m-Y")


def _number(value: Decimal) -> str:
    return formats.number_format(value.quantize(Decimal(1)) if value == value.to_integral() else value)


@dataclass
class IndicatorReport:
    indicator: Indicator
    values: list[IndicatorValue]  # measured in the period, oldest first


@dataclass
class ActivityReport:
    activity: Activity
    updates: list[ProgressUpdate]  # in the period, newest first
    indicators: list[IndicatorReport]

    @property
    def latest(self) -> ProgressUpdate | None:
        return self.updates[0] if self.updates else None

    @property
    def light(self) -> str:
        """The traffic light of the latest update in the period ("" when there is none)."""
        return self.latest.light if self.latest else ""

    @property
    def successes(self) -> list[ProgressUpdate]:
        return [u for u in reversed(self.updates) if u.is_success]  # oldest first


@dataclass
class LineReport:
    line: ActionLine
    activities: list[ActivityReport] = field(default_factory=list)

    @property
    def lights(self) -> list[tuple[str, str, int]]:
        """(light, label, number of activities) for the three lights and for "no update in the period"."""
        counts = dict.fromkeys([*TrafficLight.values, ""], 0)
        for each in self.activities:
            counts[each.light] += 1
        rows = [(light.value, str(light.label), counts[light.value]) for light in TrafficLight]
        return [*rows, ("", _("No update in this period"), counts[""])]

    @property
    def successes(self) -> int:
        return sum(len(a.successes) for a in self.activities)


@dataclass
class Report:
    programme: Programme
    period: Period
    lines: list[LineReport]


def _activities(user: User, programme: Programme, period: Period):
    start, end = period.start, period.end
    updated = ProgressUpdate.objects.filter(activity_id=OuterRef("pk"), date__range=(start, end))
    overlaps = (Q(starts_on=None) | Q(starts_on__lte=end)) & (Q(ends_on=None) | Q(ends_on__gte=start))
    values = IndicatorValue.objects.filter(date__range=(start, end)).order_by("date", "pk")
    indicators = Indicator.objects.order_by("pk").prefetch_related(
        Prefetch("values", queryset=values, to_attr="period_values")
    )
    return (
        selectors.activities_visible_to(user)
        .filter(line__programme=programme)
        .filter(overlaps | Exists(updated))
        .select_related("speerpunt", "trekker")
        .prefetch_related(
            Prefetch(
                "updates",
                queryset=ProgressUpdate.objects.filter(date__range=(start, end)).order_by("-date", "-pk"),
                to_attr="period_updates",
            ),
            Prefetch("indicators", queryset=indicators, to_attr="all_indicators"),
        )
        .order_by("line__number", F("speerpunt__order").asc(nulls_last=True), "title", "pk")
    )


def programme_report(user: User, programme: Programme, period: Period) -> Report:
    """The report of `programme` (already fetched through programme.selectors for `user`) over `period`,
    with the activities `user` may read: five queries (lines, activities, their updates in the period,
    indicators, values in the period), whatever the number of activities."""
    lines = [LineReport(line) for line in programme.lines.order_by("number")]
    by_line = {each.line.pk: each for each in lines}
    for activity in _activities(user, programme, period):
        indicators = [IndicatorReport(i, i.period_values) for i in activity.all_indicators]
        by_line[activity.line_id].activities.append(
            ActivityReport(activity, activity.period_updates, indicators)
        )
    return Report(programme=programme, period=period, lines=lines)


def report_table(report: Report) -> tuple[list[str], list[list[str]]]:
    """The report as one table (header, rows) for the XLSX download: a row per activity, and a row for a
    line without activities in the period."""
    header = [
        _("Action line"),
        _("Speerpunt"),
        _("Activity"),
        _("Status"),
        _("Start date"),
        _("End date"),
        _("Trekker"),
        _("Traffic light"),
        _("Latest update"),
        _("Latest update text"),
        _("Indicators in the period"),
        _("Successes in the period"),
    ]
    lights = dict(TrafficLight.choices)
    rows: list[list[str]] = []
    for line_report in report.lines:
        line = str(line_report.line)
        if not line_report.activities:
            rows.append([line, "", _("No activities in this period"), *[""] * 9])
        for each in line_report.activities:
            activity, latest = each.activity, each.latest
            indicators = "; ".join(
                "{}: {}".format(
                    i.indicator.name,
                    ", ".join(f"{_number(v.value)} ({_short_day(v.date)})" for v in i.values) or "–",
                )
                for i in each.indicators
            )
            successes = "; ".join(f"{_short_day(u.date)}: {u.text}" for u in each.successes)
            rows.append(
                [
                    line,
                    activity.speerpunt.text if activity.speerpunt else "",
                    activity.title,
                    str(activity.get_status_display()),
                    _short_day(activity.starts_on) if activity.starts_on else "",
                    _short_day(activity.ends_on) if activity.ends_on else "",
                    activity.trekker.get_full_name() if activity.trekker else "",
                    str(lights[latest.light]) if latest else _("No update in this period"),
                    _short_day(latest.date) if latest else "",
                    latest.text if latest else "",
                    indicators,
                    successes,
                ]
            )
    return header, rows
