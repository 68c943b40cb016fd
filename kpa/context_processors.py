from django.http import HttpRequest

from kpa.access import can_manage, can_see_coordination
from kpa.models import UserKind


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_can_manage": can_manage(user),
        "nav_can_coordinate": can_see_coordination(user),
        "nav_is_partner": user.kind in (UserKind.KERNPARTNER, UserKind.SCHOOL),
    }
