"""{% evaluation_followup school as followup %}: what the results page offers for closing the PDCA loop
(evaluations.followup.FollowUp). A tag, so the results view and its context stay as they are; it costs
one query per page (three for whoever may act), whatever the number of statements."""

from __future__ import annotations

from django import template

from evaluations.followup import FollowUp, follow_up_for

register = template.Library()


@register.simple_tag(takes_context=True)
def evaluation_followup(context: template.Context, school) -> FollowUp:
    return follow_up_for(context["request"].user, school)
