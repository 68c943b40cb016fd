"""kpa.widgets.AutocompleteSelect: a select that holds only the chosen option (never the 50,000 people of the
country) and tells static/js/autocomplete.js where to search and what to say."""

import re

import pytest
from django import forms
from django.test.html import parse_html
from django.urls import reverse

from kpa.widgets import AUTOCOMPLETE_LIMIT, AutocompleteChoiceField, AutocompleteSelect, QuickSelect
from partners.manage_forms import HandoverForm
from partners.models import Organisation
from tests.factories import GemeenteFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


class OrganisationForm(forms.Form):
    organisation = AutocompleteChoiceField(
        label="Organisatie",
        queryset=Organisation.objects.filter(kind="buurtteam"),
        empty_label="Alle organisaties",
        required=False,
        widget=AutocompleteSelect("manage:search-organisations", params={"among": "buurtteams"}),
    )


def option_values(html: str) -> list[str]:
    return re.findall(r'<option value="([^"]*)"', html)


@pytest.fixture
def organisations(db):
    return [OrganisationFactory(name=f"Buurtteam {i}") for i in range(30)]


def test_it_renders_only_the_empty_option_and_no_query_when_nothing_is_chosen(
    organisations, django_assert_num_queries
):
    with django_assert_num_queries(0):
        html = str(OrganisationForm()["organisation"])
    assert option_values(html) == [""]
    assert "Alle organisaties" in html


def test_it_renders_only_the_chosen_option_selected_in_one_query(organisations, django_assert_num_queries):
    chosen = organisations[7]
    with django_assert_num_queries(1):  # the chosen organisation, through the field's queryset
        html = str(OrganisationForm(initial={"organisation": chosen.pk})["organisation"])
    assert option_values(html) == ["", str(chosen.pk)]
    assert f'<option value="{chosen.pk}" selected>{chosen.name}</option>' in html
    assert all(o.name not in html for o in organisations if o != chosen)


def test_it_shows_the_checked_choice_without_asking_again(organisations, django_assert_num_queries):
    chosen = organisations[3]
    form = OrganisationForm({"organisation": str(chosen.pk)})
    with django_assert_num_queries(1):  # the check of the posted pk against the queryset; no second look
        assert form.is_valid()
        html = str(form["organisation"])
    assert option_values(html) == ["", str(chosen.pk)]


def test_it_tells_the_script_where_to_search_and_what_to_say(organisations):
    html = str(OrganisationForm()["organisation"])
    select = parse_html(html)
    attributes = dict(select.attributes)
    assert attributes["data-autocomplete"] == reverse("manage:search-organisations") + "?among=buurtteams"
    assert attributes["data-autocomplete-min"] == "2"
    assert attributes["data-autocomplete-limit"] == str(AUTOCOMPLETE_LIMIT)
    assert "{count}" in attributes["data-autocomplete-many"]
    assert "{count}" in attributes["data-autocomplete-more"]
    for name in ("placeholder", "hint", "results", "none", "one", "error"):
        assert attributes[f"data-autocomplete-{name}"], name
    assert attributes["id"] == "id_organisation"  # the label's `for`: the script hands it to the text input


@pytest.mark.parametrize("value", ["abc", "9" * 30, "-1", "1.5", ""])
def test_it_renders_nonsense_as_nothing_chosen(organisations, value):
    form = OrganisationForm({"organisation": value})
    assert form.is_valid() == (value == "")
    assert option_values(str(form["organisation"])) == [""]


def test_it_never_shows_a_choice_outside_the_queryset(organisations):
    jgz = OrganisationFactory(name="GGD", kind="jgz")
    form = OrganisationForm({"organisation": str(jgz.pk)})
    assert not form.is_valid()
    html = str(form["organisation"])
    assert option_values(html) == [""]
    assert "GGD" not in html


def test_it_labels_a_person_as_the_field_does(db):
    """The handover's people: name, organisation and e-mail, the same label as the people search."""
    leaver = UserFactory(
        first_name="Sanne", last_name="de Vries", organisation=OrganisationFactory(name="Lokalis")
    )
    UserFactory.create_batch(5)
    html = str(HandoverForm(initial={"from_person": leaver.pk})["from_person"])
    assert option_values(html) == ["", str(leaver.pk)]
    assert f"Sanne de Vries (Lokalis) – {leaver.email}" in html
    assert "among=everyone" in html


def test_it_offers_plain_choices_the_same_way():
    widget = AutocompleteSelect("manage:search-people", choices=[("", "Kies"), ("1", "Een"), ("2", "Twee")])
    assert option_values(widget.render("x", "2")) == ["", "2"]
    assert option_values(widget.render("x", None)) == [""]


def test_quick_select_does_not_count_its_choices_first(db, django_assert_num_queries):
    GemeenteFactory()

    class Form(forms.Form):
        gemeente = forms.ModelChoiceField(
            queryset=GemeenteFactory._meta.model.objects.all(), widget=QuickSelect
        )

    with django_assert_num_queries(1):  # the gemeenten; list(choices) asked for their COUNT first
        str(Form()["gemeente"])
