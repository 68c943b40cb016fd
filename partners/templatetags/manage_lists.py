"""The admin's wijken list, written in Python: a national page of 100 wijken is about 70 gemeenten, each a
heading and a table of its own, and as template markup (a regroup, a table head with three translations
per gemeente, two links, a translation and four values per wijk) that was most of the page's time
(docs/performance.md)."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby

from django import template
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from kpa.templatetags.kpa_urls import quick_reverse
from schools.models import Wijk

register = template.Library()


def _current_app(context: template.Context) -> str | None:
    """As {% url %} (django.template.defaulttags.URLNode): the request's current_app, else the namespace
    of the view that answers it."""
    request = context.get("request")
    if request is None:
        return None
    current_app = getattr(request, "current_app", None)
    if current_app is None and getattr(request, "resolver_match", None) is not None:
        current_app = request.resolver_match.namespace
    return current_app


def _link(view_name: str, pk: int, current_app: str | None) -> str:
    url = quick_reverse(view_name, [pk], current_app) or reverse(
        view_name, args=[pk], current_app=current_app
    )
    return escape(url)


def _row(wijk: Wijk, edit: str, current_app: str | None) -> str:
    name = escape(wijk.name)
    detail = _link("manage:wijk-detail", wijk.pk, current_app)
    update = _link("manage:wijk-update", wijk.pk, current_app)
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
    current_app = _current_app(context)
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
