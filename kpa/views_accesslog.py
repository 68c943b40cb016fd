"""The access log for admins (issue 14): who opened or exported which personal data, filtered by person
(who did it, or whose data it was), school, Amsterdam days and action; newest first, and as a CSV file
(kpa.exports: no cell becomes a formula), which is itself logged. Admins only (others 403, anonymous to the
login). kpa knows no feature app: the school is filtered through the log's foreign key (school__name...).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import django_filters
from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from kpa.access import require_manager
from kpa.accesslog import access_record
from kpa.exports import table_response
from kpa.models import AccessAction, AccessLog, User

PER_PAGE = 50
EARLIEST = dt.date(2000, 1, 1)  # a day outside these is a typing error (and 9999-12-31 + 1 day overflows)
LATEST = dt.date(2099, 12, 31)
EXPORT_WHAT = "access-log.csv"

# What the log's `what` codes mean, for the page and the file; a code not listed is shown as it is.
WHAT_LABELS = {
    "meeting.minutes": gettext_lazy("Minutes of a meeting"),
    "meeting.ics": gettext_lazy("Meeting as a calendar file (.ics)"),
    "calendar-feed": gettext_lazy("Calendar feed (first fetch of the day)"),
    "agreements": gettext_lazy("Agreements list"),
    "evaluation-results": gettext_lazy("Evaluation results of a school"),
    "evaluation-results.area": gettext_lazy("Evaluation results of a wijk or gemeente"),
    "evaluation-results.xlsx": gettext_lazy("Evaluation results of a school (XLSX)"),
    "evaluation-results.print": gettext_lazy("Evaluation results of a school (print page)"),
    "roster.csv": gettext_lazy("Roster (CSV)"),
    "roster.xlsx": gettext_lazy("Roster (XLSX)"),
    "dashboard.xlsx": gettext_lazy("Dashboard (XLSX)"),
    "programme-report.xlsx": gettext_lazy("Progress report (XLSX)"),
    EXPORT_WHAT: gettext_lazy("Access log (CSV)"),
    "inzage": gettext_lazy("A person's data (inzage page)"),
    "inzage.json": gettext_lazy("A person's data (inzage, JSON)"),
}


def what_label(code: str) -> str:
    return str(WHAT_LABELS.get(code, code))


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _day_start(day: dt.date) -> dt.datetime:
    """Midnight at the start of `day` in Amsterdam."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_default_timezone())


class AccessLogFilterForm(forms.Form):
    """Both days within the years the log can hold, the first not after the last."""

    def clean(self) -> dict:
        data = super().clean()
        for name in ("date_from", "date_to"):
            day = data.get(name)
            if day is not None and not EARLIEST <= day <= LATEST:
                self.add_error(
                    name,
                    _("Choose a date between %(earliest)s and %(latest)s.")
                    % {"earliest": date_format(EARLIEST, "j F Y"), "latest": date_format(LATEST, "j F Y")},
                )
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end and "date_to" not in self.errors:
            self.add_error("date_to", _("The end of the period must not be before its start."))
        return data


def _person_matches(prefix: str, terms: list[str]) -> Q:
    """Every word of the search in the first name, last name or e-mail address of `prefix` (a person)."""
    matches = Q()
    for term in terms:
        matches &= (
            Q(**{f"{prefix}__first_name__icontains": term})
            | Q(**{f"{prefix}__last_name__icontains": term})
            | Q(**{f"{prefix}__email__icontains": term})
        )
    return matches


class AccessLogFilter(django_filters.FilterSet):
    person = django_filters.CharFilter(label=gettext_lazy("Person (name or e-mail)"), method="filter_person")
    school = django_filters.CharFilter(label=gettext_lazy("School (name or BRIN)"), method="filter_school")
    date_from = django_filters.DateFilter(
        label=gettext_lazy("From"), method="filter_from", widget=_date_widget()
    )
    date_to = django_filters.DateFilter(
        label=gettext_lazy("Up to and including"),
        method="filter_to",
        widget=_date_widget(),
    )
    action = django_filters.ChoiceFilter(
        label=gettext_lazy("Action"), choices=AccessAction.choices, empty_label=gettext_lazy("Every action")
    )

    class Meta:
        model = AccessLog
        fields = ["person", "school", "date_from", "date_to", "action"]
        form = AccessLogFilterForm

    def filter_person(self, queryset: QuerySet[AccessLog], name: str, value: str) -> QuerySet[AccessLog]:
        """Who did it or whose data it was (inzage)."""
        terms = value.split()
        if not terms:
            return queryset
        return queryset.filter(_person_matches("actor", terms) | _person_matches("subject", terms))

    def filter_school(self, queryset: QuerySet[AccessLog], name: str, value: str) -> QuerySet[AccessLog]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(school__name__icontains=value) | Q(school__brin__iexact=value[:4]))

    def filter_from(self, queryset: QuerySet[AccessLog], name: str, value: dt.date) -> QuerySet[AccessLog]:
        return queryset.filter(at__gte=_day_start(value))

    def filter_to(self, queryset: QuerySet[AccessLog], name: str, value: dt.date) -> QuerySet[AccessLog]:
        """Up to and including that day (Amsterdam time)."""
        return queryset.filter(at__lt=_day_start(value + dt.timedelta(days=1)))


def _filtered(request: HttpRequest) -> AccessLogFilter:
    entries = AccessLog.objects.select_related("actor", "subject", "school").order_by("-at", "-pk")
    return AccessLogFilter(request.GET, queryset=entries, request=request)


def _query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def detail_text(detail: dict[str, Any]) -> str:
    """The entry's details on one line: "meeting: 12 · filters: school=Zon"."""
    parts = []
    for key, value in detail.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in value.items()) or "–"
        elif isinstance(value, list):
            value = ", ".join(map(str, value))
        parts.append(f"{key}: {value}")
    return " · ".join(parts)


@login_required
@require_GET
def access_log(request: HttpRequest) -> HttpResponse:
    require_manager(request.user)
    log_filter = _filtered(request)
    found = log_filter.qs if log_filter.is_valid() else AccessLog.objects.none()
    page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    rows = [(entry, what_label(entry.what), detail_text(entry.detail)) for entry in page.object_list]
    query = _query(request)
    context = {
        "filter": log_filter,
        "page": page,
        "rows": rows,
        "query": query,
        "export_url": reverse("privacy:access-log-export") + (f"?{query}" if query else ""),
    }
    return render(request, "kpa/accesslog_list.html", context)


def _person(user: User | None) -> tuple[str, str]:
    if user is None:
        return "", ""
    return user.get_full_name(), user.email


@login_required
@require_GET
def access_log_export(request: HttpRequest) -> HttpResponse:
    """The filtered log as CSV; the export is logged too. A filter in error goes back to the page, which
    says what is wrong."""
    require_manager(request.user)
    log_filter = _filtered(request)
    if not log_filter.is_valid():
        return redirect(f"{reverse('privacy:access-log')}?{request.GET.urlencode()}")
    header = [
        _("When"),
        _("Who"),
        _("E-mail"),
        _("Action"),
        _("What"),
        _("Code"),
        _("School"),
        _("BRIN"),
        _("Whose data"),
        _("E-mail of whose data"),
        _("Details"),
    ]
    actions = dict(AccessAction.choices)
    rows = []
    for entry in log_filter.qs.iterator(chunk_size=2000):
        school = entry.school
        rows.append(
            [
                timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M:%S"),
                *_person(entry.actor),
                str(actions.get(entry.action, entry.action)),
                what_label(entry.what),
                entry.what,
                school.name if school else "",
                school.brin_vestiging if school else "",
                *_person(entry.subject),
                json.dumps(entry.detail, ensure_ascii=False, sort_keys=True) if entry.detail else "",
            ]
        )
    access_record(
        actor=request.user,
        action=AccessAction.EXPORT,
        what=EXPORT_WHAT,
        detail={"filters": {k: v for k, v in request.GET.items() if v.strip()}, "rows": len(rows)},
    )
    return table_response(
        "csv",
        filename=f"kpa-toegangslog-{timezone.localdate().isoformat()}",
        header=header,
        rows=rows,
        sheet_title=_("Access log"),
    )
