"""Form widgets of our own."""

from __future__ import annotations

import html
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext

# What a search behind an AutocompleteSelect answers: at most this many results, for at least this many
# characters typed.
AUTOCOMPLETE_LIMIT = 20
AUTOCOMPLETE_MIN_CHARS = 2


def _escape(value) -> str:
    """conditional_escape's text, for many values: what is marked safe stays as it is."""
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return html.escape(str(value))


class QuickSelect(forms.Select):
    """A select of many plain options (the country's gemeenten: hundreds) written in one pass of string
    formatting. Django renders each option through a template of its own, which for 351 options took about
    20 ms of a page that otherwise takes a few. The same markup as forms.Select for flat choices; choices
    with groups are left to forms.Select.

    With `label_field`, a ModelChoiceField's options are read as (pk, that field) pairs, not as model
    instances: for a model whose str() is that field (Gemeente: its name), the same options without
    building hundreds of objects (half the time of the gemeente choice on the national roster)."""

    def __init__(self, attrs=None, choices=(), *, label_field: str | None = None):
        super().__init__(attrs, choices)
        self.label_field = label_field

    def _options(self) -> list:
        if self.label_field and isinstance(self.choices, ModelChoiceIterator):
            field = self.choices.field
            rows: list = [] if field.empty_label is None else [("", field.empty_label)]
            return rows + list(field.queryset.values_list("pk", self.label_field))
        return list(iter(self.choices))  # list(choices) would first count a queryset's rows

    def render(self, name, value, attrs=None, renderer=None):
        choices = self._options()
        if any(isinstance(label, (list, tuple)) for _value, label in choices):
            return super().render(name, value, attrs, renderer)
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        chosen = {str(v) for v in self.format_value(value)}
        rows, found = [], False
        for option, label in choices:
            option = "" if option is None else option
            # Like forms.Select: only the first option with the chosen value is selected.
            selected = not found and str(option) in chosen
            found = found or selected
            # Escaped as format_html would (conditional_escape), without its cost per call: 600 options.
            chosen_mark = " selected" if selected else ""
            rows.append(f'<option value="{_escape(option)}"{chosen_mark}>{_escape(label)}</option>')
        return format_html("<select{}>{}</select>", flatatt(final), mark_safe("".join(rows)))  # noqa: S308


class AutocompleteSelect(forms.Select):
    """A select of a choice among thousands (people, organisations) found by typing, for a ModelChoiceField.

    The server renders only the chosen option and the empty one, never the whole queryset (the country's
    50,000 people); the field's queryset still validates the posted pk. The select carries the address of a
    search that answers `?q=` (two characters at least) with JSON `[{"id": …, "label": …}]`, and the
    messages the script speaks, in the page's language (static/js/autocomplete.js has no catalogue).

    With the script (static/js/autocomplete.js, loaded on every page by base.html) the select is hidden
    and a text input takes its id, so its label, error summary link, help text and error stay attached:
    an ARIA 1.2 combobox with a listbox of the search's results; choosing one writes its id back into the
    select, which is what the form posts.

    Without the script the select shows the chosen option and the empty one: the form still posts,
    keeps or clears what was chosen (on the roster: all organisations) and validates as before, but
    another choice needs the script. Every page that uses this widget works that way.

    `url_name` names the search view; `params` are added to its query string (the search view knows by
    them which set to search, e.g. {"among": "kernpartners"})."""

    min_chars = AUTOCOMPLETE_MIN_CHARS
    checked = None  # the object a ChecksOnce field has just checked: shown without asking for it again

    def __init__(self, url_name: str, *, params: dict | None = None, attrs=None, choices=()) -> None:
        super().__init__(attrs, choices)
        self.url_name = url_name
        self.params = dict(params or {})

    def search_url(self) -> str:
        url = reverse(self.url_name)
        return f"{url}?{urlencode(self.params)}" if self.params else url

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        count = "{count}"  # the script puts the number of results here
        context["widget"]["attrs"].update(
            {
                "data-autocomplete": self.search_url(),
                "data-autocomplete-min": str(self.min_chars),
                "data-autocomplete-limit": str(AUTOCOMPLETE_LIMIT),
                "data-autocomplete-placeholder": gettext("Type to search"),
                "data-autocomplete-hint": gettext(
                    "Type at least %(count)d characters, then choose with the arrow keys and Enter."
                )
                % {"count": self.min_chars},
                "data-autocomplete-results": gettext("Suggestions"),
                "data-autocomplete-none": gettext("No results"),
                "data-autocomplete-one": ngettext("%(count)s result", "%(count)s results", 1) % {"count": 1},
                "data-autocomplete-many": ngettext("%(count)s result", "%(count)s results", 2)
                % {"count": count},
                "data-autocomplete-more": gettext("The first %(count)s results: type more to narrow them.")
                % {"count": count},
                "data-autocomplete-error": gettext("Searching failed. Please try again."),
            }
        )
        return context

    def optgroups(self, name, value, attrs=None):
        """The empty option and the chosen one(s): one query for the chosen, none when nothing is."""
        chosen = [v for v in value if v not in ("", None)]
        options = [*self._empty_choices(), *self._chosen_choices(chosen)]
        groups = []
        for index, (option_value, label) in enumerate(options):
            selected = str(option_value if option_value is not None else "") in value
            option = self.create_option(name, option_value, label, selected, index, attrs=attrs)
            groups.append((None, [option], index))
        return groups

    def _empty_choices(self) -> list:
        if isinstance(self.choices, ModelChoiceIterator):
            empty = self.choices.field.empty_label
            return [] if empty is None else [("", empty)]
        return [(v, label) for v, label in self.choices if v in ("", None)]

    def _chosen_choices(self, chosen: list[str]) -> list:
        if not chosen:
            return []
        if not isinstance(self.choices, ModelChoiceIterator):
            return [(v, label) for v, label in self.choices if v not in ("", None) and str(v) in chosen]
        field = self.choices.field
        checked = self.checked
        if checked is not None and [str(field.prepare_value(checked))] == chosen:
            return [self.choices.choice(checked)]
        key = field.to_field_name or "pk"
        try:  # a posted value that is no key at all ("abc", 10**30) chooses nothing; the field says why
            found = list(self.choices.queryset.filter(**{f"{key}__in": chosen}))
        except (ValueError, TypeError, OverflowError, ValidationError):
            return []
        return [self.choices.choice(obj) for obj in found]


class ChecksOnce:
    """For a ModelChoiceField with an AutocompleteSelect: the object the field checked against its queryset
    (one query) is the one the widget shows, with no second query for it."""

    def to_python(self, value):
        checked = super().to_python(value)
        if isinstance(self.widget, AutocompleteSelect):
            self.widget.checked = checked
        return checked


class AutocompleteChoiceField(ChecksOnce, forms.ModelChoiceField):
    pass
