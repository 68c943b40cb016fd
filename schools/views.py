from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kpa.access import get_school_for_user, schools_visible_to
from partners.selectors import teams_for_schools
from schools.filters import SchoolFilter


@login_required
def school_list(request: HttpRequest) -> HttpResponse:
    schools = schools_visible_to(request.user).select_related("wijk").order_by("name")
    school_filter = SchoolFilter(request.GET, queryset=schools, request=request)
    page = Paginator(school_filter.qs, 50).get_page(request.GET.get("page"))
    return render(request, "schools/school_list.html", {"filter": school_filter, "page": page})


@login_required
def school_detail(request: HttpRequest, pk: int) -> HttpResponse:
    school = get_school_for_user(request.user, pk)
    team = teams_for_schools([school.pk])[school.pk]
    return render(request, "schools/school_detail.html", {"school": school, "team": team})
