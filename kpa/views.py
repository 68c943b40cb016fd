from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from kpa import services


@require_GET
def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


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
