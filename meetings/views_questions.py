"""The collective questions of the schools in the user's scope, by theme and action line: what schools
raise (issue 12). The list behind the dashboard's figures and an action line's page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from meetings import selectors
from meetings.filters import QuestionFilter

QUESTIONS_PER_PAGE = 50


@login_required
@require_GET
def question_list(request: HttpRequest) -> HttpResponse:
    """Every collective question of the schools in scope, the newest meeting first, with filters. A filter
    that is not valid (a line of another gemeente, say) shows its error and no list."""
    visible = selectors.questions_visible_to(request.user).select_related(
        "school__wijk", "meeting", "action_line"
    )
    question_filter = QuestionFilter(request.GET, queryset=visible, request=request)
    found = question_filter.qs if question_filter.is_valid() else visible.none()
    found = found.order_by("-meeting__starts_at", "-pk")
    page = Paginator(found, QUESTIONS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"page": page, "filter": question_filter, "query": query.urlencode()}
    return render(request, "meetings/question_list.html", context)
