"""Under the forms with free text (templates/_partials/free_text_notice.html): whether the person writing
works under JGZ's medical professional secrecy, the one place that decides it."""

from __future__ import annotations

from django import template
from django.db.models import Exists, OuterRef, Q

from kpa.models import User
from partners.models import Assignment, OrganisationKind, Role

register = template.Library()

_CACHE_ATTRIBUTE = "_kpa_under_medical_secrecy"


def under_medical_secrecy(user: User) -> bool:
    """Whether the user holds a JGZ seat today or works for a JGZ organisation (one query)."""
    if not (user.is_authenticated and user.is_active):
        return False
    jgz_seat = Assignment.objects.active().filter(person_id=OuterRef("pk"), role=Role.JGZ)
    return (
        User.objects.filter(pk=user.pk)
        .filter(Exists(jgz_seat) | Q(organisation__kind=OrganisationKind.JGZ))
        .exists()
    )


@register.simple_tag(takes_context=True)
def medical_secrecy_applies(context: template.Context) -> bool:
    """{% medical_secrecy_applies as jgz %}: under_medical_secrecy for the signed-in user, asked once per
    request however many forms a page has."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None:
        return False
    if not hasattr(request, _CACHE_ATTRIBUTE):
        setattr(request, _CACHE_ATTRIBUTE, under_medical_secrecy(user))
    return getattr(request, _CACHE_ATTRIBUTE)
