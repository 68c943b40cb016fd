"""The form renderer (settings.FORM_RENDERER): Django's own, with its commonest widget templates written in
Python.

Django renders every widget through a template: an <input> is text.html including input.html including
attrs.html, a <select> one more template per option. On the IB-er's log page (38 fields) that was about
11 ms of the page's 40 (in process: a third of what the page adds to the floor). For the templates
below this renderer writes the very markup those templates give (Django's own templates: this renderer,
like Django's DjangoTemplates, looks in django/forms/templates first, so no app can override them);
every other template (a form, a field, a radio list, a widget of our own) is rendered as before.
tests/kpa/test_form_renderer.py renders each kind of widget both ways, with awkward values, and compares
them character for character.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.template import Context
from django.template.base import render_value_in_context
from django.utils.functional import Promise
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, SafeString, mark_safe

_CONTEXT = Context()  # as the renderer's engine makes one: autoescape on, localisation as the settings say


def escaped(value: Any) -> str:
    """conditional_escape(value), with a short way for the common value: a plain str (not safe, not lazy)
    is escaped by the standard library, as Django's escape() does, without the lazy-aware wrapper around
    it that cost more than the escaping (a page of 39 fields escapes some 900 values)."""
    if type(value) is str:
        return html.escape(value)
    return conditional_escape(value)


def _text(value: Any) -> str:
    """{{ value }}: localised and escaped (a str or a lazy one is neither localised nor a date)."""
    if isinstance(value, Promise):
        value = str(value)
    if type(value) is str:
        return escaped(value)
    return render_value_in_context(value, _CONTEXT)


def _formatted(value: Any) -> str:
    """{{ value|stringformat:'s' }}: str() without localising, escaped unless it was safe already."""
    written = "%s" % (str(value) if isinstance(value, tuple) else value)
    return escaped(mark_safe(written) if isinstance(value, SafeData) else written)  # noqa: S308


def _attrs(attrs: dict[str, Any]) -> str:
    """django/forms/widgets/attrs.html."""
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{_formatted(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: dict[str, Any]) -> str:
    """django/forms/widgets/input.html (and the templates that only include it)."""
    value = "" if widget["value"] is None else f' value="{_formatted(widget["value"])}"'
    kind, name = _text(widget["type"]), _text(widget["name"])
    return f'<input type="{kind}" name="{name}"{value}{_attrs(widget["attrs"])}>'


def _textarea(widget: dict[str, Any]) -> str:
    """django/forms/widgets/textarea.html."""
    value = _text(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


def _option(option: dict[str, Any]) -> str:
    """django/forms/widgets/select_option.html."""
    value, label = _formatted(option["value"]), _text(option["label"])
    return f'<option value="{value}"{_attrs(option["attrs"])}>{label}</option>'


def _select(widget: dict[str, Any]) -> str | None:
    """django/forms/widgets/select.html; None (render the template) for an option of another template."""
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in group_choices:
            if option["template_name"] != "django/forms/widgets/select_option.html":
                return None
            parts.append(f"\n  {_option(option)}\n")
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


INPUTS = ("text", "number", "email", "url", "password", "hidden", "date", "datetime", "time", "search", "tel")
WRITERS: dict[str, Callable[[dict[str, Any]], str | None]] = {
    **{f"django/forms/widgets/{name}.html": _input for name in (*INPUTS, "input", "checkbox")},
    "django/forms/widgets/textarea.html": _textarea,
    "django/forms/widgets/select.html": _select,
}


class FormRenderer(DjangoTemplates):
    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        write = WRITERS.get(template_name)
        if write is not None and request is None and set(context) == {"widget"}:
            written = write(context["widget"])
            if written is not None:
                return SafeString(written)
        return super().render(template_name, context, request)
