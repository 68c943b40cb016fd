"""The roster's seat cells, written in Python: a page has 250 of them, and as template markup (a loop over
the people, a branch per kind of seat) they cost more than the rest of the page."""

from __future__ import annotations

from django import template
from django.utils import dateformat
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from front.selectors import RosterCell

register = template.Library()


@register.simple_tag
def seat_cell(cell: RosterCell) -> SafeString:
    """Who is on the seat (a holder's organisation under the name, a stand-in marked as such), "Vacant" when
    nobody is, and when the coverage of a filled kernpartner role runs out within 30 days, the day it ends.
    Every value is escaped."""
    if cell.is_vacant:
        parts = [format_html('<span class="vacancy">{}</span>', _("Vacant"))]
    else:
        stand_in = _("stand-in")
        parts = [
            format_html('{} <span class="badge text-bg-secondary">{}</span>', p.name, stand_in)
            if p.stand_in
            else format_html('{}<br><span class="text-muted small">{}</span>', p.name, p.organisation)
            if p.organisation
            else format_html("{}", p.name)
            for p in cell.people
        ]
    if cell.ends_on:
        ends = _("ends %(date)s") % {"date": dateformat.format(cell.ends_on, "j N")}
        parts.append(format_html('<span class="badge text-bg-warning">{}</span>', ends))
    return mark_safe("<br>".join(parts))  # noqa: S308  (each part built by format_html above)
