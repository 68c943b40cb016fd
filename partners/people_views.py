"""The admin's list of people, inviting someone and deactivating someone who leaves (/people/). The names
stay "kpa:person-list", "kpa:person-invite" and "kpa:person-deactivate" (kpa/urls.py places them)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kpa import services
from kpa.access import require_manager
from kpa.models import User
from partners.people_forms import InviteForm
from partners.scope import assignments_visible_to, people_visible_to


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    require_manager(request.user)
    people = User.objects.select_related("organisation", "wijk", "gemeente").order_by(
        "last_name", "first_name", "email"
    )
    query = request.GET.get("q", "").strip()
    if query:
        people = people.filter(
            Q(first_name__icontains=query) | Q(last_name__icontains=query) | Q(email__icontains=query)
        )
    page = Paginator(people, 50).get_page(request.GET.get("page"))
    return render(request, "kpa/person_list.html", {"page": page, "query": query})


@login_required
def person_invite(request: HttpRequest) -> HttpResponse:
    require_manager(request.user)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.user_invite(invited_by=request.user, **data)
        messages.success(request, _("Invitation sent to %(email)s.") % {"email": data["email"]})
        return redirect("kpa:person-list")
    return render(request, "kpa/person_invite.html", {"form": form})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def person_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask first (GET: what will happen, and the handover to a successor), then deactivate (POST) through
    kpa.services.user_deactivate, the one way a person leaves."""
    require_manager(request.user)
    person = get_object_or_404(people_visible_to(request.user).select_related("organisation"), pk=pk)
    if person.pk == request.user.pk:
        messages.error(request, _("You cannot deactivate yourself: ask another administrator."))
        return redirect("kpa:person-list")
    if not person.is_active:
        messages.info(request, _("%(person)s is already deactivated.") % {"person": person})
        return redirect("kpa:person-list")
    if request.method == "POST":
        services.user_deactivate(user=person, by=request.user)
        messages.success(
            request,
            _(
                "%(person)s is deactivated: they can no longer sign in and get no more mail. Their seats "
                "are vacant as of today."
            )
            % {"person": person},
        )
        return redirect("kpa:person-list")
    today = timezone.localdate()
    # What partners ends on leaving (partners.receivers): every seat held today or later.
    seats = (
        assignments_visible_to(request.user)
        .filter(person=person)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .select_related("school")
        .order_by("school__name", "role", "start_date")
    )
    return render(
        request,
        "kpa/person_deactivate.html",
        {
            "person": person,
            "seats": list(seats),
            "today": today,
            "yesterday": today - dt.timedelta(days=1),
        },
    )
