"""The coordinator's dashboard and its XLSX export (issue 12). Coordinators and admins; scope by
front.dashboard.dashboard_scope (partners.scope underneath)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from front import dashboard, dashboard_page
from front.forms import DashboardChoiceForm
from kpa.access import require_coordination
from kpa.accesslog import access_record
from kpa.exports import table_response
from kpa.models import AccessAction


def _choice(request: HttpRequest) -> dict:
    require_coordination(request.user)
    today = timezone.localdate()
    scope = dashboard.dashboard_scope(request.user, request.GET.get("gemeente"))
    year = dashboard.chosen_year(request.GET.get("year"), today)
    return {"scope": scope, "year": year, "years": dashboard.year_choices(today), "today": today}


def _figures(request: HttpRequest) -> dict:
    context = _choice(request)
    context["sections"] = dashboard_page.dashboard_sections(
        context["scope"], context["year"], context["today"]
    )
    return context


def _cache_key(scope: dashboard.DashboardScope, year, today) -> str:
    """The figures depend on the gemeente, the wijk (a wijk coordinator's), whether the lists they link to
    span more than the scope (an admin's), the school year and the day: nothing else of who asks."""
    parts = [
        getattr(scope.gemeente, "pk", ""),
        getattr(scope.wijk, "pk", ""),
        int(bool(scope.gemeenten)),
        int(scope.national),
        year.start,
        today.isoformat(),
        translation.get_language(),
    ]
    return "dashboard:v2:" + ":".join(map(str, parts))


def _sections_html(request: HttpRequest, context: dict) -> tuple[str, dt.datetime]:
    """The rendered figures and when they were counted: from the cache when counted less than
    KPA_DASHBOARD_CACHE_SECONDS ago (unless ?fresh asks to count them now), else counted and kept. The
    cache is an optimisation only: when it is down (kpa.cache), the figures are counted each time."""
    seconds = settings.KPA_DASHBOARD_CACHE_SECONDS
    key = _cache_key(context["scope"], context["year"], context["today"])
    if seconds and not request.GET.get("fresh"):
        kept = cache.get(key)
        # The age is checked here too, not left to the cache's own expiry alone: what the page promises
        # ("counted again after two minutes") then holds whatever keeps the cache (Redis, the database).
        if kept is not None and timezone.now() - kept[1] < dt.timedelta(seconds=seconds):
            return kept
    sections = dashboard_page.dashboard_sections(context["scope"], context["year"], context["today"])
    html = render_to_string("front/_dashboard_sections.html", {"sections": sections, "year": context["year"]})
    counted = (mark_safe(html), timezone.now())  # noqa: S308  (our own template's output, escaped there)
    if seconds:
        cache.set(key, counted, seconds)
    return counted


@login_required
@require_GET
def dashboard_view(request: HttpRequest) -> HttpResponse:
    """Coverage, meeting rhythm, follow-up, wijk data and the programme of the schools in scope, this
    school year and the one before. The figures are kept for KPA_DASHBOARD_CACHE_SECONDS; the page says
    when they were counted and can count them now."""
    context = _choice(request)
    context["sections_html"], context["counted_at"] = _sections_html(request, context)
    context["cache_seconds"] = settings.KPA_DASHBOARD_CACHE_SECONDS
    context["cache_minutes"] = max(1, settings.KPA_DASHBOARD_CACHE_SECONDS // 60)
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
    access_record(
        actor=request.user,
        action=AccessAction.EXPORT,
        what="dashboard.xlsx",
        detail={
            "gemeente": getattr(context["scope"].gemeente, "pk", None),
            "national": context["scope"].national,
            "year": context["year"].start,
        },
    )
    return table_response(
        "xlsx",
        filename=f"kpa-dashboard-{context['year'].start}-{context['year'].start + 1}",
        header=header,
        rows=rows,
        sheet_title=_("Dashboard"),
    )
