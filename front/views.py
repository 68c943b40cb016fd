"""The start page of each role: what a signed-in person sees first."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from front import selectors
from kpa.models import UserKind


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.kind == UserKind.ADMIN:
        return render(request, "front/home_admin.html", selectors.admin_overview())
    if user.kind == UserKind.COORDINATOR:
        return render(request, "front/home_coordinator.html", selectors.coordinator_overview(user))
    context = selectors.my_schools_overview(user)
    template = "front/home_school.html" if user.kind == UserKind.SCHOOL else "front/home_partner.html"
    return render(request, template, context)
