"""kpa.form_renderer writes Django's commonest widget templates in Python: its markup must be the
templates' own, character for character, for every kind of widget it writes and for awkward values
(markup, quotes, safe strings, numbers and dates, None, True and False attributes, option groups); and a
widget it does not write still goes through its template."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from kpa.form_renderer import WRITERS, FormRenderer
from kpa.widgets import AutocompleteSelect, QuickSelect
from partners.manage_forms import DateInput

MARKUP = "<b title=\"x\">Tom & 'Jerry'</b>"
CHOICES = [
    ("", "---------"),
    (1, "Eén"),
    ("2", MARKUP),
    (3, gettext_lazy("Dutch")),
    (1234567, 1234567),
    ("Groep", [("a", "A"), ("b", mark_safe("<i>B</i>"))]),
]
ATTRS = {"class": "form-control", "required": True, "disabled": False, "data-x": MARKUP, "maxlength": 20}


def cases():
    values = [None, "", 0, 12, "tekst", MARKUP, mark_safe("<i>veilig</i>"), Decimal("1234.50"), 2.5]
    for widget in (
        forms.TextInput(attrs=ATTRS),
        forms.NumberInput(attrs={"inputmode": "numeric"}),
        forms.EmailInput(),
        forms.URLInput(),
        forms.PasswordInput(render_value=True),
        forms.HiddenInput(),
        forms.SearchInput(),
        forms.TelInput(),
        forms.Textarea(attrs={"rows": 2, **ATTRS}),
    ):
        for value in values:
            yield widget, value
    for value in (None, dt.date(2027, 1, 5), "5-1-2027", MARKUP):
        yield forms.DateInput(), value
        yield DateInput(), value
    for value in (None, dt.datetime(2027, 1, 5, 9, 30, tzinfo=dt.UTC), "morgen"):
        yield forms.DateTimeInput(), value
    for value in (None, dt.time(9, 30), "half tien"):
        yield forms.TimeInput(), value
    for value in (None, True, False, "", "on", MARKUP):
        yield forms.CheckboxInput(attrs={"class": "form-check-input"}), value
    for value in (None, "", 1, "1", "2", 1234567, "b", MARKUP):
        yield forms.Select(choices=CHOICES, attrs=ATTRS), value
    for value in (None, [], ["1", "b"], [1234567]):
        yield forms.SelectMultiple(choices=CHOICES), value
    for value in (None, True, False, "unknown"):
        yield forms.NullBooleanSelect(), value


@pytest.mark.parametrize("language", ["nl", "en"])
def test_each_widget_is_written_as_its_template_writes_it(language, settings):
    settings.USE_THOUSAND_SEPARATOR = True  # the localising a label gets, and a value must not get
    written, templates = FormRenderer(), DjangoTemplates()
    seen = set()
    with translation.override(language):
        for widget, value in cases():
            seen.add(widget.template_name)
            for name in ("veld", 'x"><script>'):
                expected = widget.render(name, value, attrs={"id": "id_veld"}, renderer=templates)
                assert widget.render(name, value, attrs={"id": "id_veld"}, renderer=written) == expected, (
                    widget,
                    value,
                )
    assert set(WRITERS) - seen <= {
        "django/forms/widgets/input.html",
        "django/forms/widgets/datetime.html",  # (no widget of Django's uses these two names itself)
    }


def test_a_widget_it_does_not_write_goes_through_its_template(monkeypatch):
    from kpa import form_renderer

    monkeypatch.setattr(form_renderer, "WRITERS", {})  # so that nothing is written in Python
    for widget, value in (
        (forms.RadioSelect(choices=CHOICES[:3]), "2"),
        (forms.CheckboxSelectMultiple(choices=CHOICES[:3]), ["1"]),
        (QuickSelect(choices=CHOICES[:3]), "2"),
        (forms.ClearableFileInput(), None),
    ):
        assert widget.render("veld", value, renderer=FormRenderer()) == widget.render(
            "veld", value, renderer=DjangoTemplates()
        )


def test_an_option_of_another_template_is_left_to_the_template(monkeypatch):
    class Marked(forms.Select):
        option_template_name = "django/forms/widgets/input_option.html"

    widget = Marked(choices=CHOICES[:3])
    assert widget.render("veld", "2", renderer=FormRenderer()) == widget.render(
        "veld", "2", renderer=DjangoTemplates()
    )


def test_the_project_uses_it(settings):
    from django.forms.renderers import get_default_renderer

    assert isinstance(get_default_renderer(), FormRenderer)
    assert AutocompleteSelect  # (a widget of our own, with its own template: not in WRITERS)
    assert not any(name.startswith("kpa/") for name in WRITERS)
