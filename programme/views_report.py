"""The voortgangsrapportage of a programme (programme.report): a printable page and its XLSX download, over
a period chosen with a GET form (the current half year when none is chosen). Scope as every programme page:
programme.selectors (another gemeente 404, school staff 404, anonymous to the login)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from kpa.accesslog import access_record
from kpa.exports import table_response
from kpa.models import AccessAction
from programme import selectors
from programme.report import Period, programme_report, report_table

EARLIEST = dt.date(2000, 1, 1)  # a report of before 2000 or after 2100 is a typing error, not a question
LATEST = dt.date(2100, 12, 31)


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReportPeriodForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("First day of the period"), widget=_date_widget())
    end = forms.DateField(label=gettext_lazy("Last day of the period"), widget=_date_widget())

    def _clean_day(self, name: str) -> dt.date:
        day = self.cleaned_data[name]
        if not EARLIEST <= day <= LATEST:
            raise forms.ValidationError(
                _("Choose a date between %(earliest)s and %(latest)s.")
                % {"earliest": EARLIEST.year, "latest": LATEST.year}
            )
        return day

    def clean_start(self) -> dt.date:
        return self._clean_day("start")

    def clean_end(self) -> dt.date:
        return self._clean_day("end")

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("The end of the period is before its start."))
        return data


def _period(request: HttpRequest) -> tuple[ReportPeriodForm, Period | None]:
    """The form and the period it chose; no period when the input is refused. Without input: the
    current half year (Europe/Amsterdam)."""
    if "start" not in request.GET and "end" not in request.GET:
        period = Period.half_year_of(timezone.localdate())
        return ReportPeriodForm(initial={"start": period.start, "end": period.end}), period
    form = ReportPeriodForm(request.GET)
    if not form.is_valid():
        return form, None
    return form, Period(form.cleaned_data["start"], form.cleaned_data["end"])


@login_required
@require_GET
def report_page(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.get_programme_for_user(request.user, pk)
    form, period = _period(request)
    context = {"programme": programme, "form": form, "report": None}
    if period is not None:
        context["report"] = programme_report(request.user, programme, period)
        query = urlencode({"start": period.start.isoformat(), "end": period.end.isoformat()})
        context["xlsx_url"] = f"{reverse('programme:report-xlsx', args=[programme.pk])}?{query}"
    return render(request, "programme/report.html", context)


@login_required
@require_GET
def report_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """The same report as a spreadsheet (kpa.exports: no cell becomes a formula); the export is logged.
    Refused input goes back to the page, which says what is wrong."""
    programme = selectors.get_programme_for_user(request.user, pk)
    _form, period = _period(request)
    if period is None:
        page = reverse("programme:report", args=[programme.pk])
        return redirect(f"{page}?{request.GET.urlencode()}")
    report = programme_report(request.user, programme, period)
    header, rows = report_table(report)
    access_record(
        actor=request.user,
        action=AccessAction.EXPORT,
        what="programme-report.xlsx",
        detail={
            "programme": programme.pk,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "rows": len(rows),
        },
    )
    return table_response(
        "xlsx",
        filename=f"voortgangsrapportage-{programme.pk}-{period.start.isoformat()}-{period.end.isoformat()}",
        header=header,
        rows=rows,
        sheet_title=_("Progress report"),
    )
