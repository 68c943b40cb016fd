"""The roster's rows and seat cells, written in Python: a page has 50 rows of 250 seats, and as template
markup (a loop over the cells, a loop over the people, a branch per kind of seat, a URL and a date per
row) they cost more than the rest of the page."""

from __future__ import annotations

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext as _

from front.selectors import RosterCell, RosterLine
from kpa.templatetags.kpa_dates import date_text
from kpa.templatetags.kpa_urls import link

register = template.Library()


class _Words:
    """The cells' words, translated once per page rather than once per cell."""

    def __init__(self) -> None:
        self.vacant = escape(_("Vacant"))
        self.stand_in = escape(_("stand-in"))
        self.not_planned = escape(_("not planned"))


def _cell(cell: RosterCell, words: _Words) -> str:
    """Who is on the seat (a holder's organisation under the name, a stand-in marked as such), "Vacant" when
    nobody is, and when the coverage of a filled kernpartner role runs out within 30 days, the day it ends.
    Every value is escaped."""
    if cell.is_vacant:
        parts = [f'<span class="vacancy">{words.vacant}</span>']
    else:
        parts = [
            f'{escape(p.name)} <span class="badge text-bg-secondary">{words.stand_in}</span>'
            if p.stand_in
            else f'{escape(p.name)}<br><span class="text-muted small">{escape(p.organisation)}</span>'
            if p.organisation
            else escape(p.name)
            for p in cell.people
        ]
    if cell.ends_on:
        ends = _("ends %(date)s") % {"date": date_text(cell.ends_on, "j N")}
        parts.append(f'<span class="badge text-bg-warning">{escape(ends)}</span>')
    return "<br>".join(parts)


def _row(row: RosterLine, words: _Words) -> str:
    """One school's row: its link with its BRIN, sector and wijk, its five seats, its next KPO."""
    school = row.school
    where = f"{school.brin_vestiging} · {school.sector}"
    if school.wijk:
        where = f"{where} · {school.wijk}"
    if row.next_kpo:
        next_kpo = escape(date_text(template_localtime(row.next_kpo), "SHORT_DATE_FORMAT"))
    else:
        next_kpo = f'<span class="text-muted">{words.not_planned}</span>'
    cells = "".join(f"<td>{_cell(cell, words)}</td>" for cell in row.cells)
    href = escape(link("schools:detail", [school.pk]))
    return (
        f'    <tr>\n      <td><a href="{href}">{escape(school.name)}</a>\n'
        f'        <br><span class="text-muted small">{escape(where)}</span></td>\n'
        f"      {cells}\n      <td>{next_kpo}</td>\n    </tr>"
    )


@register.simple_tag
def roster_rows(rows: list[RosterLine]) -> SafeString:
    """A page's rows, character for character what the roster's template markup wrote (the tests compare
    the two), with the words translated once for the page and the links from kpa_urls' kept pieces."""
    words = _Words()
    return mark_safe("".join(f"\n{_row(row, words)}\n  " for row in rows))  # noqa: S308  (escaped)
