"""Every activity of the programmes in the user's scope, with filters (issue 12): the list behind the
dashboard's programme figures (by line, school year, status, traffic light, stale)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from kpa.access import require_coordination
from programme import selectors
from programme.filters import ActivityFilter

ACTIVITIES_PER_PAGE = 50


@login_required
@require_GET
def activity_list(request: HttpRequest) -> HttpResponse:
    """By line and title. A filter that is not valid (a line out of scope, a year not offered) shows its
    error and no list."""
    require_coordination(request.user)
    visible = selectors.with_last_update(
        selectors.activities_visible_to(request.user).select_related("line__programme__gemeente", "trekker")
    ).order_by("line__programme__gemeente__name", "line__number", "title", "pk")
    activity_filter = ActivityFilter(request.GET, queryset=visible, request=request)
    found = activity_filter.qs if activity_filter.is_valid() else visible.none()
    page = Paginator(found, ACTIVITIES_PER_PAGE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for activity in page.object_list:
        activity.stale = activity.is_stale_on(today)
    query = request.GET.copy()
    query.pop("page", None)
    context = {"page": page, "filter": activity_filter, "query": query.urlencode()}
    return render(request, "programme/activity_list.html", context)
