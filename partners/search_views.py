"""The searches behind the fields that choose among thousands (kpa.widgets.AutocompleteSelect): people
for the admin's screens, organisations for the roster's filter and the invitation. Each answers `?q=`
with JSON `[{"id": …, "label": …}]`, at most AUTOCOMPLETE_LIMIT, ordered, from the same set the form's
field accepts and narrowed to the user's scope; fewer than AUTOCOMPLETE_MIN_CHARS characters find
nothing."""

from __future__ import annotations

import unicodedata

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from kpa.access import require_manager
from kpa.widgets import AUTOCOMPLETE_LIMIT, AUTOCOMPLETE_MIN_CHARS
from partners.manage_forms import PEOPLE, person_label
from partners.scope import organisations_in_scope, people_visible_to

MAX_QUERY = 100  # characters: a name or an e-mail address fits; the rest is cut off


def search_terms(request: HttpRequest) -> str:
    """`?q=` as typed, in one Unicode form (an "é" typed as e + accent finds the "é" stored), with runs of
    white space made one space; "" when too short to search."""
    query = unicodedata.normalize("NFKC", request.GET.get("q", ""))[:MAX_QUERY]
    query = " ".join(query.split())
    return query if len(query) >= AUTOCOMPLETE_MIN_CHARS else ""


def _results(rows) -> JsonResponse:
    return JsonResponse(rows, safe=False)


@login_required
@require_GET
def people_search(request: HttpRequest) -> JsonResponse:
    """People a manager may choose in a person field: `?among=` names the field's set (manage_forms.PEOPLE),
    found by first name, last name, both ("jan de vries") or e-mail."""
    require_manager(request.user)
    among = PEOPLE.get(request.GET.get("among", "active"))
    if among is None:
        raise Http404
    query = search_terms(request)
    if not query:
        return _results([])
    match = Q(first_name__icontains=query) | Q(last_name__icontains=query) | Q(email__icontains=query)
    first, _space, last = query.partition(" ")
    if last:
        match |= Q(first_name__icontains=first, last_name__icontains=last)
    found = people_visible_to(request.user, among()).filter(match)[:AUTOCOMPLETE_LIMIT]
    return _results([{"id": person.pk, "label": person_label(person)} for person in found])


@login_required
@require_GET
def organisations_search(request: HttpRequest) -> JsonResponse:
    """Organisations with someone at a school in the user's scope (all for an admin), by name: the roster's
    organisation filter and the invitation's organisation.

    The names in scope (at most the country's 832) are fetched and matched here: asked in SQL, PostgreSQL
    takes a name filter for very selective and then asks "someone at a school in scope?" per organisation
    through all its people (40 ms at 10,000 schools, against 6-18 ms for the scope's names alone)."""
    query = search_terms(request)
    if not query:
        return _results([])
    needle = query.casefold()
    found = sorted(
        (name.casefold(), pk, name)
        for pk, name in organisations_in_scope(request.user).order_by().values_list("pk", "name")
        if needle in name.casefold()
    )
    return _results([{"id": pk, "label": name} for _key, pk, name in found[:AUTOCOMPLETE_LIMIT]])
