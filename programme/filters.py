"""The filters of the activity list: the list behind the dashboard's programme figures (issue 12). Each
choice list is scoped to what the user sees; "in the school year" and "traffic light" follow the
dashboard's rules (programme.selectors.running_between, latest_light_between)."""

from __future__ import annotations

import datetime as dt

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programme.models import ActionLine, ActivityStatus, TrafficLight
from programme.selectors import latest_light_between, lines_visible_to, running_between, stale_activities
from schools.years import school_year_start

YEARS = 5  # this school year and four before: the dashboard's years
NO_LIGHT = "none"


def _school_years() -> list[tuple[str, str]]:
    start = school_year_start(timezone.localdate()).year
    return [(str(year), f"{year}–{year + 1}") for year in range(start, start - YEARS, -1)]


def _lines(request) -> QuerySet[ActionLine]:
    if request is None:
        return ActionLine.objects.none()
    return (
        lines_visible_to(request.user)
        .select_related("programme__gemeente")
        .order_by("programme__gemeente__name", "programme__sector", "number")
    )


def _year_days(value: str | None) -> tuple[dt.date, dt.date]:
    """The first day of the school year starting in `value` (this one when empty) and the last day looked
    at: its 31 July, or today for the current year."""
    start = int(value) if value else school_year_start(timezone.localdate()).year
    return dt.date(start, 8, 1), min(dt.date(start + 1, 7, 31), timezone.localdate())


class ActivityFilter(django_filters.FilterSet):
    line = django_filters.ModelChoiceFilter(
        label=_("Action line"), queryset=_lines, empty_label=_("All lines")
    )
    year = django_filters.ChoiceFilter(
        label=_("School year"), choices=_school_years, method="filter_year", empty_label=_("Every year")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=ActivityStatus.choices, empty_label=_("Any status")
    )
    light = django_filters.ChoiceFilter(
        label=_("Traffic light"),
        choices=[*TrafficLight.choices, (NO_LIGHT, _("No progress update in the school year"))],
        method="filter_light",
        empty_label=_("Any"),
    )
    stale = django_filters.ChoiceFilter(
        label=_("Stale"),
        choices=[("yes", _("No progress update for 60 days"))],
        method="filter_stale",
        empty_label=_("Any"),
    )

    def filter_year(self, queryset, name, value):
        """Running in the school year: its period overlaps the year."""
        first = dt.date(int(value), 8, 1)
        return queryset.filter(running_between(first, dt.date(first.year + 1, 7, 31)))

    def filter_light(self, queryset, name, value):
        """The light of the latest progress update dated in the chosen school year (this one when none is
        chosen), up to today."""
        first, last = _year_days(self.form.cleaned_data.get("year"))
        light = None if value == NO_LIGHT else value
        return queryset.annotate(light_in_year=latest_light_between(first, last)).filter(light_in_year=light)

    def filter_stale(self, queryset, name, value):
        return queryset.filter(pk__in=stale_activities(timezone.localdate()).values("pk"))
