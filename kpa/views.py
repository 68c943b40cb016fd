from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from kpa import services
from kpa.access import require_manager
from kpa.forms import InviteForm
from kpa.models import User


@require_GET
def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


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


@never_cache
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.invitation_for_token(token)
    if invitation is None:
        return render(request, "kpa/invitation_invalid.html", status=410)
    form = SetPasswordForm(invitation.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.invitation_accept(invitation=invitation, password=form.cleaned_data["new_password1"]):
            messages.success(request, _("Your password is set. You can log in now."))
            return redirect(settings.LOGIN_URL)
        return render(request, "kpa/invitation_invalid.html", status=410)
    return render(request, "kpa/invitation_accept.html", {"form": form, "invitee": invitation.user})
