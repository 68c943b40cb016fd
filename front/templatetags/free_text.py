"""Under the forms with free text (templates/_partials/free_text_notice.html): whether the person writing
works under JGZ's medical professional secrecy, the one place that decides it."""

from __future__ import annotations

from django import template

from kpa.models import User
from partners.models import Assignment, Organisation, OrganisationKind, Role

register = template.Library()

_CACHE_ATTRIBUTE = "_kpa_under_medical_secrecy"


def under_medical_secrecy(user: User) -> bool:
    """Whether the user holds a JGZ seat today or works for a JGZ organisation.

    Two plain lookups rather than one query that ORs a subquery with a join: the ORM took about 1 ms to
    build that one on every page with a free-text form, twice what these cost together. A person without
    an organisation (an IB-er) is asked one query; someone of a JGZ organisation too."""
    if not (user.is_authenticated and user.is_active):
        return False
    if (
        user.organisation_id is not None
        and Organisation.objects.filter(pk=user.organisation_id, kind=OrganisationKind.JGZ).exists()
    ):
        return True
    return Assignment.objects.active().filter(person_id=user.pk, role=Role.JGZ).exists()


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
