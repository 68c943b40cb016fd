"""What templates/bootstrap5/field.html (KPA's flat crispy field template) needs to know about one field.

crispy-bootstrap5 decides per field, in a dozen nested templates, which wrapper, label, widget classes,
errors and help text to show; the Django template language made that most of the time of a field-heavy
page. `{% bootstrap5_field as f %}` takes the same decisions in one Python call, from the field and
crispy's options in the context (those of a FormHelper or of the |crispy and |as_crispy_field filters), and
the template only writes the markup. The decisions follow crispy-bootstrap5's field.html and the templates it
includes; tests/kpa/test_crispy_templates.py compares the markup with crispy-bootstrap5's own templates.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from crispy_forms.templatetags import crispy_forms_filters
from django import forms, template
from django.conf import settings
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe

from kpa.form_renderer import escaped

register = template.Library()


def widget_html(field: forms.BoundField, classes: str) -> str:
    """The widget with crispy's classes, as crispy's {% crispy_field field 'class' classes %} renders it:
    the widget's own class, its type ("textinput", "select", …) and `classes`. Like crispy, it writes them
    into the widget's attrs (so they stay when the field is rendered again)."""
    widget = field.field.widget
    converters = getattr(settings, "CRISPY_CLASS_CONVERTERS", {})
    for each in getattr(widget, "widgets", [getattr(widget, "widget", widget)]):
        class_name = each.__class__.__name__.lower()
        class_name = converters.get(class_name, class_name)
        css_class = each.attrs.get("class", "")
        if not css_class:
            css_class = class_name
        elif class_name not in css_class:
            css_class += f" {class_name}"
        present = css_class.split()
        css_class += "".join(f" {name}" for name in classes.split() if name not in present)
        each.attrs["class"] = css_class
    return str(field)


@register.simple_tag(takes_context=True)
def bootstrap5_field(context) -> dict:
    return field_facts(context["field"], context.get)


def field_facts(field: forms.BoundField, get: Callable[[str], Any]) -> dict:
    """The decisions of crispy-bootstrap5's field templates for `field`, with crispy's options read by
    `get` (the template's context, or the attributes |as_crispy_field renders it with)."""
    widget = field.field.widget
    if field.is_hidden:
        return {"hidden": True}
    tag = get("tag") or ""
    label_class = get("label_class") or ""
    field_class = get("field_class") or ""
    show_labels = get("form_show_labels")
    horizontal = "form-horizontal" in (get("form_class") or "")
    help_inline = bool(get("help_text_inline"))
    errors_inline = bool(get("error_text_inline"))
    is_checkbox = isinstance(widget, forms.CheckboxInput)
    is_multiple = isinstance(widget, forms.CheckboxSelectMultiple)
    is_choices = is_multiple or isinstance(widget, forms.RadioSelect)
    is_file = isinstance(widget, forms.FileInput)
    errors = field.errors
    use_fieldset = field.use_fieldset
    required = field.field.required

    wrapper = ["form-check"] if is_checkbox and show_labels else ["mb-3", "row"] if horizontal else ["mb-3"]
    if get("wrapper_class"):
        wrapper.append(get("wrapper_class"))
    if field.css_classes():
        wrapper.append(field.css_classes())
    facts = {
        "hidden": False,
        "tag": tag or "div",
        "wrapper_class": " ".join(wrapper),
        "outer_checkbox": is_checkbox and tag != "td",
        "outer_class": "mb-3 row" if horizontal else "mb-3",
        "required": required,
        "auto_id": field.auto_id,
        "errors": errors,
        "field_class": field_class,
        "help_text": field.help_text,
        "help_inline": help_inline,
        "help_first": help_inline and not errors_inline,
        "error_tag": "span" if errors_inline else "p",
        "show_errors": bool(get("form_show_errors") and errors),
        "kind": "choices"
        if is_choices
        else "checkbox"
        if is_checkbox and show_labels
        else "file"
        if is_file
        else "",
        # Looked up by the template in every case: a key that is missing would cost an exception.
        "offsets_class": None,
        "label_tag": "",
        "fieldset": False,
        "widget": "",
    }
    if is_checkbox and tag != "td" and label_class:
        offsets = "".join(f"{o[7:14]}{o[4:7]}{o[14:16]} " for o in get("bootstrap_checkbox_offsets") or ())
        facts["offsets_class"] = offsets + field_class
    if field.label and not is_checkbox and show_labels:
        label = ["col-form-label pt-0" if horizontal else "form-label"]
        label += [label_class] * bool(label_class) + ["requiredField"] * required + ["fs-6"] * use_fieldset
        facts.update(
            label=field.label,
            label_tag="legend" if use_fieldset else "label",
            label_for=field.id_for_label,
            label_class=" ".join(label),
            fieldset=use_fieldset,
            fieldset_row=use_fieldset and horizontal,
            fieldset_described_by=use_fieldset and field.aria_describedby,
        )
    if facts["kind"] == "choices":
        facts.update(inline_class=get("inline_class"), flat_attrs=get("flat_attrs"))
    elif facts["kind"] == "checkbox":
        facts.update(
            widget=widget_html(field, "form-check-input is-invalid" if errors else "form-check-input")
        )
        facts.update(label=field.label, label_for=field.id_for_label)
    elif facts["kind"] == "":
        classes = (
            "form-select"
            if isinstance(widget, forms.Select)
            else "form-check-input"
            if is_checkbox
            else "form-control"
        )
        facts.update(widget=widget_html(field, f"{classes} is-invalid" if errors else classes))
    # The common case (a label, the widget, its errors and help text, no layout options) has a short path
    # of its own in the template.
    facts["plain"] = (
        facts["kind"] == ""
        and not facts["outer_checkbox"]
        and not field_class
        and not tag
        and not facts["fieldset"]
        and not help_inline
    )
    return facts


# What templates/bootstrap5/field.html writes before a field's markup: the newlines after its load tag and
# its two comments.
_FIELD_LEAD = "\n\n\n"


@register.filter
def as_crispy_field(field, template_pack="bootstrap5", label_class="", field_class=""):
    """crispy's |as_crispy_field, with the common case written in Python: a field with a label, its
    widget, errors and help text and no layout options (`plain`) is the markup that branch of
    templates/bootstrap5/field.html writes, character for character (tests/kpa/test_crispy_templates.py
    compares them for every widget, bound and unbound, valid and not). Every other field, or a form
    helper with a field template of its own, goes to crispy's filter and the template. A template loads it
    after crispy_forms_tags: `{% load crispy_forms_tags kpa_crispy %}`."""
    if not isinstance(field, forms.BoundField):
        return crispy_forms_filters.as_crispy_field(field, template_pack, label_class, field_class)
    attributes = {
        "field": field,
        "form_show_errors": True,
        "form_show_labels": True,
        "label_class": label_class,
        "field_class": field_class,
    }
    helper = getattr(field.form, "helper", None)
    if helper is not None:
        if helper.field_template:
            return crispy_forms_filters.as_crispy_field(field, template_pack, label_class, field_class)
        attributes.update(helper.get_attributes(template_pack))
    if template_pack != "bootstrap5":
        return crispy_forms_filters.as_crispy_field(field, template_pack, label_class, field_class)
    facts = field_facts(field, attributes.get)
    if not facts.get("plain"):
        return get_template("bootstrap5/field.html").render(attributes)
    return _plain_field(facts)


def _plain_field(f: dict) -> SafeString:
    e = escaped
    auto_id = e(f["auto_id"])
    parts = [f'{_FIELD_LEAD}\n<div id="div_{auto_id}" class="{e(f["wrapper_class"])}">']
    if f["label_tag"]:
        label_for = f'for="{e(f["label_for"])}"' if f["label_for"] else ""
        required = '<span class="asteriskField">*</span>' if f["required"] else ""
        parts.append(f'<label {label_for} class="{e(f["label_class"])}">{e(f["label"])}{required}</label>')
    parts.append(f"\n{e(f['widget'])}")
    if f["show_errors"]:
        tag = f["error_tag"]
        errors = "".join(
            f'<{tag} id="error_{n}_{auto_id}"><strong>{e(error)}</strong></{tag}>'
            for n, error in enumerate(f["errors"], start=1)
        )
        parts.append(f'<div id="{e(f["errors"].field_id)}_error" class="invalid-feedback">{errors}</div>')
    if f["help_text"]:
        help_id = f'id="{auto_id}_helptext" ' if f["auto_id"] else ""
        parts.append(f'<div {help_id}class="form-text">{f["help_text"]}</div>')
    parts.append("\n</div>\n\n")  # and the newline after the template's last tag
    return mark_safe("".join(parts))  # noqa: S308  (every value escaped above; the help text is the form's HTML)
