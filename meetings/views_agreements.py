"""Everyone's agreements in the user's scope (issue 12): what was agreed at the schools one sees, by status,
owner's role, wijk, school, school year and action line. The list behind the dashboard's agreement figures;
"Mijn afspraken" (views_log.my_agreements) stays the list of one's own."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from kpa.accesslog import access_record
from kpa.models import AccessAction
from meetings import selectors
from meetings.filters import AgreementFilter
from partners.models import Role

AGREEMENTS_PER_PAGE = 50


def _record_shown(request: HttpRequest, page: Page) -> None:
    """The access log: the agreements shown are of one school (the list filtered or scoped to it): an
    entry for that school; of several schools: one entry with the filter and the schools shown. Nothing
    shown (an empty list, a filter in error): no entry."""
    school_ids = sorted({agreement.school_id for agreement in page.object_list})
    if not school_ids:
        return
    detail = {
        "filters": {key: value for key, value in request.GET.items() if key != "page" and value.strip()},
        "page": page.number,
    }
    if len(school_ids) > 1:
        detail["schools"] = school_ids
    access_record(
        actor=request.user,
        action=AccessAction.VIEW,
        what="agreements",
        school_id=school_ids[0] if len(school_ids) == 1 else None,
        detail=detail,
    )


@login_required
@require_GET
def agreement_list(request: HttpRequest) -> HttpResponse:
    """Every agreement of the schools in scope, the newest meeting first, with filters. A filter that is
    not valid (a wijk out of scope, a year not offered) shows its error and no list."""
    visible = selectors.agreements_list_for(request.user)
    agreement_filter = AgreementFilter(request.GET, queryset=visible, request=request)
    found = agreement_filter.qs if agreement_filter.is_valid() else visible.none()
    page = Paginator(found, AGREEMENTS_PER_PAGE).get_page(request.GET.get("page"))
    roles = dict(Role.choices)
    for agreement in page.object_list:
        agreement.owner_role_label = roles.get(agreement.owner_role, "")
    _record_shown(request, page)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "filter": agreement_filter,
        "query": query.urlencode(),
        "today": timezone.localdate(),
    }
    return render(request, "meetings/agreement_list.html", context)
