"""The coordinator's dashboard and its XLSX export (issue 12). Coordinators and admins; scope by
front.dashboard.dashboard_scope (partners.scope underneath)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from front import dashboard, dashboard_page
from front.forms import DashboardChoiceForm
from kpa.access import require_coordination
from kpa.exports import table_response
from kpa.models import AccessAction, AccessLog


def _figures(request: HttpRequest) -> dict:
    require_coordination(request.user)
    today = timezone.localdate()
    scope = dashboard.dashboard_scope(request.user, request.GET.get("gemeente"))
    year = dashboard.chosen_year(request.GET.get("year"), today)
    return {
        "scope": scope,
        "year": year,
        "years": dashboard.year_choices(today),
        "sections": dashboard_page.dashboard_sections(scope, year, today),
    }


@login_required
@require_GET
def dashboard_view(request: HttpRequest) -> HttpResponse:
    """Coverage, meeting rhythm, follow-up and wijk data of the schools in scope, this school year and
    the one before."""
    context = _figures(request)
    context["form"] = DashboardChoiceForm(
        scope=context["scope"], year=context["year"], years=context["years"]
    )
    context["query"] = request.GET.urlencode()
    return render(request, "front/dashboard.html", context)


@login_required
@require_GET
def dashboard_export(request: HttpRequest) -> HttpResponse:
    """The dashboard's tables in one XLSX sheet. Every export is logged."""
    context = _figures(request)
    header, rows = dashboard_page.export_rows(context["scope"], context["year"], context["sections"])
    AccessLog.objects.create(
        actor=request.user,
        action=AccessAction.EXPORT,
        what="dashboard.xlsx",
        detail={"gemeente": getattr(context["scope"].gemeente, "pk", None), "year": context["year"].start},
    )
    return table_response(
        "xlsx",
        filename=f"kpa-dashboard-{context['year'].start}-{context['year'].start + 1}",
        header=header,
        rows=rows,
        sheet_title=_("Dashboard"),
    )
