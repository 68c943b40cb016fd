"""`{% form_field field %}`: one form field with Bootstrap 5 markup, for pages with many fields.

crispy-forms renders a field through a dozen nested templates full of layout options we never use; on the
log page (some 35 fields) that was two thirds of the response time. This tag renders the same markup as
crispy-bootstrap5's field.html for the cases KPA has (inputs, text areas, selects, a checkbox): label with
the required mark, the widget with form-control/form-select and is-invalid, the errors, the help text; the
widget points at both with aria-describedby, and Django marks it aria-invalid.
"""

from __future__ import annotations

from django import forms, template

register = template.Library()


def widget_class(widget: forms.Widget) -> str:
    if isinstance(widget, forms.CheckboxInput):
        return "form-check-input"
    if isinstance(widget, forms.Select):
        return "form-select"
    return "form-control"


@register.inclusion_tag("_partials/form_field.html")
def form_field(field: forms.BoundField) -> dict:
    widget = field.field.widget
    classes = [widget.attrs.get("class", ""), widget_class(widget), "is-invalid" if field.errors else ""]
    attrs = {"class": " ".join(c for c in classes if c)}
    described_by = []
    if field.errors:
        described_by.append(f"{field.auto_id}_error")
    if field.help_text:
        described_by.append(f"{field.auto_id}_helptext")
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    return {
        "field": field,
        "widget": field.as_widget(attrs=attrs),
        "is_checkbox": isinstance(widget, forms.CheckboxInput),
    }
