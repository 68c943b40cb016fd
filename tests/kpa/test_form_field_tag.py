"""{% form_field %}: the light Bootstrap field markup of the log page."""

from __future__ import annotations

from django import forms
from django.template import Context, Template


class ExampleForm(forms.Form):
    name = forms.CharField(label="Naam", help_text="Zoals op het rooster.")
    role = forms.ChoiceField(label="Rol", choices=[("", "Kies"), ("jgz", "JGZ")], required=False)
    notes = forms.CharField(label="Notities", required=False, widget=forms.Textarea(attrs={"class": "wide"}))
    agreed = forms.BooleanField(label="Akkoord", required=False)
    secret = forms.CharField(widget=forms.HiddenInput, required=False)


def render(form: forms.Form, name: str) -> str:
    return Template("{% load kpa_forms %}{% form_field field %}").render(Context({"field": form[name]}))


def test_it_renders_a_required_input_with_its_label_and_help_text():
    html = render(ExampleForm(), "name")
    label = '<label for="id_name" class="form-label requiredField">Naam<span class="asteriskField">*</span>'
    assert label in html
    assert 'class="form-control"' in html
    assert 'aria-describedby="id_name_helptext"' in html
    assert '<div id="id_name_helptext" class="form-text">Zoals op het rooster.</div>' in html


def test_it_marks_an_invalid_field_and_points_the_widget_at_the_error():
    form = ExampleForm(data={"name": ""})
    assert not form.is_valid()
    html = render(form, "name")
    assert 'class="form-control is-invalid"' in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_name_error id_name_helptext"' in html
    assert '<div id="id_name_error" class="invalid-feedback">' in html
    assert "<strong>Dit veld is verplicht.</strong>" in html


def test_it_gives_selects_form_select_and_keeps_a_widgets_own_class():
    form = ExampleForm()
    assert 'class="form-select"' in render(form, "role")
    assert 'class="wide form-control"' in render(form, "notes")
    assert "asteriskField" not in render(form, "role")


def test_it_puts_a_checkbox_before_its_label_and_a_hidden_field_alone():
    checkbox = render(ExampleForm(), "agreed")
    assert 'class="form-check"' in checkbox and 'class="form-check-input"' in checkbox
    assert checkbox.index('type="checkbox"') < checkbox.index("<label")
    hidden = render(ExampleForm(), "secret").strip()
    assert hidden.startswith('<input type="hidden"') and "<label" not in hidden
