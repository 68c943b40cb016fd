"""The evaluation results of a wijk or a whole gemeente, by role side by side (issue 13): for coordinators
and admins (others 403, as the other coordinator pages). A city coordinator sees their gemeente and each
of its wijken, a wijk coordinator their own wijk, an admin any gemeente (?gemeente=). A gemeente or wijk
out of scope answers 404. Which figures are shown: evaluations.results and evaluations.disclosure."""

from __future__ import annotations

from itertools import groupby

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from evaluations.results import area_results
from evaluations.views import YEARS_OFFERED
from kpa.access import require_coordination
from kpa.accesslog import access_record
from kpa.models import AccessAction
from partners.scope import gemeenten_visible_to, wijken_visible_to
from schools.years import school_year_start


def _number(value: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not value.isascii() or not value.isdigit():
        raise Http404
    return int(value)


@login_required
@require_GET
def area_results_view(request: HttpRequest) -> HttpResponse:
    require_coordination(request.user)
    user = request.user
    gemeenten = list(gemeenten_visible_to(user).order_by("name", "pk"))
    chosen = _number(request.GET.get("gemeente", ""))
    gemeente = next((g for g in gemeenten if g.pk == chosen), None) if chosen else None
    if chosen and gemeente is None:
        raise Http404
    if gemeente is None:
        gemeente = user.gemeente if user.gemeente_id else (gemeenten[0] if gemeenten else None)
    if gemeente is None:
        raise Http404
    wijken = list(wijken_visible_to(user).filter(gemeente=gemeente).order_by("name", "pk"))
    whole = not user.wijk_id  # a wijk coordinator does not see the whole gemeente
    chosen_wijk = _number(request.GET.get("wijk", ""))
    wijk = next((w for w in wijken if w.pk == chosen_wijk), None) if chosen_wijk else None
    if chosen_wijk and wijk is None:
        raise Http404
    if wijk is None and not whole:
        wijk = wijken[0] if wijken else None
        if wijk is None:
            raise Http404
    current = school_year_start(timezone.localdate()).year
    years = list(range(current, current - YEARS_OFFERED, -1))
    year = _number(request.GET.get("year", "")) or current
    if year not in years:
        raise Http404
    results = area_results(gemeente, wijk, year)
    access_record(
        actor=user,
        action=AccessAction.VIEW,
        what="evaluation-results.area",
        detail={"gemeente": gemeente.pk, "wijk": getattr(wijk, "pk", None), "year": year},
    )
    sections = [
        (section, list(rows)) for section, rows in groupby(results.statements, key=lambda row: row.section)
    ]
    context = {
        "gemeente": gemeente,
        "gemeenten": gemeenten if user.is_admin else [],
        "wijk": wijk,
        "wijken": wijken,
        "whole": whole,
        "year": year,
        "years": years,
        "results": results,
        "sections": sections,
    }
    return render(request, "evaluations/area_results.html", context)
