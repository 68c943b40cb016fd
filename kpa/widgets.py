"""Form widgets of our own."""

from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join


class QuickSelect(forms.Select):
    """A select of many plain options (the country's gemeenten: hundreds) written in one pass of string
    formatting. Django renders each option through a template of its own, which for 351 options took about
    20 ms of a page that otherwise takes a few. The same markup as forms.Select for flat choices; choices
    with groups are left to forms.Select."""

    def render(self, name, value, attrs=None, renderer=None):
        choices = list(self.choices)
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
            rows.append((option, " selected" if selected else "", label))
        options = format_html_join("", '<option value="{}"{}>{}</option>', rows)
        return format_html("<select{}>{}</select>", flatatt(final), options)
