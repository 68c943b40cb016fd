from __future__ import annotations

from collections.abc import Callable

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _

LOGIN_AT_SESSION_KEY = "kpa_login_at"
MFA_EXPLAINED_SESSION_KEY = "kpa_mfa_explained"


class SessionLifetimeMiddleware:
    """Ends a session 12 hours after login, however active it was. (Idle expiry after 30 minutes is the
    session cookie's own age, renewed on every request.)"""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            login_at = request.session.get(LOGIN_AT_SESSION_KEY)
            limit = settings.SESSION_ABSOLUTE_LIFETIME.total_seconds()
            if login_at is None or timezone.now().timestamp() - login_at > limit:
                logout(request)
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)


class RequireMFAMiddleware:
    """Admins and coordinators must set up an authenticator app before they can use anything else.
    allauth has no setting for this, so until they have one every page sends them to the TOTP set-up."""

    ALLOWED_URL_NAMES = (
        "mfa_activate_totp",
        "mfa_index",
        "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_download_recovery_codes",
        "account_logout",
        "account_reauthenticate",
        "kpa:health",
    )

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._allowed_paths: set[str] | None = None

    def allowed_paths(self) -> set[str]:
        if self._allowed_paths is None:
            self._allowed_paths = {reverse(name) for name in self.ALLOWED_URL_NAMES}
        return self._allowed_paths

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and user.must_use_mfa
            and request.path not in self.allowed_paths()
            and not request.path.startswith(settings.STATIC_URL)
            and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        ):
            if not request.session.get(MFA_EXPLAINED_SESSION_KEY):
                request.session[MFA_EXPLAINED_SESSION_KEY] = True
                messages.info(
                    request,
                    _(
                        "As an administrator or coordinator you protect your account with a second step: a "
                        "code from an authenticator app on your phone. Scan the QR code with the app and "
                        "enter the code it shows."
                    ),
                )
            return redirect("mfa_activate_totp")
        return self.get_response(request)


class NoStoreForAuthenticatedMiddleware:
    """What a signed-in person sees is theirs: no browser or proxy keeps a copy."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.user.is_authenticated:
            add_never_cache_headers(response)
            patch_cache_control(response, no_store=True, private=True)
        return response


class PermissionsPolicyMiddleware:
    """Sends `Permissions-Policy` (settings.KPA_PERMISSIONS_POLICY) on every response: KPA uses no camera,
    microphone, location, sensors, payment or USB, so no page (nor anything injected into one) may ask.
    Placed right after SecurityMiddleware, so it also covers what whitenoise serves and every error page.
    An empty setting sends no header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if policy := settings.KPA_PERMISSIONS_POLICY:
            response.headers.setdefault("Permissions-Policy", policy)
        return response
