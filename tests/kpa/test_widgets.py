"""kpa.widgets: QuickSelect writes what forms.Select writes."""

from django import forms
from django.test.html import parse_html

from kpa.widgets import QuickSelect

CHOICES = [
    ("", "Kies"),
    ("all", "Alle gemeenten"),
    (1, "Amersfoort"),
    (2, '<script>alert("x")</script> & "Co"'),
    (None, "Geen"),
]


def rendered(widget_class, value, **attrs) -> str:
    class Form(forms.Form):
        gemeente = forms.ChoiceField(choices=CHOICES, widget=widget_class(attrs={"class": "form-select"}))

    form = Form({"gemeente": value}) if value is not None else Form(initial={"gemeente": 1})
    return str(form["gemeente"])


def test_it_writes_the_same_select_as_django():
    for value in (None, "all", "2", "", "not offered"):
        assert parse_html(rendered(QuickSelect, value)) == parse_html(rendered(forms.Select, value)), value


def test_it_escapes_the_labels_and_marks_only_the_chosen_option():
    html = rendered(QuickSelect, "2")
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert html.count(" selected") == 1


def test_it_leaves_grouped_choices_to_django():
    widget = QuickSelect(choices=[("Utrecht", [("1", "West"), ("2", "Oost")])])
    assert widget.render("wijk", "2") == forms.Select(choices=widget.choices).render("wijk", "2")
