"""The admin's list of people and inviting someone (/people/). The names stay "kpa:person-list" and
"kpa:person-invite" (kpa/urls.py places them)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kpa import services
from kpa.access import require_manager
from kpa.models import User
from partners.people_forms import InviteForm


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
