"""The roster's rows and seat cells, written in Python: a page has 50 rows of 250 seats, and as template
markup (a loop over the cells, a loop over the people, a branch per kind of seat, a URL and a date per
row) they cost more than the rest of the page."""

from __future__ import annotations

from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import get_current_timezone, localtime
from django.utils.translation import gettext as _

from front.selectors import RosterCell, RosterLine
from kpa.templatetags.kpa_dates import date_writer
from kpa.templatetags.kpa_urls import link_writer

register = template.Library()


class _Page:
    """What every row of a page writes alike, looked up once per page rather than once per row or cell:
    the words in the active language, the date formats, the time zone, the school page's link. (Django's
    escape() is html.escape() of str() behind a check for lazy strings; every value here is a str.)"""

    def __init__(self) -> None:
        self.vacant = escape(_("Vacant"))
        self.stand_in = escape(_("stand-in"))
        self.not_planned = escape(_("not planned"))
        self.ends = _("ends %(date)s")
        self.day_month = date_writer("j N", with_time=False)
        self.short_date = date_writer("SHORT_DATE_FORMAT", with_time=True)
        self.zone = get_current_timezone()
        self.school_link = link_writer("schools:detail")


def _cell(cell: RosterCell, page: _Page) -> str:
    """Who is on the seat (a holder's organisation under the name, a stand-in marked as such), "Vacant" when
    nobody is, and when the coverage of a filled kernpartner role runs out within 30 days, the day it ends.
    Every value is escaped."""
    if cell.is_vacant:
        parts = [f'<span class="vacancy">{page.vacant}</span>']
    else:
        parts = [
            f'{escape(p.name)} <span class="badge text-bg-secondary">{page.stand_in}</span>'
            if p.stand_in
            else f'{escape(p.name)}<br><span class="text-muted small">{escape(p.organisation)}</span>'
            if p.organisation
            else escape(p.name)
            for p in cell.people
        ]
    if cell.ends_on:
        ends = page.ends % {"date": page.day_month(cell.ends_on)}
        parts.append(f'<span class="badge text-bg-warning">{escape(ends)}</span>')
    return "<br>".join(parts)


def _row(row: RosterLine, page: _Page) -> str:
    """One school's row: its link with its BRIN, sector and wijk, its five seats, its next KPO (the day in
    the active time zone; the value is aware, as the database gives it: localtime() refuses a naive one)."""
    school = row.school
    where = f"{school.brin_vestiging} · {school.sector}"
    if school.wijk:
        where = f"{where} · {school.wijk}"
    if row.next_kpo:
        next_kpo = escape(page.short_date(localtime(row.next_kpo, page.zone)))
    else:
        next_kpo = f'<span class="text-muted">{page.not_planned}</span>'
    cells = "".join(f"<td>{_cell(cell, page)}</td>" for cell in row.cells)
    href = escape(page.school_link(school.pk))
    return (
        f'    <tr>\n      <td><a href="{href}">{escape(school.name)}</a>\n'
        f'        <br><span class="text-muted small">{escape(where)}</span></td>\n'
        f"      {cells}\n      <td>{next_kpo}</td>\n    </tr>"
    )


@register.simple_tag
def roster_rows(rows: list[RosterLine]) -> SafeString:
    """A page's rows, character for character what the roster's template markup wrote (the tests compare
    the two), with what the rows share looked up once for the page (_Page)."""
    page = _Page()
    return mark_safe("".join(f"\n{_row(row, page)}\n  " for row in rows))  # noqa: S308  (escaped)
