"""The filters of the meetings list ("Overleggen"): gemeente and wijk, school, period, status and whether
the log is done; and those of the collective questions and agreements lists. Every choice list starts
from the user's scope (partners.scope); so does the list they filter."""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from meetings.dates import EARLIEST_STORED
from meetings.models import Agreement, CaseworkTheme, CollectiveQuestion, Meeting, MeetingKind, MeetingStatus
from meetings.selectors import NO_ROLE
from partners.area_filters import GemeenteThenWijk, gemeente_filter, wijk_filter
from partners.models import Role
from partners.scope import gemeenten_visible_to
from programme.models import ActionLine
from schools.years import SCHOOL_YEAR_STARTS, school_year_start

LATEST_FILTER_DATE = dt.date(2099, 12, 31)  # a bound far out, but one the date arithmetic survives
LOGGED_CHOICES = [
    ("yes", _("Logged")),
    ("no", _("Held, not logged yet")),
]


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class MeetingFilterForm(forms.Form):
    """The period is checked as a whole: both ends in the calendar KPA can hold, the start not after the
    end. An invalid filter shows its error and no list."""

    def clean(self) -> dict:
        data = super().clean()
        for name in ("date_from", "date_to"):
            day = data.get(name)
            if day is not None and not EARLIEST_STORED <= day <= LATEST_FILTER_DATE:
                self.add_error(
                    name,
                    _("Choose a date between %(earliest)s and %(latest)s.")
                    % {
                        "earliest": date_format(EARLIEST_STORED, "j F Y"),
                        "latest": date_format(LATEST_FILTER_DATE, "j F Y"),
                    },
                )
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end and "date_to" not in self.errors:
            self.add_error("date_to", _("The end of the period must not be before its start."))
        return data


class MeetingFilter(GemeenteThenWijk, django_filters.FilterSet):
    gemeente = gemeente_filter("school__gemeente")
    wijk = wijk_filter("school__wijk")
    school = django_filters.CharFilter(label=_("School (name or BRIN)"), method="filter_school")
    date_from = django_filters.DateFilter(label=_("From"), method="filter_from", widget=_date_widget())
    date_to = django_filters.DateFilter(
        label=_("Up to and including"), method="filter_to", widget=_date_widget()
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=MeetingStatus.choices, empty_label=_("Any status")
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=MeetingKind.choices, empty_label=_("Any kind")
    )
    logged = django_filters.ChoiceFilter(
        label=_("Log"),
        choices=LOGGED_CHOICES,
        method="filter_logged",
        empty_label=pgettext_lazy("log filter", "All"),
    )

    class Meta:
        model = Meeting
        fields = ["gemeente", "wijk", "school", "date_from", "date_to", "status", "kind", "logged"]
        form = MeetingFilterForm

    def filter_school(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(school__name__icontains=value) | Q(school__brin__iexact=value[:4]))

    def filter_from(self, queryset, name, value):
        return queryset.filter(starts_at__gte=_start_of(value))

    def filter_to(self, queryset, name, value):
        """Up to and including that day (Amsterdam time)."""
        return queryset.filter(starts_at__lt=_start_of(value + dt.timedelta(days=1)))

    def filter_logged(self, queryset, name, value):
        """ "Logged": the log is finished. "Not logged yet": the meeting has started, was not cancelled,
        and its log is not finished: what the IB-er still owes."""
        if value == "yes":
            return queryset.filter(logged_at__isnull=False)
        return queryset.filter(logged_at__isnull=True, starts_at__lte=timezone.now()).exclude(
            status=MeetingStatus.CANCELLED
        )

    def is_filtering(self) -> bool:
        """Whether any filter was filled in (else the list shows what is coming, as without filters)."""
        return any(str(self.data.get(name, "")).strip() for name in self.filters)


QUESTION_STATUS_CHOICES = [("open", _("Open")), ("answered", _("Answered"))]


def _action_lines(request) -> QuerySet[ActionLine]:
    """The lines of the programmes of the gemeenten in the user's scope (and those not yet in one)."""
    if request is None:
        return ActionLine.objects.none()
    return (
        ActionLine.objects.filter(
            Q(programme__gemeente__in=gemeenten_visible_to(request.user).values("pk")) | Q(programme=None)
        )
        .select_related("programme")
        .order_by("programme__pk", "number", "pk")
    )


def _school_years(count: int = 5) -> list[tuple[str, str]]:
    """This school year and the ones before it (`count` in all), newest first ("2026" is 2026–2027)."""
    start = school_year_start(timezone.localdate()).year
    return [(str(year), f"{year}–{year + 1}") for year in range(start, start - count, -1)]


class QuestionFilter(GemeenteThenWijk, django_filters.FilterSet):
    """The collective questions list: what schools raise, by theme and action line (issue 12)."""

    theme = django_filters.ChoiceFilter(
        label=_("Theme"), choices=CaseworkTheme.choices, empty_label=_("All themes")
    )
    action_line = django_filters.ModelChoiceFilter(
        label=_("Action line"), queryset=_action_lines, empty_label=_("All action lines")
    )
    gemeente = gemeente_filter("school__gemeente")
    wijk = wijk_filter("school__wijk")
    school = django_filters.CharFilter(label=_("School (name or BRIN)"), method="filter_school")
    year = django_filters.ChoiceFilter(
        label=_("School year"), choices=_school_years, method="filter_year", empty_label=_("Every year")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=QUESTION_STATUS_CHOICES,
        method="filter_status",
        empty_label=_("Any status"),
    )

    class Meta:
        model = CollectiveQuestion
        fields = ["theme", "action_line", "gemeente", "wijk", "school", "year", "status"]

    def filter_school(self, queryset, name, value):
        return MeetingFilter.filter_school(self, queryset, name, value)

    def filter_year(self, queryset, name, value):
        start = dt.date(int(value), *SCHOOL_YEAR_STARTS)
        end = dt.date(int(value) + 1, *SCHOOL_YEAR_STARTS)
        return queryset.filter(
            meeting__starts_at__gte=_start_of(start), meeting__starts_at__lt=_start_of(end)
        )

    def filter_status(self, queryset, name, value):
        return queryset.filter(answered_at__isnull=value == "open")


AGREEMENT_STATUS_CHOICES = [("open", _("Open")), ("overdue", _("Overdue")), ("done", _("Done"))]
NO_SEAT = "none"  # the role filter's value for an owner without a seat at the agreement's school
AGREEMENT_YEARS = 6  # this school year and five before: the dashboard's oldest year and the one before it


def _owner_roles() -> list[tuple[str, str]]:
    return [*Role.choices, (NO_SEAT, _("No seat at the school"))]


class AgreementFilter(GemeenteThenWijk, django_filters.FilterSet):
    """The agreements list: everyone's agreements in scope, the list behind the dashboard's figures
    (issue 12). `owner_role` comes from meetings.selectors.agreements_list_for."""

    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=AGREEMENT_STATUS_CHOICES,
        method="filter_status",
        empty_label=_("Any status"),
    )
    role = django_filters.ChoiceFilter(
        label=_("Owner's role"), choices=_owner_roles, method="filter_role", empty_label=_("Every role")
    )
    gemeente = gemeente_filter("school__gemeente")
    wijk = wijk_filter("school__wijk")
    school = django_filters.CharFilter(label=_("School (name or BRIN)"), method="filter_school")
    year = django_filters.ChoiceFilter(
        label=_("School year"),
        choices=lambda: _school_years(AGREEMENT_YEARS),
        method="filter_year",
        empty_label=_("Every year"),
    )
    action_line = django_filters.ModelChoiceFilter(
        label=_("Action line"), queryset=_action_lines, empty_label=_("All action lines")
    )

    class Meta:
        model = Agreement
        fields = ["status", "role", "gemeente", "wijk", "school", "year", "action_line"]

    def filter_status(self, queryset, name, value):
        """Open and overdue as of today, as the dashboard counts them: overdue is open and past due."""
        if value == "overdue":
            return queryset.overdue(timezone.localdate())
        return queryset.filter(status=value)

    def filter_role(self, queryset, name, value):
        return queryset.filter(owner_role=NO_ROLE if value == NO_SEAT else value)

    def filter_school(self, queryset, name, value):
        return MeetingFilter.filter_school(self, queryset, name, value)

    def filter_year(self, queryset, name, value):
        """Made in the school year: at a meeting held in it (the dashboard's 'made in the year')."""
        return QuestionFilter.filter_year(self, queryset, name, value)
