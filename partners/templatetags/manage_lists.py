"""The admin's wijken list, written in Python: a national page of 100 wijken is about 70 gemeenten, each a
heading and a table of its own, and as template markup (a regroup, a table head with three translations
per gemeente, two links, a translation and four values per wijk) that was most of the page's time
(docs/performance.md)."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby

from django import template
from django.utils.formats import localize
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from kpa.templatetags.kpa_urls import current_app_of, link
from schools.models import Wijk

register = template.Library()


def _row(wijk: Wijk, edit: str, current_app: str | None) -> str:
    name = escape(wijk.name)
    detail = escape(link("manage:wijk-detail", [wijk.pk], current_app))
    update = escape(link("manage:wijk-update", [wijk.pk], current_app))
    return (
        "\n            <tr>\n"
        f'              <td><a href="{detail}">{name}</a></td>\n'
        f'              <td class="text-end">{escape(localize(wijk.school_count))}</td>\n'
        f'              <td class="text-end"><a href="{update}">{edit}'
        f'<span class="visually-hidden"> {name}</span></a></td>\n'
        "            </tr>\n          "
    )


@register.simple_tag(takes_context=True)
def wijk_tables(context: template.Context, wijken: Sequence[Wijk]) -> SafeString:
    """Per gemeente, in the order given (the view sorts by gemeente): its name as a heading and a table of
    its wijken, each with its name linking to its page, its active schools (`school_count`, set by the
    view) and a link to edit it, named for screen readers. Character for character what the list's
    template markup wrote (tests/partners/test_manage_wijken.py compares the two); every value is
    escaped. The table's head is translated once per page."""
    head = (
        f'<thead><tr><th scope="col">{escape(_("Wijk"))}</th>'
        f'<th scope="col" class="text-end">{escape(_("Active schools"))}</th>'
        f'<th scope="col"><span class="visually-hidden">{escape(_("Actions"))}</span></th></tr></thead>'
    )
    edit = escape(_("Edit"))
    current_app = current_app_of(context)
    tables = []
    for _gemeente, group in groupby(wijken, key=lambda wijk: wijk.gemeente_id):
        group = list(group)
        rows = "".join(_row(wijk, edit, current_app) for wijk in group)
        tables.append(
            f'\n      <h2 class="h4">{escape(group[0].gemeente.name)}</h2>\n'
            '      <div class="table-responsive">\n'
            '      <table class="table">\n'
            f"        {head}\n"
            "        <tbody>\n"
            f"          {rows}\n"
            "        </tbody>\n"
            "      </table>\n"
            "      </div>\n    "
        )
    return mark_safe("".join(tables))  # noqa: S308  (every value escaped above)
