from django.contrib.auth.signals import user_logged_in
from django.dispatch import Signal, receiver
from django.utils import timezone

from kpa.middleware import LOGIN_AT_SESSION_KEY

# Sent by kpa.services.user_deactivate inside its transaction, with person= and on= (the Amsterdam day it
# takes effect): the apps above end what the person holds (partners: their seats; meetings: their calendar
# feed). kpa itself has already ended their sessions and stopped their mail.
person_deactivated = Signal()


@receiver(user_logged_in)
def remember_login_time(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[LOGIN_AT_SESSION_KEY] = timezone.now().timestamp()


def _register_audit() -> None:
    from auditlog.registry import auditlog

    from kpa.models import Invitation, User

    auditlog.register(User, exclude_fields=["password", "last_login"])
    auditlog.register(Invitation, exclude_fields=["token_hash"])


_register_audit()
