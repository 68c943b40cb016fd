from __future__ import annotations

import datetime as dt

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from django.http import HttpRequest

# How long after signing in with their password an administrator or coordinator may set up their first
# authenticator (and see its recovery codes) without typing the password again.
FIRST_MFA_SET_UP_WINDOW = dt.timedelta(minutes=15)


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """No public sign-up: an admin invites every person."""
        return False

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """allauth asks for the password again before a second factor is added. Right after signing in,
        an administrator or coordinator who must set one up has just typed it: their first sign-in is
        one straight path (password, scan, code, recovery codes, start page), not a second password
        prompt. Anyone who had an authenticator before this sign-in is asked as usual."""
        if app == "allauth.mfa" and self._is_first_mfa_set_up_after_sign_in():
            return False
        return super().is_reauthentication_required(app=app, **kwargs)

    def _is_first_mfa_set_up_after_sign_in(self) -> bool:
        from allauth.mfa.models import Authenticator

        request = self.request
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not getattr(user, "must_use_mfa", False):
            return False
        password_logins = [
            record["at"]
            for record in get_authentication_records(request, user)
            if record.get("method") == "password" and not record.get("reauthenticated")
        ]
        if not password_logins:
            return False
        signed_in_at = dt.datetime.fromtimestamp(password_logins[-1], tz=dt.UTC)
        if dt.datetime.now(tz=dt.UTC) - signed_in_at > FIRST_MFA_SET_UP_WINDOW:
            return False
        return not Authenticator.objects.filter(user=user, created_at__lt=signed_in_at).exists()
