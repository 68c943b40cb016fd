"""The coordinator's dashboard and its XLSX export (issue 12). Coordinators and admins; scope by
front.dashboard.dashboard_scope (partners.scope underneath)."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import connection, transaction
from django.http import Http404, HttpRequest, HttpResponse
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


def _sections_html(request: HttpRequest, context: dict) -> tuple[str, dt.datetime, bool]:
    """The rendered figures, when they were counted, and whether they are being counted again in the
    background: from the cache when counted less than KPA_DASHBOARD_CACHE_SECONDS ago (unless ?fresh asks
    to count them now), else counted and kept. The national view (seconds of counting at 10,000 schools) is
    not counted in the request when its figures are older but not older than KPA_DASHBOARD_STALE_SECONDS:
    they are shown, said to be counted again now, and a worker counts them (front.tasks). The cache is an
    optimisation only: when it is down (kpa.cache), or the broker is, the figures are counted each time."""
    seconds = settings.KPA_DASHBOARD_CACHE_SECONDS
    scope, year, today = context["scope"], context["year"], context["today"]
    key = _cache_key(scope, year, today)
    if seconds and not request.GET.get("fresh"):
        kept = cache.get(key)
        # The age is checked here too, not left to the cache's own expiry alone: what the page promises
        # ("counted again after two minutes") then holds whatever keeps the cache (Redis, the database).
        if kept is not None:
            age = timezone.now() - kept[1]
            if age < dt.timedelta(seconds=seconds):
                return kept[0], kept[1], False
            stale_seconds = settings.KPA_DASHBOARD_STALE_SECONDS
            if scope.national and age < dt.timedelta(seconds=stale_seconds) and _count_later(request, key):
                return kept[0], kept[1], True
    html, counted_at = count_sections(scope, year, today)
    if seconds:
        _keep(key, (html, counted_at))
    return html, counted_at, False


def _keep(key: str, counted: tuple[str, dt.datetime]) -> None:
    """Keep counted figures as long as any visit may show them (the national view: while a worker counts
    them again)."""
    cache.set(key, counted, max(settings.KPA_DASHBOARD_CACHE_SECONDS, settings.KPA_DASHBOARD_STALE_SECONDS))


def count_sections(scope: dashboard.DashboardScope, year, today) -> tuple[str, dt.datetime]:
    """The dashboard's figures counted and rendered now, and when."""
    sections = dashboard_page.dashboard_sections(scope, year, today)
    html = render_to_string("front/_dashboard_sections.html", {"sections": sections, "year": year})
    return mark_safe(html), timezone.now()  # noqa: S308  (our own template's output, escaped there)


def _count_later(request: HttpRequest, key: str) -> bool:
    """Ask a worker to count the figures under `key` again (once per KPA_DASHBOARD_CACHE_SECONDS, however
    many visits find them old); False when the broker cannot take the task, and the visit counts them."""
    from front.tasks import dashboard_count_task

    if not cache.add(f"{key}:counting", 1, settings.KPA_DASHBOARD_CACHE_SECONDS):
        return True  # asked already
    try:
        dashboard_count_task.apply_async(
            kwargs={
                "user_id": request.user.pk,
                "gemeente": request.GET.get("gemeente"),
                "year": request.GET.get("year"),
                "language": translation.get_language(),
            },
            retry=False,
        )
    except Exception:  # any broker error: kombu's OperationalError, a refused connection
        cache.delete(f"{key}:counting")
        return False
    return True


def count_for(*, user_id: int, gemeente: str | None, year: str | None, language: str) -> None:
    """What the worker does (front.tasks.dashboard_count_task): count the figures the user's dashboard
    shows for these choices, and keep them where the view finds them."""
    from kpa.models import User

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return
    with translation.override(language):
        today = timezone.localdate()
        try:
            scope = dashboard.dashboard_scope(user, gemeente)
            school_year = dashboard.chosen_year(year, today)
        except Http404:  # no longer theirs to see (their rights changed since the visit)
            return
        key = _cache_key(scope, school_year, today)
        try:
            with _one_core():
                counted = count_sections(scope, school_year, today)
            _keep(key, counted)
        finally:
            # Also when the count failed: the next visit that finds the figures old asks again, and the
            # page does not say they are being counted while nothing counts them.
            cache.delete(f"{key}:counting")


@contextlib.contextmanager
def _one_core() -> Iterator[None]:
    """On PostgreSQL, a transaction of its own whose queries run without parallel workers. A count in the
    background then takes one core of the database, and leaves the others to the pages people wait for.
    At 10,000 schools the national count's scans took every core of a two-core machine (a leader and two
    workers) for three seconds, and the requests of those seconds took two to eight times as long. Alone,
    the count takes longer (4 s against 3): nobody waits for it. Durable: inside another transaction the
    setting (SET LOCAL) would last until that one ends. Elsewhere nothing: a transaction on SQLite
    (IMMEDIATE, kpa.settings) would hold its write lock for the whole count."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(durable=True):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        yield


@login_required
@require_GET
def dashboard_view(request: HttpRequest) -> HttpResponse:
    """Coverage, meeting rhythm, follow-up, wijk data and the programme of the schools in scope, this
    school year and the one before. The figures are kept for KPA_DASHBOARD_CACHE_SECONDS; the page says
    when they were counted and can count them now."""
    context = _choice(request)
    context["sections_html"], context["counted_at"], context["recounting"] = _sections_html(request, context)
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
