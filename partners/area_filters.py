"""The gemeente and wijk filters of the lists (the roster, meetings, collective questions, agreements): the
wijk depends on the chosen gemeente, so nobody scrolls through the country's 596 wijken. Both choice lists
start from the user's scope (partners.scope)."""

from __future__ import annotations

import django_filters
from django.db.models import CharField, QuerySet, Value
from django.db.models.functions import Concat
from django.utils.translation import gettext_lazy as _

from kpa.models import UserKind
from kpa.widgets import QuickSelect
from partners.scope import gemeenten_visible_to, wijken_visible_to
from schools.models import Gemeente, Wijk

# A wijk named with its gemeente, for a choice that spans gemeenten ("Centrum" is in many).
WIJK_WITH_GEMEENTE = Concat("name", Value(" ("), "gemeente__name", Value(")"), output_field=CharField())


def _gemeenten(request) -> QuerySet[Gemeente]:
    return gemeenten_visible_to(request.user) if request else Gemeente.objects.none()


def gemeente_filter(field_name: str = "gemeente") -> django_filters.ModelChoiceFilter:
    """The gemeenten in scope, written as plain options (nationally hundreds). Choosing another one empties
    the wijk (static/js/autocomplete.js: data-clears)."""
    return django_filters.ModelChoiceFilter(
        label=_("Municipality"),
        queryset=_gemeenten,
        field_name=field_name,
        empty_label=_("All municipalities"),
        # Options by name (str() of a Gemeente), no objects.
        widget=QuickSelect(attrs={"data-clears": "id_wijk"}, label_field="name"),
    )


def wijk_filter(field_name: str = "wijk") -> django_filters.ModelChoiceFilter:
    """The wijk; its choices are set per request by wijken_of_the_gemeente."""
    return django_filters.ModelChoiceFilter(
        label=_("Wijk"),
        queryset=Wijk.objects.none(),
        field_name=field_name,
        empty_label=_("All wijken"),
    )


def pk_of(value) -> int | None:
    """A primary key sent in the query string, or None for anything else ("", "abc", "-1", 10**30)."""
    value = str(value or "")
    return int(value) if value.isdigit() and len(value) <= 18 else None


def _only_gemeente(user) -> int | None:
    """The gemeente of a scope that holds one (a coordinator's own; an IB-er's, a kernpartner's whose
    schools are all in one); None for an admin (the country) and for a scope of several."""
    if user.kind == UserKind.ADMIN:
        return None
    if user.is_coordinator:
        return user.gemeente_id
    in_scope = list(gemeenten_visible_to(user).values_list("pk", flat=True)[:2])
    return in_scope[0] if len(in_scope) == 1 else None


def wijken_of_the_gemeente(filterset: django_filters.FilterSet) -> None:
    """The wijk depends on the gemeente: its choices are the wijken in scope of the chosen gemeente, or
    of the only gemeente in scope. With none chosen among several, an admin (whose scope is the country)
    gets only "All wijken" and a word to choose the gemeente first; anyone else (a kernpartner at schools
    in several gemeenten) the few wijken of their scope, each named with its gemeente. A wijk sent
    without a gemeente (the links of the home page and the dashboard) chooses its own gemeente; one
    outside the chosen gemeente (or the scope) is an error on the form (the roster then ignores it, the
    other lists show the error and no list).

    A scope of one gemeente has nothing to choose: the gemeente filter is left out (a select of one
    gemeente, and its query) and the wijk's choices are that gemeente's. Only when something else is
    sent as the gemeente (another gemeente, from an old or a shared link, or nonsense) is the select kept,
    with its error: the lists then show no list, the roster (which leaves out a filter in error) the
    schools in scope. The wijk's choices are then those of the gemeente sent, if it is one."""
    wijk = filterset.filters["wijk"]
    user = filterset.request.user if filterset.request else None
    if user is None or not user.is_authenticated:
        return
    wijken = wijken_visible_to(user)
    gemeente = pk_of(filterset.data.get("gemeente"))
    if gemeente is not None:  # chosen by the user: a wijk elsewhere is refused in those words
        wijk.extra["error_messages"] = {"invalid_choice": _("This wijk is not in the chosen municipality.")}
    sent_wijk = pk_of(filterset.data.get("wijk"))
    if gemeente is None and sent_wijk is not None:
        gemeente = wijken.filter(pk=sent_wijk).values_list("gemeente_id", flat=True).first()
        if gemeente is not None:
            filterset.data = filterset.data.copy()
            filterset.data["gemeente"] = str(gemeente)
    only = _only_gemeente(user)
    if only is not None:
        if gemeente == only or not filterset.data.get("gemeente"):
            del filterset.filters["gemeente"]
        if gemeente is None:
            gemeente = only
    if gemeente is None and user.kind != UserKind.ADMIN:
        wijk.queryset = wijken.order_by("gemeente__name", "name")
        wijk.extra["widget"] = QuickSelect(label_field=WIJK_WITH_GEMEENTE)
        return
    if gemeente is None:
        wijk.queryset = Wijk.objects.none()
        # Said in the select itself: a help text under it pushed the row of filters out of line.
        wijk.extra["empty_label"] = _("Choose a municipality first.")
        return
    wijk.queryset = wijken.filter(gemeente_id=gemeente).order_by("name")


class GemeenteThenWijk:
    """Mixed into a FilterSet with `gemeente` and `wijk` filters: after the set is made, the wijk's choices
    follow the gemeente (wijken_of_the_gemeente)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        wijken_of_the_gemeente(self)  # type: ignore[arg-type]
