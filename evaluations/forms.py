"""The answering form of one respondent for one school in one round (issue 13): a statement is a score
1-5 or "weet niet", an open question a text through the privacy guard. Saving keeps what is filled in
(halfway is fine); sending needs every statement answered."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from evaluations.models import Item, ItemKind
from kpa.privacy import PrivacyCheckedFormMixin

UNKNOWN = "?"
SCALE = (
    (1, _("Strongly disagree")),
    (2, _("Disagree")),
    (3, _("Neither agree nor disagree")),
    (4, _("Agree")),
    (5, _("Strongly agree")),
)
OPEN_MAX_LENGTH = 2000
MISSING_LISTED = 5  # more statements without an answer than this: one message, not one per statement


def field_name(item: Item) -> str:
    return f"item_{item.pk}"


class AnswerForm(PrivacyCheckedFormMixin, forms.Form):
    def __init__(self, *args, items: list[Item], initial_answers: dict[int, str], sending: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        self.sending = sending
        choices = [(str(score), f"{score} – {label}") for score, label in SCALE] + [
            (UNKNOWN, _("Don't know"))
        ]
        open_fields = []
        for item in items:
            name = field_name(item)
            if item.kind == ItemKind.STATEMENT:
                self.fields[name] = forms.ChoiceField(
                    label=item.text, choices=choices, required=False, widget=forms.RadioSelect
                )
            else:
                self.fields[name] = forms.CharField(
                    label=item.text,
                    required=False,
                    max_length=OPEN_MAX_LENGTH,
                    widget=forms.Textarea(attrs={"rows": 3}),
                )
                open_fields.append(name)
            if item.pk in initial_answers:
                self.initial[name] = initial_answers[item.pk]
        self.privacy_checked_fields = tuple(open_fields)

    def clean(self):
        cleaned = super().clean()
        if self.sending:
            missing = [
                field_name(item)
                for item in self.items
                if item.kind == ItemKind.STATEMENT
                and not cleaned.get(field_name(item))
                and field_name(item) not in self.errors
            ]
            if len(missing) > MISSING_LISTED:
                # One message rather than a list of thirty at the top of the page.
                self.add_error(
                    None,
                    _(
                        "%(count)s statements have no answer yet: choose a score or 'Don't know' for "
                        "each, or save your answers and finish them later."
                    )
                    % {"count": len(missing)},
                )
            else:
                for name in missing:
                    self.add_error(name, _("Choose a score or 'Don't know' before you send your answers."))
        return cleaned

    def answers(self) -> dict[int, tuple[int | None, bool, str]]:
        """Per item: (score, unknown, text) of what was filled in; an empty field is left out."""
        found: dict[int, tuple[int | None, bool, str]] = {}
        for item in self.items:
            value = self.cleaned_data.get(field_name(item)) or ""
            if not value.strip():
                continue
            if item.kind == ItemKind.STATEMENT:
                found[item.pk] = (None, True, "") if value == UNKNOWN else (int(value), False, "")
            else:
                found[item.pk] = (None, False, value.strip())
        return found
