"""The flat crispy field template (templates/bootstrap5/field.html): KPA's one way to render a form field.

It must render the markup of crispy-bootstrap5's own nested templates, for every kind of widget, with and
without errors, through `|as_crispy_field`, `|crispy` and a FormHelper's options; and that markup keeps a
field accessible: label, help text and errors tied to the widget by aria-describedby, aria-invalid and
is-invalid on an invalid widget."""

from __future__ import annotations

import datetime as dt

import pytest
from crispy_forms.helper import FormHelper
from crispy_forms.templatetags import crispy_forms_filters
from django import forms
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.test import override_settings
from django.test.html import parse_html

from partners.manage_forms import DateInput

CHOICES = [("", "Kies"), ("jgz", "JGZ"), ("buurtteam", "Buurtteam")]
GROUPED = [("Kernpartners", [("jgz", "JGZ"), ("buurtteam", "Buurtteam")]), ("School", [("ib", "IB-er")])]


class StoredFile:
    """A file the form already has (what a model's FieldFile offers the widget)."""

    name = "scholen.csv"
    url = "/media/scholen.csv"

    def __str__(self) -> str:
        return self.name


class EveryWidgetForm(forms.Form):
    name = forms.CharField(label="Naam", max_length=20, help_text="Zoals op het rooster.")
    email = forms.EmailField(label="E-mailadres", required=False)
    count = forms.IntegerField(
        label="Aantal", min_value=0, widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )
    secret = forms.CharField(label="Wachtwoord", widget=forms.PasswordInput)
    notes = forms.CharField(
        label="Notities", required=False, widget=forms.Textarea(attrs={"rows": 2, "class": "wide"})
    )
    day = forms.DateField(label="Datum", widget=DateInput(), help_text="Dag, maand en jaar.")
    role = forms.ChoiceField(label="Rol", choices=CHOICES)
    grouped = forms.ChoiceField(label="Groep", choices=GROUPED, required=False)
    roles = forms.MultipleChoiceField(label="Rollen", choices=CHOICES[1:], required=False)
    agreed = forms.BooleanField(label="Akkoord", help_text="Lees het eerst.")
    optional_box = forms.BooleanField(label="Toch opslaan", required=False)
    kind = forms.ChoiceField(
        label="Soort", choices=CHOICES[1:], widget=forms.RadioSelect, help_text="Kies er een."
    )
    kinds = forms.MultipleChoiceField(
        label="Soorten", choices=GROUPED, widget=forms.CheckboxSelectMultiple, required=True
    )
    upload = forms.FileField(label="Bestand", help_text="Een CSV-bestand.")
    replace = forms.FileField(label="Vervang", required=False, widget=forms.ClearableFileInput)
    starts = forms.SplitDateTimeField(label="Begint", required=False)
    locked = forms.CharField(label="Vast", disabled=True, required=False)
    unlabelled = forms.CharField(label="", required=False)
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        data = super().clean()
        self.add_error("notes", "Schrijf nooit de naam van een leerling op.")
        self.add_error("notes", "En ook geen BSN.")
        return data


BAD_DATA = {
    "name": "x" * 30,
    "count": "veel",
    "day": "gisteren",
    "role": "onbekend",
    "kind": "",
    "kinds": [],
    "roles": ["onbekend"],
}


def unbound() -> EveryWidgetForm:
    return EveryWidgetForm(initial={"replace": StoredFile(), "day": dt.date(2027, 1, 11), "locked": "vast"})


def invalid() -> EveryWidgetForm:
    form = EveryWidgetForm(data=BAD_DATA, files={}, initial={"replace": StoredFile()})
    assert not form.is_valid()
    return form


def stock_templates():
    """crispy-bootstrap5's own templates: the app's template folders before templates/ (which holds
    KPA's flat bootstrap5/field.html)."""
    engine = {**settings.TEMPLATES[0], "APP_DIRS": False}
    engine["OPTIONS"] = {
        **engine["OPTIONS"],
        "loaders": [
            "django.template.loaders.app_directories.Loader",
            "django.template.loaders.filesystem.Loader",
        ],
    }
    return override_settings(TEMPLATES=[engine])


def render(source: str, **context) -> str:
    crispy_forms_filters.uni_form_template.cache_clear()  # it keeps the template of the first engine
    return Template("{% load crispy_forms_tags %}" + source).render(Context(context))


def both(source: str, make_form, **context) -> tuple[str, str]:
    """(flat, stock): `source` rendered with KPA's templates and with crispy-bootstrap5's, each with a
    form of its own (crispy writes its classes into the widgets)."""
    flat = render(source, form=make_form(), **context)
    with stock_templates():
        stock = render(source, form=make_form(), **context)
    return flat, stock


def assert_same_markup(flat: str, stock: str) -> None:
    assert parse_html(flat) == parse_html(stock), f"\nflat:  {flat}\nstock: {stock}"


@pytest.mark.parametrize("make_form", [unbound, invalid], ids=["unbound", "with errors"])
@pytest.mark.parametrize("name", list(EveryWidgetForm.base_fields))
def test_it_renders_every_widget_as_crispy_bootstrap5_does(name, make_form):
    flat, stock = both(f"{{{{ form.{name}|as_crispy_field }}}}", make_form)
    assert_same_markup(flat, stock)


def test_it_compares_with_the_templates_of_crispy_bootstrap5_itself():
    from django.template.loader import get_template

    assert get_template("bootstrap5/field.html").origin.name.endswith("templates/bootstrap5/field.html")
    assert "crispy_bootstrap5" not in get_template("bootstrap5/field.html").origin.name
    with stock_templates():
        assert "crispy_bootstrap5" in get_template("bootstrap5/field.html").origin.name


def with_helper(make_form, **options):
    def make():
        form = make_form()
        form.helper = FormHelper()
        for name, value in options.items():
            setattr(form.helper, name, value)
        return form

    return make


HELPERS = {
    "labels hidden (the attendance rows)": {"label_class": "visually-hidden"},
    "horizontal": {"form_class": "form-horizontal", "label_class": "col-lg-2", "field_class": "col-lg-8"},
    "help text inline, errors as blocks": {"help_text_inline": True, "error_text_inline": False},
    "no labels, no errors": {"form_show_labels": False, "form_show_errors": False},
}


@pytest.mark.parametrize("make_form", [unbound, invalid], ids=["unbound", "with errors"])
def test_it_renders_a_whole_form_as_crispy_bootstrap5_does(make_form):
    def with_non_field_error():
        form = make_form()
        if form.is_bound:
            form.add_error(None, "Er ging iets mis.")
        return form

    assert_same_markup(*both("{{ form|crispy }}", with_non_field_error))


@pytest.mark.parametrize("make_form", [unbound, invalid], ids=["unbound", "with errors"])
@pytest.mark.parametrize("options", HELPERS.values(), ids=HELPERS.keys())
def test_it_follows_a_form_helpers_options_as_crispy_bootstrap5_does(options, make_form):
    assert_same_markup(*both("{% crispy form %}", with_helper(make_form, **options)))
    assert_same_markup(*both("{{ form.role|as_crispy_field }}", with_helper(make_form, **options)))


# --- The markup itself: what makes a field accessible --------------------------------------------------


def field_html(form: forms.Form, name: str) -> str:
    return render("{{ field|as_crispy_field }}", field=form[name])


def test_it_renders_a_required_input_with_its_label_and_help_text():
    html = field_html(unbound(), "name")
    label = '<label for="id_name" class="form-label requiredField">Naam<span class="asteriskField">*</span>'
    assert label in html
    assert 'class="textinput form-control"' in html
    assert 'aria-describedby="id_name_helptext"' in html
    assert '<div id="id_name_helptext" class="form-text">Zoals op het rooster.</div>' in html
    assert "aria-invalid" not in html and "is-invalid" not in html


@pytest.mark.parametrize(
    ("name", "widget_class"),
    [
        ("name", "textinput form-control"),
        ("count", "numberinput form-control"),
        ("secret", "passwordinput form-control"),
        ("notes", "wide textarea form-control"),  # a widget's own class is kept
        ("day", "dateinput form-control"),
        ("role", "select form-select"),
        ("roles", "selectmultiple form-select"),
        ("agreed", "checkboxinput form-check-input"),
    ],
)
def test_it_marks_an_invalid_field_and_points_the_widget_at_the_error(name, widget_class):
    form = invalid()
    html = field_html(form, name)
    assert f'class="{widget_class} is-invalid"' in html
    assert 'aria-invalid="true"' in html
    described_by = " ".join(
        [f"id_{name}_helptext"] * bool(form[name].help_text) + [f"id_{name}_error"] * bool(form[name].errors)
    )
    assert f'aria-describedby="{described_by}"' in html
    assert f'<div id="id_{name}_error" class="invalid-feedback"><p id="error_1_id_{name}"><strong>' in html
    assert f"<strong>{form[name].errors[0]}</strong>" in html


def test_it_shows_every_error_of_a_field():
    html = field_html(invalid(), "notes")
    assert '<p id="error_1_id_notes"><strong>Schrijf nooit de naam van een leerling op.</strong></p>' in html
    assert '<p id="error_2_id_notes"><strong>En ook geen BSN.</strong></p>' in html


def test_it_leaves_out_the_required_mark_of_an_optional_field():
    assert "asteriskField" not in field_html(unbound(), "email")
    assert 'class="form-label"' in field_html(unbound(), "email")


def test_it_puts_a_checkbox_before_its_label_and_a_hidden_field_alone():
    checkbox = field_html(invalid(), "agreed")
    assert '<div id="div_id_agreed" class="form-check">' in checkbox
    assert (
        checkbox.index('type="checkbox"') < checkbox.index("<label") < checkbox.index('id="id_agreed_error"')
    )
    assert 'aria-describedby="id_agreed_helptext id_agreed_error"' in checkbox
    hidden = field_html(unbound(), "hidden").strip()
    assert hidden == '<input type="hidden" name="hidden" id="id_hidden">'


def test_it_groups_radio_buttons_in_a_fieldset_described_by_help_and_error():
    html = field_html(invalid(), "kind")
    assert '<fieldset aria-describedby="id_kind_helptext id_kind_error">' in html
    assert "Soort<span" in html.split("<legend", 1)[1].split("</legend>")[0]
    assert html.count('class="form-check-input is-invalid"') == 2
    assert html.count('aria-invalid="true"') == 2
    assert '<label for="id_kind_1" class="form-check-label">Buurtteam</label>' in html
    assert html.index('id="id_kind_1"') < html.index('id="id_kind_error"') < html.index("</fieldset>")


def test_it_renders_check_boxes_of_a_multiple_choice_with_their_groups():
    html = field_html(unbound(), "kinds")
    assert "<strong>Kernpartners</strong>" in html and "<strong>School</strong>" in html
    assert html.count('type="checkbox"') == 3


def test_it_renders_a_file_input_with_its_error_and_the_file_it_has():
    html = field_html(invalid(), "upload")
    assert 'class="form-control is-invalid"' in html
    assert 'aria-describedby="id_upload_helptext id_upload_error"' in html
    assert '<div id="id_upload_error" class="invalid-feedback">' in html
    stored = field_html(unbound(), "replace")
    assert '<a href="/media/scholen.csv">scholen.csv</a>' in stored
    assert 'id="replace-clear_id"' in stored  # the box that removes it


def test_it_renders_a_file_field_of_a_bound_form():
    form = EveryWidgetForm(data={}, files={"upload": SimpleUploadedFile("scholen.csv", b"brin\n")})
    form.is_valid()
    assert "is-invalid" not in field_html(form, "upload")


def test_it_hides_labels_but_keeps_them_for_screen_readers_with_a_helper():
    form = with_helper(invalid, label_class="visually-hidden")()
    html = field_html(form, "role")
    assert '<label for="id_role" class="form-label visually-hidden requiredField">' in html
    assert '<span id="error_1_id_role"><strong>' in html  # a helper shows errors inline by default


@pytest.mark.parametrize("make_form", [unbound, invalid], ids=["unbound", "with errors"])
@pytest.mark.parametrize(
    "options",
    [
        {},
        {"form_show_labels": False},
        {"form_show_errors": False},
        {"label_class": "col-4", "field_class": "col-8"},
    ],
    ids=["no helper", "no labels", "no errors", "horizontal"],
)
def test_its_as_crispy_field_in_python_writes_what_the_template_writes(options, make_form):
    """kpa_crispy's |as_crispy_field writes the common case in Python: character for character the
    template's markup, for every widget (the others it leaves to the template), with the options of a
    form helper or none; and as crispy-bootstrap5's own templates do, once loaded after crispy's."""
    from kpa.templatetags import kpa_crispy

    for name in EveryWidgetForm.base_fields:
        ours, theirs = make_form(), make_form()
        for form in (ours, theirs):
            if options:
                form.helper = FormHelper()
                form.helper.form_tag = False
                for key, value in options.items():
                    setattr(form.helper, key, value)
        assert kpa_crispy.as_crispy_field(ours[name]) == crispy_forms_filters.as_crispy_field(theirs[name]), (
            name
        )
    for name in EveryWidgetForm.base_fields:
        flat = render(f"{{% load kpa_crispy %}}{{{{ form.{name}|as_crispy_field }}}}", form=make_form())
        with stock_templates():
            stock = render(f"{{{{ form.{name}|as_crispy_field }}}}", form=make_form())
        assert_same_markup(flat, stock)


def test_its_python_path_is_the_common_one():
    """The fields of a plain form are written in Python, without the template."""
    from unittest import mock

    from kpa.templatetags import kpa_crispy

    form = unbound()
    with mock.patch.object(kpa_crispy, "get_template", side_effect=AssertionError("the template")):
        for name in ("name", "email", "count", "notes", "day", "role", "grouped", "roles"):
            assert 'class="form-label' in kpa_crispy.as_crispy_field(form[name])
